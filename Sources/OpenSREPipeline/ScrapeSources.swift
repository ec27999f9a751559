import PrometheusExposition

/// What a scrape of the collector shows, and in which order ties between
/// equal names are broken: the store's aggregated families, then (with the
/// receivers' counters) the collector's self-metrics, then the exporters'
/// own (remote write's self-metrics), then the families of the store's observers (SLOs, golden signals). The store is one source
/// among them; it knows nothing of the others.
package enum ScrapeSources {
    /// Build one per scrape: the self-metrics hold the store's statistics and
    /// `gauges` as they are when this is called. `duplicate` hears the names
    /// of computed families left out because a user's metric has their name.
    package static func composer(
        store: SeriesStore, receiverCounters: CollectorCounters? = nil, memoryLimiter: MemoryLimiter? = nil,
        gauges: ProcessorGauges? = nil, extra: [any MetricFamilySource] = [],
        duplicate: @escaping (String) -> Void = { _ in }
    ) -> ScrapeComposer {
        var sources: [any MetricFamilySource] = [store]
        if let receiverCounters {
            sources.append(
                SelfMetrics(
                    counters: receiverCounters, statistics: store.statistics, series: store.seriesCount,
                    seriesBytes: (store.seriesBytes, store.maxSeriesBytes), memoryLimiter: memoryLimiter,
                    gauges: gauges))
        }
        sources += extra
        sources += store.observers.compactMap { $0.scrapeSource(reading: store) }
        return ScrapeComposer(sources, duplicate: duplicate)
    }
}
