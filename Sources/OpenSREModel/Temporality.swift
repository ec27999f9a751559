/// OTLP `AggregationTemporality`, with the wire values.
package enum Temporality: UInt8, Sendable, Hashable {
    case unspecified = 0
    case delta = 1
    case cumulative = 2
}
