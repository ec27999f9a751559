/// The OTLP metric data types (the `data` oneof of `Metric`).
package enum MetricKind: UInt8, Sendable, Hashable {
    case gauge
    case sum
    case histogram
    case exponentialHistogram
    case summary
}

/// OTLP `AggregationTemporality`, with the wire values.
package enum Temporality: UInt8, Sendable, Hashable {
    case unspecified = 0
    case delta = 1
    case cumulative = 2
}

/// OTLP `DataPointFlags`.
package enum DataPointFlags {
    /// The point marks the end of a series (the Prometheus staleness marker).
    package static let noRecordedValue: UInt32 = 1
}
