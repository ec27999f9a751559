/// The decoded content of one export request, as handed from an event loop
/// to the batching processor through a ring.
///
/// Everything variable-length lives in four flat arrays, so a request of any
/// size costs a handful of allocations, never one per data point. The batch is
/// immutable once built and is shared, not copied, across threads.
package final class DecodedBatch: Sendable {
    /// Canonical attribute encodings, names, units and descriptions.
    package let bytes: [UInt8]
    /// One entry per metric inside a scope inside a resource, in request order.
    package let streams: [DecodedStream]
    /// All data points; each stream owns a contiguous run.
    package let points: [DecodedPoint]
    /// Histogram explicit bounds, and summary (quantile, value) pairs.
    package let doubles: [Double]
    /// Histogram bucket counts (explicit and exponential).
    package let counts: [UInt64]
    /// Exemplars of all points; each point owns a contiguous run.
    package let exemplars: [DecodedExemplar]
    /// Layouts of exponential-histogram points.
    package let exponentials: [DecodedExponential]

    package init(
        bytes: [UInt8], streams: [DecodedStream], points: [DecodedPoint],
        doubles: [Double], counts: [UInt64], exemplars: [DecodedExemplar] = [],
        exponentials: [DecodedExponential] = []
    ) {
        self.bytes = bytes
        self.streams = streams
        self.points = points
        self.doubles = doubles
        self.counts = counts
        self.exemplars = exemplars
        self.exponentials = exponentials
    }

    /// Number of data points in the batch.
    package var pointCount: Int { points.count }
}
