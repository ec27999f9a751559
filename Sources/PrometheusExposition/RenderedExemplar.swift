/// An exemplar ready to be written after an OpenMetrics sample.
package struct RenderedExemplar: Sendable, Equatable {
    /// `trace_id="…",span_id="…",…` (at most 128 characters of names and values).
    package var labels: [UInt8]
    package var value: Double
    /// Unix nanoseconds; 0 for none.
    package var time: UInt64

    package init(labels: [UInt8], value: Double, time: UInt64) {
        self.labels = labels
        self.value = value
        self.time = time
    }
}
