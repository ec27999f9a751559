/// The OTLP metric data types (the `data` oneof of `Metric`).
package enum MetricKind: UInt8, Sendable, Hashable {
    case gauge
    case sum
    case histogram
    case exponentialHistogram
    case summary
}
