import Glibc
import OpenSREModel
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
        let sink = ArrayScrapeSink()
        var renderer = beginScrape(
            format: format, gzip: false, into: [sink], counters: counters, memoryLimiter: memoryLimiter,
            gauges: gauges, wallClock: wallClock)
        while !renderer.step() {}
        _ = renderer.finish()
        return sink.bytes
    }

    /// Starts a scrape that ``ScrapeRenderer/step(sliceBytes:)`` renders a
    /// slice at a time into every sink (scrapes waiting together share one
    /// rendering): the families of ``ScrapeSources/composer(store:receiverCounters:memoryLimiter:gauges:)``
    /// at `wallClock` (Unix ns; the current time by default).
    package func beginScrape(
        format: ExpositionFormat, gzip: Bool, into sinks: [any ScrapeSink], counters: CollectorCounters? = nil,
        memoryLimiter: MemoryLimiter? = nil, gauges: ProcessorGauges? = nil, wallClock: UInt64? = nil
    ) -> ScrapeRenderer {
        beginScrape(
            format: format, gzip: gzip, into: sinks,
            composer: ScrapeSources.composer(store: self, receiverCounters: counters, memoryLimiter: memoryLimiter, gauges: gauges),
            scrape: ScrapeContext(wallClock: wallClock ?? Self.wallClockNow()))
    }

    /// Starts a scrape of `composer`'s families (see ``ScrapeComposer``) at
    /// `scrape`. The store's own families are rendered from their live series,
    /// slice by slice; a family from another source is copied into a
    /// ``MetricFamily`` here, when the scrape begins (such families are
    /// small), so the renderer has one way of writing series.
    package func beginScrape(
        format: ExpositionFormat, gzip: Bool, into sinks: [any ScrapeSink], composer: ScrapeComposer,
        scrape: ScrapeContext
    ) -> ScrapeRenderer {
        let families = composer.families(for: scrape).map { family in
            family as? MetricFamily ?? MetricFamily(copying: family, utf8: format.utf8)
        }
        return ScrapeRenderer(
            families: families, format: format, gzip: gzip, sinks: sinks, sendTimestamps: settings.sendTimestamps,
            sizeHint: scrapeSizeHint)
    }
}

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

extension SeriesStore {
    static func wallClockNow() -> UInt64 { WallClock.now() }
}
