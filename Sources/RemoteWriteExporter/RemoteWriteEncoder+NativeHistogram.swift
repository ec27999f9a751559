import COTLP
import PrometheusExposition

extension RemoteWriteEncoder {
    /// The `Histogram` message of a series sent as a native histogram, built
    /// in the arena of the series being added.
    ///
    /// Integer counts (`count_int`, `zero_count_int`: the oneof cases must be
    /// set, or protoc-c packs neither) and reset hint UNKNOWN: the data is
    /// cumulative, and Prometheus finds resets by comparing. A stale marker
    /// carries no buckets, the stale NaN as its sum and that NaN's bit
    /// pattern as its count.
    func makeHistogram(
        _ layout: NativeHistogramLayout, count: UInt64, sum: Double?, time: Int64, stale: Bool
    ) -> UnsafeMutablePointer<Prometheus__Histogram> {
        let message = allocate(Prometheus__Histogram.self)
        prometheus__histogram__init(message)
        message.pointee.schema = layout.schema
        message.pointee.zero_threshold = layout.zeroThreshold
        message.pointee.reset_hint = PROMETHEUS__HISTOGRAM__RESET_HINT__UNKNOWN
        message.pointee.timestamp = time
        message.pointee.count_case = PROMETHEUS__HISTOGRAM__COUNT_COUNT_INT
        message.pointee.zero_count_case = PROMETHEUS__HISTOGRAM__ZERO_COUNT_ZERO_COUNT_INT
        if stale {
            message.pointee.sum = Self.staleMarker
            message.pointee.count_int = Self.staleMarker.bitPattern
            message.pointee.zero_count_int = 0
            return message
        }
        message.pointee.sum = sum ?? 0
        message.pointee.count_int = count
        message.pointee.zero_count_int = layout.zeroCount
        (message.pointee.n_positive_spans, message.pointee.positive_spans) = spans(of: layout.positive)
        (message.pointee.n_positive_deltas, message.pointee.positive_deltas) = deltas(of: layout.positive)
        (message.pointee.n_negative_spans, message.pointee.negative_spans) = spans(of: layout.negative)
        (message.pointee.n_negative_deltas, message.pointee.negative_deltas) = deltas(of: layout.negative)
        return message
    }

    private func spans(
        of side: NativeHistogramLayout.Side
    ) -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__BucketSpan>?>?) {
        guard !side.spans.isEmpty else { return (0, nil) }
        let spans = allocate(Prometheus__BucketSpan.self, count: side.spans.count)
        let pointers = allocate(UnsafeMutablePointer<Prometheus__BucketSpan>?.self, count: side.spans.count)
        for (index, span) in side.spans.enumerated() {
            prometheus__bucket_span__init(spans + index)
            spans[index].offset = span.offset
            spans[index].length = span.length
            pointers[index] = spans + index
        }
        return (side.spans.count, pointers)
    }

    private func deltas(of side: NativeHistogramLayout.Side) -> (Int, UnsafeMutablePointer<Int64>?) {
        guard !side.deltas.isEmpty else { return (0, nil) }
        let deltas = allocate(Int64.self, count: side.deltas.count)
        for (index, delta) in side.deltas.enumerated() { deltas[index] = delta }
        return (side.deltas.count, deltas)
    }
}
