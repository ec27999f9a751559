import CMallocTuning
import Glibc
import OpenSREModel
import PrometheusExposition

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

    /// Where the size of the last page is kept, the next one's reservation.
    private let sizeHint: ScrapeSizeHint
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

    init(
        families: [MetricFamily], format: ExpositionFormat, gzip: Bool, sinks: [any ScrapeSink], sendTimestamps: Bool,
        sizeHint: ScrapeSizeHint
    ) {
        self.sizeHint = sizeHint
        self.families = families
        self.sinks = sinks
        self.sendTimestamps = sendTimestamps
        let expected = sizeHint.bytes
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
                if seriesIndex + Self.prefetchDistance < pending.count {
                    let ahead = Unmanaged.passUnretained(pending[seriesIndex + Self.prefetchDistance]).toOpaque()
                    opensre_prefetch(ahead)
                    opensre_prefetch(ahead + 64)
                }
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
        sizeHint.bytes = plainBytes
        return gzip?.finish() ?? true
    }

    /// Hands the slice on (through gzip when compressing) and empties the buffer.
    /// How many series ahead the slice loop asks for a series' memory: in
    /// label-text order the series lie scattered over the heap.
    static let prefetchDistance = 8

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
                for bucket in exponential.classicBuckets(maximum: MetricFamily.exponentialBucketLimit) {
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

/// The size of the last page rendered, which the next scrape reserves in its
/// sinks. Shared by the store's scrapes, touched on the processor thread only.
final class ScrapeSizeHint {
    var bytes = 4096
}
