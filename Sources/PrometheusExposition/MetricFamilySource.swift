/// Something that contributes metric families to a scrape: the series store's
/// aggregated families, the golden signals, the SLO engine, the collector's
/// self-metrics.
///
/// A source hands over families, not text: ``ScrapeComposer`` merges the
/// families of every source into one exposition order, the text renderer
/// writes them slice by slice, and another consumer (a remote-write exporter)
/// can walk the same families series by series through
/// ``ExposedFamily/forEachSeries(utf8:_:)``. A source is called on the thread
/// that owns its state (the processor thread), once per scrape.
package protocol MetricFamilySource {
    /// This source's families for one scrape, in any order.
    ///
    /// Return live families where the source has them (the series store's,
    /// which hold up to millions of series, are handed over as they are and
    /// read series by series while rendering, never copied per scrape);
    /// families computed for the scrape are built as ``SyntheticFamily``.
    /// A family without series may be returned: it is left out of the page.
    /// Names should be unique across sources (see ``ScrapeComposer`` for what
    /// happens otherwise).
    func families(for scrape: ScrapeContext) -> [any ExposedFamily]
}
