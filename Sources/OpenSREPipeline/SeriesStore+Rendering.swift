import Glibc
import OpenSREModel
import PrometheusExposition

/// Where a scrape's bytes go as they are rendered: the exporter appends them
/// to its response buffer. Written on the processor thread only, and read by
/// its owner after the scrape's completion (which orders the two).
package protocol ScrapeSink: AnyObject, Sendable {
    /// A hint: about how many bytes the page will take.
    func reserve(_ bytes: Int)
    func write(_ bytes: UnsafeRawBufferPointer)
    /// Bytes written here that the reader has not taken yet (a streaming
    /// sink's unsent bytes); the processor pauses rendering while it is large.
    var backlog: Int { get }
    /// Monotonic nanoseconds when the reader last took bytes.
    var lastProgress: UInt64 { get }
    /// Gives up on a reader that stopped reading: later writes are dropped.
    func abandon()
    /// Calls `wake` once, from any thread, as soon as ``backlog`` is at most
    /// `limit` (at once if it already is); a later call replaces an earlier
    /// one. How a paused scrape learns that its reader caught up.
    func notifyWhenBacklog(atMost limit: Int, _ wake: @escaping @Sendable () -> Void)
}

extension ScrapeSink {
    package var backlog: Int { 0 }
    package var lastProgress: UInt64 { .max }
    package func abandon() {}
    package func notifyWhenBacklog(atMost limit: Int, _ wake: @escaping @Sendable () -> Void) { wake() }
}

/// A sink collecting the page in an array (tests, benchmarks, in-process callers).
package final class ArrayScrapeSink: ScrapeSink, @unchecked Sendable {
    // @unchecked: see ScrapeSink (one writer, then one reader after completion).
    package private(set) var bytes: [UInt8] = []
    package init() {}
    package func reserve(_ bytes: Int) { self.bytes.reserveCapacity(bytes) }
    package func write(_ bytes: UnsafeRawBufferPointer) { self.bytes.append(contentsOf: bytes.bindMemory(to: UInt8.self)) }
}

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
    /// rendering): the families of ``scrapeComposer(counters:memoryLimiter:gauges:)``
    /// at `wallClock` (Unix ns; the current time by default).
    package func beginScrape(
        format: ExpositionFormat, gzip: Bool, into sinks: [any ScrapeSink], counters: CollectorCounters? = nil,
        memoryLimiter: MemoryLimiter? = nil, gauges: ProcessorGauges? = nil, wallClock: UInt64? = nil
    ) -> ScrapeRenderer {
        beginScrape(
            format: format, gzip: gzip, into: sinks,
            composer: scrapeComposer(counters: counters, memoryLimiter: memoryLimiter, gauges: gauges),
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
        return ScrapeRenderer(store: self, families: families, format: format, gzip: gzip, sinks: sinks)
    }

    /// The sources of a scrape, in the order that breaks ties between equal
    /// names: the store's aggregated families, then (with `counters`) the
    /// collector's self-metrics, the SLO families and the golden signals.
    /// Build one per scrape: the self-metrics hold the store's statistics and
    /// `gauges` as they are when this is called.
    package func scrapeComposer(
        counters: CollectorCounters? = nil, memoryLimiter: MemoryLimiter? = nil, gauges: ProcessorGauges? = nil
    ) -> ScrapeComposer {
        var sources: [any MetricFamilySource] = [self]
        if let counters {
            sources.append(
                SelfMetrics(
                    counters: counters, statistics: statistics, series: seriesCount,
                    seriesBytes: (seriesBytes, maxSeriesBytes), memoryLimiter: memoryLimiter, gauges: gauges))
        }
        if let slo { sources.append(slo) }
        if let golden { sources.append(GoldenSignalSource(golden: golden, store: self)) }
        return ScrapeComposer(sources)
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

/// A scrape rendered in slices. Between slices the processor folds in queued
/// batches, so a scrape of a million series holds up ingest for a slice
/// (about a millisecond), not for the whole page. Each series is written from
/// its state when its slice runs; series created after the scrape began wait
/// for the next scrape, and series removed meanwhile are skipped.
///
/// Each slice is written into a small reused buffer and handed on at once
/// (compressed first for gzip): the page exists only once, in the sinks, so a
/// 1M-series scrape allocates its 150 MB once rather than twice.
package struct ScrapeRenderer {
    /// Plain bytes a slice writes before yielding (about 1 ms of rendering).
    package static let defaultSliceBytes = 256 << 10

    private let store: SeriesStore
    private let families: [MetricFamily]
    private let sinks: [any ScrapeSink]
    private var writer: ExpositionWriter
    private let gzip: GzipStream?
    private let sendTimestamps: Bool
    private var familyIndex = 0
    /// The current family's series, as they were when it was reached.
    private var pending: [Series] = []
    private var seriesIndex = 0
    /// Plain bytes rendered so far.
    private var plainBytes = 0

    init(store: SeriesStore, families: [MetricFamily], format: ExpositionFormat, gzip: Bool, sinks: [any ScrapeSink]) {
        self.store = store
        self.families = families
        self.sinks = sinks
        sendTimestamps = store.settings.sendTimestamps
        let expected = store.lastRenderSize
        for sink in sinks { sink.reserve(gzip ? expected / 8 : expected + expected / 16) }
        self.gzip =
            gzip
            ? GzipStream { compressed in
                for sink in sinks { sink.write(compressed) }
            } : nil
        writer = ExpositionWriter(format: format, capacity: Self.defaultSliceBytes + (64 << 10))
    }

    /// Renders about `sliceBytes` more; true once the page is complete.
    package mutating func step(sliceBytes: Int = ScrapeRenderer.defaultSliceBytes) -> Bool {
        while familyIndex < families.count {
            let family = families[familyIndex]
            if seriesIndex == 0, pending.isEmpty {
                if family.isEmpty {
                    familyIndex += 1
                    continue
                }
                writer.appendHeader(
                    name: family.name, type: family.type, help: family.help, unit: family.unit, isInfo: family.isInfo)
                pending = family.sortedSeries()
            }
            let name = family.name
            let type = family.type
            let info = family.isInfo
            while seriesIndex < pending.count, writer.bytes.count < sliceBytes {
                let series = pending[seriesIndex]
                seriesIndex += 1
                if !series.isRemoved { write(series, name: name, type: type, isInfo: info) }
            }
            if seriesIndex == pending.count {
                familyIndex += 1
                pending = []
                seriesIndex = 0
            }
            if writer.bytes.count >= sliceBytes {
                flush()
                return false
            }
        }
        writer.finish()
        flush()
        return true
    }

    /// Ends the page once ``step(sliceBytes:)`` returned true; false when gzip failed.
    package mutating func finish() -> Bool {
        store.lastRenderSize = plainBytes
        return gzip?.finish() ?? true
    }

    /// Hands the slice on (through gzip when compressing) and empties the buffer.
    private mutating func flush() {
        plainBytes += writer.bytes.count
        writer.bytes.withUnsafeBytes { slice in
            if let gzip {
                gzip.write(slice)
            } else {
                for sink in sinks { sink.write(slice) }
            }
        }
        writer.bytes.removeAll(keepingCapacity: true)
    }

    /// One series' sample lines. Counters and gauges read the state in place:
    /// copying the whole state per series (its arrays retained and released)
    /// was a third of a scrape's time.
    private mutating func write(_ series: Series, name: MetricName, type: PrometheusMetricType, isInfo: Bool) {
        series.withLabelText(utf8: writer.format.utf8) { labels in
            write(series, labels: labels, name: name, type: type, isInfo: isInfo)
        }
    }

    private mutating func write(
        _ series: Series, labels: SplitLabelText, name: MetricName, type: PrometheusMetricType, isInfo: Bool
    ) {
        let lastTime = series.state.lastTime
        let time: UInt64? = sendTimestamps && lastTime > 0 && !isInfo ? lastTime : nil
        switch type {
        case .counter:
            writer.appendSample(
                name: name, labels: labels, value: series.state.value, timestamp: time, exemplar: series.state.exemplar)
        case .gauge, .untyped:
            writer.appendSample(name: name, labels: labels, value: series.state.value, timestamp: time)
        case .histogram:
            let state = series.state
            if let exponential = state.exponential {
                for bucket in exponential.classicBuckets(maximum: SeriesStore.exponentialBucketLimit) {
                    writer.appendSample(
                        name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: bucket.bound,
                        value: Double(bucket.cumulative), timestamp: time)
                }
            } else {
                var cumulative: UInt64 = 0
                for (index, bound) in state.bounds.enumerated() {
                    cumulative &+= state.buckets[index]
                    writer.appendSample(
                        name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: bound,
                        value: Double(cumulative), timestamp: time, exemplar: Self.bucketExemplar(state, index))
                }
            }
            writer.appendSample(
                name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: .infinity,
                value: Double(state.count), timestamp: time, exemplar: Self.bucketExemplar(state, state.bounds.count))
            if state.hasSum {
                writer.appendSample(name: name, suffix: "_sum", labels: labels, value: state.value, timestamp: time)
            }
            writer.appendSample(
                name: name, suffix: "_count", labels: labels, value: Double(state.count), timestamp: time)
        case .summary:
            let state = series.state
            var index = 0
            while index + 1 < state.quantiles.count {
                writer.appendSample(
                    name: name, labels: labels, extraLabel: "quantile", extraValue: state.quantiles[index],
                    value: state.quantiles[index + 1], timestamp: time)
                index += 2
            }
            writer.appendSample(name: name, suffix: "_sum", labels: labels, value: state.value, timestamp: time)
            writer.appendSample(
                name: name, suffix: "_count", labels: labels, value: Double(state.count), timestamp: time)
        }
    }

    private static func bucketExemplar(_ state: SeriesState, _ index: Int) -> RenderedExemplar? {
        index < state.bucketExemplars.count ? state.bucketExemplars[index] : nil
    }
}

extension SeriesStore {
    static func wallClockNow() -> UInt64 { WallClock.now() }
}
