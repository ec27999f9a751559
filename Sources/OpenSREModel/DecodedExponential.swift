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
