import PrometheusExposition

/// The golden signals as a scrape source: traffic, errors and latency from
/// the per-job accumulators of ``GoldenSignals``, saturation from the latest
/// values of the store's saturation series (which is why it reads the store:
/// those values live in the series, not in ``GoldenSignals``).
struct GoldenSignalSource: MetricFamilySource {
    let golden: GoldenSignals
    let store: SeriesStore

    /// Only the families with series: until requests arrive, a scrape
    /// pays nothing for the golden signals.
    func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
        var result: [any ExposedFamily] = []
        for family in goldenFamilies() where !family.isEmpty { result.append(family) }
        return result
    }

    private func goldenFamilies() -> [SyntheticFamily] {
        var requests = SyntheticFamily(
            name: "opensre_golden_requests_total", type: .counter, help: "Requests served, per service (golden signal: traffic).")
        var errors = SyntheticFamily(
            name: "opensre_golden_errors_total", type: .counter, help: "Requests that failed, per service (golden signal: errors).")
        var latency = SyntheticFamily(
            name: "opensre_golden_request_duration_seconds", type: .histogram,
            help: "Request duration, per service (golden signal: latency).", unit: "seconds")
        for (name, job) in golden.jobs {
            let labels = Self.jobLabels(name)
            requests.append(labels, Double(job.requests))
            errors.append(labels, Double(job.errors))
            latency.samples.append(
                .init(
                    labels,
                    histogram: ExposedHistogram(
                        bounds: GoldenSignals.boundaries, bucketCounts: job.buckets, count: job.requests, sum: job.sum)))
        }

        var saturation: [String: [String: Double]] = [:]
        var cpus: [String: Set<String>] = [:]
        var jvm: [String: (used: Double, limit: Double)] = [:]
        var active: [String: Double] = [:]
        for stream in store.streams.values {
            guard let (role, job) = stream.golden else { continue }
            for series in stream.series.values where GoldenSignals.countsSaturation(series) {
                let value = series.state.value
                switch role {
                case .saturation(let resource, let perCPU):
                    saturation[job, default: [:]][resource, default: 0] += value
                    if perCPU { cpus[job, default: []].insert(series.goldenCPU ?? "") }
                case .memoryUsed: jvm[job, default: (0, 0)].used += value
                case .memoryLimit: jvm[job, default: (0, 0)].limit += value
                case .activeRequests: active[job, default: 0] += value
                case .latency: break
                }
            }
        }
        for (job, counts) in cpus {
            saturation[job]?["host_cpu"]? /= Double(max(counts.count, 1))
        }
        for (job, memory) in jvm where memory.limit > 0 {
            saturation[job, default: [:]]["jvm_memory"] = memory.used / memory.limit
        }
        var ratio = SyntheticFamily(
            name: "opensre_golden_saturation_ratio", type: .gauge,
            help: "Utilization of a resource (0-1), per service (golden signal: saturation).")
        for (job, resources) in saturation {
            for (resource, value) in resources {
                var labels = Self.jobLabels(job)
                labels.append(Label("resource", resource))
                ratio.append(labels, value)
            }
        }
        var inFlight = SyntheticFamily(
            name: "opensre_golden_active_requests", type: .gauge,
            help: "Requests in flight, per service (golden signal: saturation).")
        for (job, value) in active {
            inFlight.append(Self.jobLabels(job), value)
        }
        return [requests, errors, latency, ratio, inFlight]
    }

    private static func jobLabels(_ job: String) -> [Label] {
        job.isEmpty ? [] : [Label("job", job)]
    }
}
