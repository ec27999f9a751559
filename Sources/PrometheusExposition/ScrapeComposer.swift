/// Merges the families of several ``MetricFamilySource``s into the order a
/// scrape exposes them in.
///
/// The sources are held in a fixed order. A scrape asks each of them for its
/// families (in that order, with the same ``ScrapeContext``) and gets them back
/// sorted by name (the `String` order of ``MetricName/text``); families with
/// the same name keep the order of their sources, and within one source the
/// order it returned them in. The composer does not decide between two
/// families of the same name: both are kept, one after the other, as the
/// collector has always rendered them (the page then declares the name
/// twice, which Prometheus refuses; sources should keep their names apart,
/// as the built-in ones do with their `opensre_` prefixes).
///
/// The result is a list of families, not text, so the text renderer
/// (`SeriesStore.beginScrape`) and a remote-write exporter consume one merge.
package struct ScrapeComposer {
    /// The sources, in the order ties between equal names are broken.
    package var sources: [any MetricFamilySource]

    package init(_ sources: [any MetricFamilySource]) {
        self.sources = sources
    }

    /// Every source's families for one scrape, in exposition order (see above).
    package func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
        var gathered: [any ExposedFamily] = []
        var names: [String] = []
        for source in sources {
            for family in source.families(for: scrape) {
                gathered.append(family)
                names.append(family.metricName.text)
            }
        }
        // Sorting positions by (name, position) keeps equal names in source
        // order whatever the sort algorithm's stability.
        let order = names.indices.sorted { left, right in
            names[left] == names[right] ? left < right : names[left] < names[right]
        }
        return order.map { gathered[$0] }
    }
}
