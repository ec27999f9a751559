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
