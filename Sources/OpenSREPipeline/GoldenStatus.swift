import OpenSRESLO

/// One job's golden signals as `GET /api/v1/golden` shows them: totals since
/// the collector started, the last six hours per minute (traffic, errors,
/// latency percentiles, CPU saturation) and the 14-day hourly baseline with
/// its summary. Field names are the API's, stable; `null` where a minute (or
/// hour) had no requests, or no saturation value.
package struct GoldenStatus: Sendable, Equatable, Encodable {
    package struct History: Sendable, Equatable, Encodable {
        /// Unix seconds of the first minute; one entry per minute after it.
        package var start: Int64
        package var step = 60
        package var requests: [UInt64]
        package var errors: [UInt64]
        /// Latency percentiles in seconds, interpolated in the golden buckets
        /// as `histogram_quantile` does; null for a minute without requests.
        package var p50: [Double?]
        package var p90: [Double?]
        package var p99: [Double?]
        /// The highest `resource="cpu"` saturation (0-1 per core) seen in
        /// each minute; null for a minute without a value (see ``GoldenHistory``).
        package var saturation: [Double?]

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(start, forKey: .start)
            try container.encode(step, forKey: .step)
            try container.encode(requests, forKey: .requests)
            try container.encode(errors, forKey: .errors)
            try container.encode(p50, forKey: .p50)
            try container.encode(p90, forKey: .p90)
            try container.encode(p99, forKey: .p99)
            try container.encode(saturation, forKey: .saturation)
        }

        private enum Key: String, CodingKey { case start, step, requests, errors, p50, p90, p99, saturation }
    }

    /// The 14-day hourly baseline (``GoldenBaseline``): 336 hours ending with
    /// the current one, and what they add up to.
    package struct Baseline: Sendable, Equatable, Encodable {
        /// Days covered: from the oldest hour with requests in the window to
        /// the current hour, in days (hours / 24); 0 without requests.
        package var days: Double
        /// Unix seconds of the first hour; one entry per hour after it.
        package var start: Int64
        package var step = 3600
        package var requests: [UInt64]
        package var errors: [UInt64]
        /// Latency percentiles per hour in seconds, as in ``History``; null for an hour without requests.
        package var p50: [Double?]
        package var p90: [Double?]
        package var p99: [Double?]
        /// Sums over the 336 hours.
        package var requestsTotal: UInt64
        package var errorsTotal: UInt64
        /// 1 − errors/requests over the 336 hours; null without requests.
        package var availability: Double?
        /// Latency percentiles over the 336 hours' buckets together; null without requests.
        package var latencyP50Seconds: Double?
        package var latencyP90Seconds: Double?
        package var latencyP99Seconds: Double?

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(days, forKey: .days)
            try container.encode(start, forKey: .start)
            try container.encode(step, forKey: .step)
            try container.encode(requests, forKey: .requests)
            try container.encode(errors, forKey: .errors)
            try container.encode(p50, forKey: .p50)
            try container.encode(p90, forKey: .p90)
            try container.encode(p99, forKey: .p99)
            try container.encode(requestsTotal, forKey: .requestsTotal)
            try container.encode(errorsTotal, forKey: .errorsTotal)
            try container.encode(availability, forKey: .availability)
            try container.encode(latencyP50Seconds, forKey: .latencyP50Seconds)
            try container.encode(latencyP90Seconds, forKey: .latencyP90Seconds)
            try container.encode(latencyP99Seconds, forKey: .latencyP99Seconds)
        }

        private enum Key: String, CodingKey {
            case days, start, step, requests, errors, p50, p90, p99, requestsTotal, errorsTotal, availability
            case latencyP50Seconds, latencyP90Seconds, latencyP99Seconds
        }

        /// The baseline of `hours` (oldest first, ending with the current hour).
        init(hours: [GoldenBaseline.Hour]) {
            func quantile(_ q: Double) -> [Double?] { hours.map { GoldenBuckets.quantile(q, buckets: $0.buckets) } }
            let last = hours.last?.hour ?? 0
            let first = hours.first { $0.requests > 0 }?.hour
            days = first.map { Double(last - $0 + 1) / 24 } ?? 0
            start = (hours.first?.hour ?? last) * 3600
            requests = hours.map(\.requests)
            errors = hours.map(\.errors)
            p50 = quantile(0.5)
            p90 = quantile(0.9)
            p99 = quantile(0.99)
            requestsTotal = requests.reduce(0, &+)
            errorsTotal = errors.reduce(0, &+)
            availability = requestsTotal == 0 ? nil : 1 - Double(errorsTotal) / Double(requestsTotal)
            var buckets = [UInt64](repeating: 0, count: GoldenBuckets.count)
            for hour in hours {
                for index in buckets.indices { buckets[index] &+= hour.buckets[index] }
            }
            latencyP50Seconds = GoldenBuckets.quantile(0.5, buckets: buckets)
            latencyP90Seconds = GoldenBuckets.quantile(0.9, buckets: buckets)
            latencyP99Seconds = GoldenBuckets.quantile(0.99, buckets: buckets)
        }
    }

    package var job: String
    package var requests: UInt64
    package var errors: UInt64
    package var history: History
    package var baseline: Baseline
}

extension GoldenSignals {
    /// Every job's status at `now` (Unix ns), by job name.
    func statuses(now: UInt64) -> [GoldenStatus] {
        let last = Int64(now / 60_000_000_000)
        let hour = GoldenBaseline.hour(ofMinute: last)
        return jobs.keys.sorted().compactMap { name in
            guard let job = jobs[name] else { return nil }
            let minutes = (job.history ?? GoldenHistory()).window(endingAt: last, count: GoldenHistory.minutes)
            func quantile(_ q: Double) -> [Double?] { minutes.map { Self.quantile(q, buckets: $0.buckets) } }
            return GoldenStatus(
                job: name, requests: job.requests, errors: job.errors,
                history: GoldenStatus.History(
                    start: (minutes.first?.minute ?? last) * 60, requests: minutes.map(\.requests),
                    errors: minutes.map(\.errors), p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99),
                    saturation: minutes.map(\.saturation)),
                baseline: GoldenStatus.Baseline(
                    hours: (job.baseline ?? GoldenBaseline()).window(endingAt: hour, count: GoldenBaseline.hours)))
        }
    }

    /// The `q` quantile of golden bucket counts (see ``GoldenBuckets/quantile(_:buckets:)``).
    static func quantile(_ q: Double, buckets: [UInt64]) -> Double? {
        GoldenBuckets.quantile(q, buckets: buckets)
    }
}

extension BatchProcessor {
    /// Calls `completion` on the processor thread with every job's golden
    /// signals now, once everything submitted before this call is folded in;
    /// with none when golden signals are off.
    package func goldenStatuses(_ completion: @escaping @Sendable ([GoldenStatus]) -> Void) {
        runOnStore { [self] store in completion(store.golden?.statuses(now: clock.wallClock()) ?? []) }
    }
}
