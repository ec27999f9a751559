/// An exponential histogram kept whole (OpenTelemetry's layout), for the
/// consumers that can carry it without loss: remote write sends it as a
/// Prometheus native histogram. The text formats cannot, and show the classic
/// buckets of the ``ExposedHistogram`` that holds it instead.
///
/// Indexing is OTLP's ("ExponentialHistogram" in the data model): positive
/// bucket `i` counts values in (base^i, base^(i+1)], negative bucket `i`
/// values in [-base^(i+1), -base^i), base = 2^(2^-scale). The count and sum
/// are the holding histogram's.
package struct ExposedNativeHistogram: Sendable, Equatable {
    /// Consecutive buckets of one side: `counts[0]` is bucket `offset`.
    package struct Buckets: Sendable, Equatable {
        /// Index of `counts[0]`; Int64, so that index arithmetic on it cannot overflow.
        package var offset: Int64
        package var counts: [UInt64]

        package init(offset: Int64, counts: [UInt64]) {
            self.offset = offset
            self.counts = counts
        }
    }

    package var scale: Int32
    /// Values whose magnitude is at most this are counted in `zeroCount`.
    package var zeroThreshold: Double
    package var zeroCount: UInt64
    package var positive: Buckets
    package var negative: Buckets

    package init(scale: Int32, zeroThreshold: Double, zeroCount: UInt64, positive: Buckets, negative: Buckets) {
        self.scale = scale
        self.zeroThreshold = zeroThreshold
        self.zeroCount = zeroCount
        self.positive = positive
        self.negative = negative
    }
}
