/// OTLP `DataPointFlags`.
package enum DataPointFlags {
    /// The point marks the end of a series (the Prometheus staleness marker).
    package static let noRecordedValue: UInt32 = 1
}
