/// Merges the families of several ``MetricFamilySource``s into the order a
/// scrape exposes them in.
///
/// The sources are held in a fixed order. A scrape asks each of them for its
/// families (in that order, with the same ``ScrapeContext``) and gets them back
/// sorted by name (the `String` order of ``MetricName/text``).
///
/// A name is declared once: of families with the same name, the first in
/// source order (within one source, the first it returned) is shown and the
/// others are left out and passed to `duplicate`. A page that declares a
/// name twice is refused whole by Prometheus (`second HELP line for metric
/// name`), so keeping both would lose every series of the scrape. The store
/// comes first among the collector's sources: a user's metric named like a
/// computed one (say `collector.series` under the `opensre` namespace) stays
/// visible, and the computed family it shadows is the one left out (the
/// processor logs it).
///
/// The result is a list of families, not text, so the text renderer
/// (`SeriesStore.beginScrape`) and a remote-write exporter consume one merge.
package struct ScrapeComposer {
    /// The sources, in the order ties between equal names are broken.
    package var sources: [any MetricFamilySource]
    /// Told the name of each family left out because an earlier one has it.
    private let duplicate: (String) -> Void

    package init(_ sources: [any MetricFamilySource], duplicate: @escaping (String) -> Void = { _ in }) {
        self.sources = sources
        self.duplicate = duplicate
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
        var exposed: [any ExposedFamily] = []
        exposed.reserveCapacity(keyed.count)
        var previous: String?
        for entry in keyed {
            if entry.name == previous {
                duplicate(entry.name)
                continue
            }
            previous = entry.name
            exposed.append(entry.family)
        }
        return exposed
    }
}
