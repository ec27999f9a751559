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

/// One metric of one scope of one resource: the unit a processor finds (or
/// creates) once per request, before it looks up the series of each point.
package struct DecodedStream: Sendable {
    /// Hash of `key`, computed by the decoder.
    package var identityHash: UInt64
    /// Resource attributes, scope name, version and attributes, and metric
    /// name, each length-prefixed (what SLO series keys are made from).
    package var identity: SliceRange
    /// The stream's key: `identity`, then the point kind, temporality,
    /// monotonicity and `prometheus.type=unknown` mark (a byte each) and the
    /// unit (length-prefixed). The OpenTelemetry data model ("OpenTelemetry
    /// Protocol data model") counts the point kind, unit, temporality and
    /// monotonicity as identifying: a name sent again as another kind is
    /// another metric, whose points must not be folded by the first one's rules.
    package var key: SliceRange
    package var resource: SliceRange
    package var scopeName: SliceRange
    package var scopeVersion: SliceRange
    package var scopeAttributes: SliceRange
    package var scopeSchemaURL: SliceRange
    package var name: SliceRange
    package var description: SliceRange
    package var unit: SliceRange
    package var kind: MetricKind
    package var temporality: Temporality
    package var isMonotonic: Bool
    /// A gauge whose metric metadata says `prometheus.type` = `unknown` (it
    /// came from an untyped Prometheus metric): exposed as untyped, as the
    /// compatibility spec and the Collector's exporter do.
    package var isPrometheusUnknown: Bool = false
    /// The stream's points: `points[firstPoint ..< firstPoint + pointCount]`.
    package var firstPoint: Int32
    package var pointCount: Int32

    package var pointRange: Range<Int> { Int(firstPoint)..<Int(firstPoint) + Int(pointCount) }
}

/// One data point of any kind; fields that a kind does not use are zero.
package struct DecodedPoint: Sendable {
    /// Hash of the point's canonical attribute bytes.
    package var attributesHash: UInt64
    package var attributes: SliceRange
    package var startTime: UInt64
    package var time: UInt64
    /// Number value (gauge, sum), or the sum of a histogram or summary.
    package var value: Double
    /// Observation count of a histogram or summary.
    package var count: UInt64
    package var flags: UInt32
    /// Whether a histogram carried its optional sum.
    package var hasSum: Bool
    /// Explicit bounds (histogram) or interleaved quantile/value pairs (summary) in `doubles`.
    package var doubles: SliceRange
    /// Bucket counts (histogram) in `counts`.
    package var counts: SliceRange
    /// The point's exemplars in `exemplars`.
    package var exemplars: SliceRange = .empty
    /// Index in `exponentials` of an exponential-histogram point's layout.
    package var exponential: Int32 = -1

    package init(
        attributesHash: UInt64, attributes: SliceRange, startTime: UInt64, time: UInt64,
        value: Double, count: UInt64 = 0, flags: UInt32 = 0, hasSum: Bool = false,
        doubles: SliceRange = .empty, counts: SliceRange = .empty
    ) {
        self.attributesHash = attributesHash
        self.attributes = attributes
        self.startTime = startTime
        self.time = time
        self.value = value
        self.count = count
        self.flags = flags
        self.hasSum = hasSum
        self.doubles = doubles
        self.counts = counts
    }
}

/// An exemplar: one raw measurement with the trace it was recorded in.
package struct DecodedExemplar: Sendable {
    package var value: Double
    package var time: UInt64
    /// 16 bytes in `bytes`, or empty.
    package var traceID: SliceRange
    /// 8 bytes in `bytes`, or empty.
    package var spanID: SliceRange
    /// Canonical attribute bytes of the filtered attributes.
    package var filteredAttributes: SliceRange

    package init(value: Double, time: UInt64, traceID: SliceRange, spanID: SliceRange, filteredAttributes: SliceRange) {
        self.value = value
        self.time = time
        self.traceID = traceID
        self.spanID = spanID
        self.filteredAttributes = filteredAttributes
    }
}

/// The bucket layout of an exponential-histogram point (OTLP
/// `ExponentialHistogramDataPoint`): bucket `i` of a side holds the values whose
/// magnitude is in (base^(offset+i), base^(offset+i+1)], base = 2^(2^-scale).
package struct DecodedExponential: Sendable {
    package var scale: Int32
    package var zeroCount: UInt64
    package var zeroThreshold: Double
    package var positiveOffset: Int32
    /// Positive bucket counts in `counts`.
    package var positive: SliceRange
    package var negativeOffset: Int32
    /// Negative bucket counts in `counts`.
    package var negative: SliceRange

    package init(
        scale: Int32, zeroCount: UInt64, zeroThreshold: Double, positiveOffset: Int32, positive: SliceRange,
        negativeOffset: Int32, negative: SliceRange
    ) {
        self.scale = scale
        self.zeroCount = zeroCount
        self.zeroThreshold = zeroThreshold
        self.positiveOffset = positiveOffset
        self.positive = positive
        self.negativeOffset = negativeOffset
        self.negative = negative
    }
}
