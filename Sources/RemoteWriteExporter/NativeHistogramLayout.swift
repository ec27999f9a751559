import PrometheusExposition

/// An exponential histogram's buckets as a Prometheus native histogram lays
/// them out (remote write's `Histogram` message): a schema, the zero bucket,
/// and per side the spans of buckets sent and their counts as deltas.
///
/// From Prometheus's histogram model and remote-write proto:
/// - Prometheus bucket `i` covers (base^(i-1), base^i], OTLP bucket `i`
///   (base^i, base^(i+1)]: the same bucket has index + 1.
/// - The schema is the OTLP scale; Prometheus knows -4 through 8. A finer
///   scale is merged down to 8 (OTLP bucket `i` lands in `i >> (scale - 8)`,
///   the data model's own downscaling); a coarser one cannot be expressed,
///   and ``init(_:)`` returns nil (the encoder sends the classic buckets).
/// - Buckets go in index order; empty ones before the first and after the
///   last are left out. A gap of one or two empty buckets is sent as zero
///   buckets (cheaper than a span, as Prometheus's Go client does), a longer
///   one starts a span. The first span's offset is its first bucket's index,
///   a later one's the number of buckets skipped since the previous span.
/// - Deltas are an integer histogram's: the first bucket's count, then each
///   bucket's count minus the previous bucket's, across spans.
package struct NativeHistogramLayout: Sendable, Equatable {
    /// A run of consecutive buckets (`BucketSpan`).
    package struct Span: Sendable, Equatable {
        package var offset: Int32
        package var length: UInt32

        package init(offset: Int32, length: UInt32) {
            self.offset = offset
            self.length = length
        }
    }

    /// One side's buckets: its spans and one delta per bucket they cover.
    package struct Side: Sendable, Equatable {
        package var spans: [Span]
        package var deltas: [Int64]

        package init(spans: [Span] = [], deltas: [Int64] = []) {
            self.spans = spans
            self.deltas = deltas
        }
    }

    /// The schemas Prometheus accepts.
    package static let schemas: ClosedRange<Int32> = -4...8

    package var schema: Int32
    package var zeroThreshold: Double
    package var zeroCount: UInt64
    package var positive: Side
    package var negative: Side

    /// The layout of `histogram`; nil when its scale is below -4, which no
    /// native histogram can express.
    package init?(_ histogram: ExposedNativeHistogram) {
        guard histogram.scale >= Self.schemas.lowerBound else { return nil }
        schema = min(histogram.scale, Self.schemas.upperBound)
        zeroThreshold = histogram.zeroThreshold
        zeroCount = histogram.zeroCount
        let steps = Int(histogram.scale - schema)
        positive = Self.side(histogram.positive, steps: steps)
        negative = Self.side(histogram.negative, steps: steps)
    }

    /// At least the bytes the `Histogram` message takes in its series: the
    /// scalar fields at their widest, each span's and delta's widest varints.
    package var estimatedBytes: Int {
        80 + 14 * (positive.spans.count + negative.spans.count) + 10 * (positive.deltas.count + negative.deltas.count)
    }

    /// One side laid out, OTLP buckets merged `steps` scales coarser first.
    private static func side(_ buckets: ExposedNativeHistogram.Buckets, steps: Int) -> Side {
        var builder = SideBuilder()
        var current: (index: Int64, count: UInt64)?
        for (position, count) in buckets.counts.enumerated() where count > 0 {
            let index = ((buckets.offset + Int64(position)) >> steps) + 1
            if let pending = current, pending.index == index {
                current = (index, pending.count &+ count)
            } else {
                if let pending = current { builder.add(index: pending.index, count: pending.count) }
                current = (index, count)
            }
        }
        if let pending = current { builder.add(index: pending.index, count: pending.count) }
        return builder.side
    }

    /// A side under construction, fed populated buckets in increasing index order.
    private struct SideBuilder {
        var side = Side()
        /// The Prometheus index of the last bucket added.
        var last: Int64?
        var previousCount: UInt64 = 0

        mutating func add(index: Int64, count: UInt64) {
            if let last {
                let gap = index - last - 1
                if gap > 2 {
                    side.spans.append(Span(offset: Int32(clamping: gap), length: 0))
                } else {
                    for _ in 0..<gap { append(0) }
                }
            } else {
                side.spans.append(Span(offset: Int32(clamping: index), length: 0))
            }
            append(count)
            last = index
        }

        /// One more bucket in the current span; the delta wraps like the
        /// counts do, so that adding the deltas back gives the counts.
        private mutating func append(_ count: UInt64) {
            side.deltas.append(Int64(bitPattern: count &- previousCount))
            previousCount = count
            side.spans[side.spans.count - 1].length += 1
        }
    }
}
