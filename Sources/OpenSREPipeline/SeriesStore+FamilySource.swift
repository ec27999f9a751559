import PrometheusExposition

/// The store's aggregated families, as they are: a scrape reads their series
/// live, slice by slice, with no copy of the series made per scrape.
extension SeriesStore: MetricFamilySource {
    package func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
        if sortedFamilies == nil {
            sortedFamilies = families.values.sorted { $0.name.text < $1.name.text }
        }
        return sortedFamilies!
    }
}
