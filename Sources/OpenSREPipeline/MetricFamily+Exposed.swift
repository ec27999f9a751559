import CMallocTuning
import PrometheusExposition

/// The store's families as scrape consumers other than the text renderer walk
/// them, and families from elsewhere made renderable.
extension MetricFamily: ExposedFamily {
    var metricName: MetricName { name }

    /// Reads each live series' state as it is now (removed series are
    /// skipped). Copies what a histogram or summary holds into the
    /// ``ExposedValue``: for consumers that need the values as such (a
    /// remote-write exporter); the text renderer reads the state in place
    /// instead (`ScrapeRenderer`).
    func forEachSeries(utf8: Bool, _ body: (ExposedSeries) -> Void) {
        let ordered = sortedSeries()
        for (index, series) in ordered.enumerated() where !series.isRemoved {
            // As the renderer does: the series lie in arrival order, the walk is in label order.
            if index + ScrapeRenderer.prefetchDistance < ordered.count {
                let ahead = Unmanaged.passUnretained(ordered[index + ScrapeRenderer.prefetchDistance]).toOpaque()
                opensre_prefetch(ahead)
                opensre_prefetch(ahead + 64)
            }
            expose(series, utf8: utf8, body)
        }
    }

    /// One series of this family as an ``ExposedSeries`` (also a removed
    /// one: stale markers are sent for series that ended).
    func expose(_ series: Series, utf8: Bool, _ body: (ExposedSeries) -> Void) {
        if type == .counter || type == .gauge || type == .untyped {
            // The value alone: copying the whole state would retain its out-of-line parts.
            let lastTime = series.lastTime
            let exemplar = type == .counter ? series.latestExemplar : nil
            series.withLabelText(utf8: utf8) { labels in
                body(
                    ExposedSeries(
                        labels: labels, value: .single(series.value), timestamp: lastTime > 0 ? lastTime : nil,
                        exemplar: exemplar, cache: utf8 ? nil : series.exporterCache))
            }
            return
        }
        let state = series.state
        let value: ExposedValue
        switch type {
        case .counter, .gauge, .untyped:
            value = .single(state.value)
        case .histogram:
            value = .histogram(Self.histogram(of: state))
        case .summary:
            let pairs = state.quantiles
            value = .summary(
                ExposedSummary(
                    quantiles: stride(from: 0, to: pairs.count - 1, by: 2).map { pairs[$0] },
                    values: stride(from: 1, to: pairs.count, by: 2).map { pairs[$0] }, count: state.count,
                    sum: state.value))
        }
        series.withLabelText(utf8: utf8) { labels in
            body(
                ExposedSeries(
                    labels: labels, value: value, timestamp: state.lastTime > 0 ? state.lastTime : nil,
                    exemplar: type == .counter ? state.exemplar : nil, cache: utf8 ? nil : series.exporterCache))
        }
    }

    /// A histogram state's classic buckets (an exponential one downscaled to
    /// the text formats' bucket limit, as the text renderer shows it, and
    /// also whole, as ``ExposedHistogram/native``).
    private static func histogram(of state: SeriesState) -> ExposedHistogram {
        let sum = state.hasSum ? state.value : nil
        if let exponential = state.exponential {
            let buckets = exponential.classicBuckets(maximum: MetricFamily.exponentialBucketLimit)
            var histogram = ExposedHistogram(
                bounds: buckets.map(\.bound), cumulativeCounts: buckets.map(\.cumulative), count: state.count, sum: sum)
            histogram.native = ExposedNativeHistogram(
                scale: exponential.scale, zeroThreshold: exponential.zeroThreshold, zeroCount: exponential.zeroCount,
                positive: .init(offset: exponential.positive.offset, counts: exponential.positive.counts),
                negative: .init(offset: exponential.negative.offset, counts: exponential.negative.counts))
            return histogram
        }
        var histogram = ExposedHistogram(
            bounds: state.bounds, bucketCounts: Array(state.buckets), count: state.count, sum: sum)
        histogram.exemplars = state.bucketExemplars
        return histogram
    }

    /// A family holding a copy of `family`'s series, for the text renderer,
    /// which renders ``MetricFamily``s: how a computed family (a
    /// ``SyntheticFamily``) joins the page. Built per scrape, with the label
    /// text of the scrape's format (`utf8`).
    convenience init(copying family: any ExposedFamily, utf8: Bool) {
        self.init(
            metricName: family.metricName, type: family.type, help: family.help, unit: family.unit,
            isInfo: family.isInfo)
        family.forEachSeries(utf8: utf8) { exposed in
            let labels = exposed.labels
            let text = labels.tail.isEmpty ? Array(labels.head) : Array(labels.head) + Array(labels.tail)
            let series = self.series(labelText: text).0
            series.state.lastTime = exposed.timestamp ?? 0
            switch exposed.value {
            case .single(let value):
                series.state.value = value
                series.state.exemplar = exposed.exemplar
            case .histogram(let histogram):
                series.state.bounds = histogram.bounds
                series.state.buckets = HistogramCounts(histogram.bucketCounts)
                series.state.count = histogram.count
                series.state.value = histogram.sum ?? 0
                series.state.hasSum = histogram.sum != nil
                series.state.bucketExemplars = histogram.exemplars
            case .summary(let summary):
                series.state.quantiles = zip(summary.quantiles, summary.values).flatMap { [$0, $1] }
                series.state.count = summary.count
                series.state.value = summary.sum
            }
        }
    }
}
