/// Checks an exponential-histogram point (OTLP data model) before it is accepted.
enum ExponentialHistogramValidation {
    /// Scales OpenSRE can convert to classic buckets (as Prometheus accepts for native histograms).
    static let scales: ClosedRange<Int32> = -10...20

    static func problem(
        scale: Int32, hasSum: Bool, zeroThreshold: Double, zeroCount: UInt64,
        positiveOffset: Int32, positive: UnsafeBufferPointer<UInt64>,
        negativeOffset: Int32, negative: UnsafeBufferPointer<UInt64>, count: UInt64
    ) -> String? {
        // The compatibility spec: an exponential histogram without a sum MUST be dropped.
        guard hasSum else { return "exponential histogram point has no sum" }
        guard scales.contains(scale) else {
            return "exponential histogram scale \(scale) is outside \(scales.lowerBound)...\(scales.upperBound)"
        }
        guard zeroThreshold.isFinite, zeroThreshold >= 0 else {
            return "exponential histogram zero threshold is not a finite non-negative number"
        }
        if let problem = indexProblem("positive", offset: positiveOffset, count: positive.count, scale: scale) {
            return problem
        }
        if let problem = indexProblem("negative", offset: negativeOffset, count: negative.count, scale: scale) {
            return problem
        }
        var total = zeroCount
        for bucket in positive {
            let (sum, overflow) = total.addingReportingOverflow(bucket)
            guard !overflow else { return "exponential histogram bucket counts overflow" }
            total = sum
        }
        for bucket in negative {
            let (sum, overflow) = total.addingReportingOverflow(bucket)
            guard !overflow else { return "exponential histogram bucket counts overflow" }
            total = sum
        }
        guard total == count else {
            return "exponential histogram bucket counts add up to \(total) but count is \(count)"
        }
        return nil
    }

    /// The bucket indexes that can hold a finite, non-zero double at `scale`
    /// (one of ``scales``): from the bucket of the smallest subnormal, 2^-1074,
    /// to that of the largest double, just under 2^1024. Bucket i holds
    /// (base^i, base^(i+1)] with base = 2^(2^-scale), so it can hold a double
    /// when (i+1)·2^-scale ≥ -1074 and i·2^-scale < 1024.
    ///
    /// A point with buckets outside is refused: no measurement can fall there,
    /// its bounds are 0 or +Inf in any text format, and its offsets may sit at
    /// the ends of Int32 (where offset + bucket count overflows). Within this
    /// range any two points of a series fit 160 buckets once downscaled to
    /// scale -4 or above, so a delta merge never needs more memory than that.
    static func indexes(scale: Int32) -> ClosedRange<Int64> {
        scale >= 0
            ? (-(1074 << Int64(scale)) - 1)...((1024 << Int64(scale)) - 1)
            : (-(1074 >> Int64(-scale)) - 1)...((1024 >> Int64(-scale)) - 1)
    }

    /// Why one side's buckets cannot be represented, or nil when they can.
    private static func indexProblem(_ side: String, offset: Int32, count: Int, scale: Int32) -> String? {
        guard count > 0 else { return nil }
        let valid = indexes(scale: scale)
        let first = Int64(offset)
        let last = first + Int64(count) - 1
        guard valid.contains(first), valid.contains(last) else {
            return "exponential histogram \(side) bucket indexes \(first)...\(last) are outside "
                + "\(valid.lowerBound)...\(valid.upperBound), the range of double values at scale \(scale)"
        }
        return nil
    }
}
