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
