import OpenSREModel
import PrometheusExposition

/// Rendering what the collector shows: the families of a ``ScrapeComposer``
/// (by default ``composer(store:receiverCounters:memoryLimiter:gauges:duplicate:)``'s)
/// handed to a ``ScrapeRenderer``. The store takes part only as a source.
extension ScrapeSources {
    /// The whole exposition at once: families sorted by name, series by label
    /// text; with `counters`, the collector's self-metrics merged in by name.
    /// `wallClock` (Unix ns) is the "now" of the SLO windows (the current time by default).
    package static func render(
        _ store: SeriesStore, format: ExpositionFormat = .text, counters: CollectorCounters? = nil,
        memoryLimiter: MemoryLimiter? = nil, gauges: ProcessorGauges? = nil, wallClock: UInt64? = nil
    ) -> [UInt8] {
        let sink = ArrayScrapeSink()
        var renderer = beginScrape(
            of: store, format: format, gzip: false, into: [sink], counters: counters, memoryLimiter: memoryLimiter,
            gauges: gauges, wallClock: wallClock)
        while !renderer.step() {}
        _ = renderer.finish()
        return sink.bytes
    }

    /// Starts a scrape that ``ScrapeRenderer/step(sliceBytes:)`` renders a
    /// slice at a time into every sink (scrapes waiting together share one
    /// rendering), at `wallClock` (Unix ns; the current time by default).
    package static func beginScrape(
        of store: SeriesStore, format: ExpositionFormat, gzip: Bool, into sinks: [any ScrapeSink],
        counters: CollectorCounters? = nil, memoryLimiter: MemoryLimiter? = nil, gauges: ProcessorGauges? = nil,
        wallClock: UInt64? = nil
    ) -> ScrapeRenderer {
        beginScrape(
            of: store, format: format, gzip: gzip, into: sinks,
            composer: composer(store: store, receiverCounters: counters, memoryLimiter: memoryLimiter, gauges: gauges),
            scrape: ScrapeContext(wallClock: wallClock ?? WallClock.now()))
    }

    /// Starts a scrape of `composer`'s families (see ``ScrapeComposer``) at
    /// `scrape`. The store's own families are rendered from their live series,
    /// slice by slice; a family from another source is copied into a
    /// ``MetricFamily`` here, when the scrape begins (such families are
    /// small), so the renderer has one way of writing series. `store` gives
    /// the exposition settings and remembers the page's size for the next.
    package static func beginScrape(
        of store: SeriesStore, format: ExpositionFormat, gzip: Bool, into sinks: [any ScrapeSink],
        composer: ScrapeComposer, scrape: ScrapeContext
    ) -> ScrapeRenderer {
        let families = composer.families(for: scrape).map { family in
            family as? MetricFamily ?? MetricFamily(copying: family, utf8: format.utf8)
        }
        return ScrapeRenderer(
            families: families, format: format, gzip: gzip, sinks: sinks, sendTimestamps: store.settings.sendTimestamps,
            sizeHint: store.scrapeSizeHint)
    }
}
