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

    /// Every source's families for one scrape, in exposition order (see
    /// above), without the families that have no series (the page shows
    /// nothing for them). A handful of allocations per scrape, whatever the
    /// number of series: the families are handed on, not copied.
    package func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
        let perSource = sources.map { $0.families(for: scrape) }
        var keyed: [(name: String, position: Int, family: any ExposedFamily)] = []
        keyed.reserveCapacity(perSource.reduce(0) { $0 + $1.count })
        for families in perSource {
            for family in families where !family.isEmpty {
                keyed.append((family.metricName.text, keyed.count, family))
            }
        }
        // Sorting by (name, position) keeps equal names in source order
        // whatever the sort algorithm's stability.
        keyed.sort { left, right in
            left.name == right.name ? left.position < right.position : left.name < right.name
        }
        return keyed.map(\.family)
    }
}
