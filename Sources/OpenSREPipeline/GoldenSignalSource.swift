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
        for family in store.goldenFamilies(golden) where !family.isEmpty { result.append(family) }
        return result
    }
}
