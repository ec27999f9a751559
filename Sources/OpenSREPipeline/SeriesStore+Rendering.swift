import Glibc
import PrometheusExposition

/// Rendering the store as Prometheus text or OpenMetrics.
extension SeriesStore {
    /// The whole exposition: families sorted by name, series by label text;
    /// with `counters`, the collector's self-metrics merged in by name.
    /// `wallClock` (Unix ns) is the "now" of the SLO windows (the current time by default).
    package func render(
        format: ExpositionFormat = .text, counters: CollectorCounters? = nil, memoryLimiter: MemoryLimiter? = nil,
        gauges: ProcessorGauges? = nil, wallClock: UInt64? = nil
    ) -> [UInt8] {
        var extraFamilies =
            counters.map {
                SelfMetrics.families(
                    counters: $0, statistics: statistics, series: seriesCount, memoryLimiter: memoryLimiter,
                    gauges: gauges)
            } ?? []
        if let slo {
            extraFamilies += slo.families(now: wallClock ?? Self.wallClockNow()).map(MetricFamily.init(synthetic:))
        }
        extraFamilies += goldenFamilies()
        var writer = ExpositionWriter(format: format, capacity: lastRenderSize + lastRenderSize / 8)
        if sortedFamilies == nil {
            sortedFamilies = families.values.sorted { $0.name.text < $1.name.text }
        }
        var all = sortedFamilies!
        if !extraFamilies.isEmpty {
            all = (all + extraFamilies).sorted { $0.name.text < $1.name.text }
        }
        for family in all where !family.isEmpty {
            writer.appendHeader(
                name: family.name, type: family.type, help: family.help, unit: family.unit, isInfo: family.isInfo)
            for series in family.sortedSeries() {
                render(series, of: family, into: &writer)
            }
        }
        writer.finish()
        lastRenderSize = writer.bytes.count
        return writer.bytes
    }

    private func render(_ series: Series, of family: MetricFamily, into writer: inout ExpositionWriter) {
        series.withLabelText(utf8: writer.format.utf8) { labels in
            render(series, labels: labels, of: family, into: &writer)
        }
    }

    private func render(
        _ series: Series, labels: SplitLabelText, of family: MetricFamily, into writer: inout ExpositionWriter
    ) {
        let state = series.state
        let name = family.name
        let time: UInt64? = settings.sendTimestamps && state.lastTime > 0 && !family.isInfo ? state.lastTime : nil
        switch family.type {
        case .counter:
            writer.appendSample(name: name, labels: labels, value: state.value, timestamp: time, exemplar: state.exemplar)
        case .gauge, .untyped:
            writer.appendSample(name: name, labels: labels, value: state.value, timestamp: time)
        case .histogram:
            if let exponential = state.exponential {
                for bucket in exponential.classicBuckets(maximum: Self.exponentialBucketLimit) {
                    writer.appendSample(
                        name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: bucket.bound,
                        value: Double(bucket.cumulative), timestamp: time)
                }
            } else {
                var cumulative: UInt64 = 0
                for (index, bound) in state.bounds.enumerated() {
                    cumulative &+= state.buckets[index]
                    writer.appendSample(
                        name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: bound,
                        value: Double(cumulative), timestamp: time, exemplar: bucketExemplar(state, index))
                }
            }
            writer.appendSample(
                name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: .infinity,
                value: Double(state.count), timestamp: time, exemplar: bucketExemplar(state, state.bounds.count))
            if state.hasSum {
                writer.appendSample(name: name, suffix: "_sum", labels: labels, value: state.value, timestamp: time)
            }
            writer.appendSample(
                name: name, suffix: "_count", labels: labels, value: Double(state.count), timestamp: time)
        case .summary:
            var index = 0
            while index + 1 < state.quantiles.count {
                writer.appendSample(
                    name: name, labels: labels, extraLabel: "quantile", extraValue: state.quantiles[index],
                    value: state.quantiles[index + 1], timestamp: time)
                index += 2
            }
            writer.appendSample(name: name, suffix: "_sum", labels: labels, value: state.value, timestamp: time)
            writer.appendSample(
                name: name, suffix: "_count", labels: labels, value: Double(state.count), timestamp: time)
        }
    }

    private func bucketExemplar(_ state: SeriesState, _ index: Int) -> RenderedExemplar? {
        index < state.bucketExemplars.count ? state.bucketExemplars[index] : nil
    }
}

extension SeriesStore {
    static func wallClockNow() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

extension MetricFamily {
    /// A family computed at scrape time (SLO state, self-metrics).
    convenience init(synthetic: SyntheticFamily) {
        self.init(name: synthetic.name, type: synthetic.type, help: synthetic.help)
        for sample in synthetic.samples {
            series(labelText: ExpositionWriter.labelText(sample.labels)).0.state.value = sample.value
        }
    }
}
