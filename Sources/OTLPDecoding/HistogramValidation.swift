/// Checks an explicit-bucket histogram point against the OTLP data model
/// before it is accepted, so that the exposition is always consistent
/// (`le="+Inf"` equals `_count`, buckets in increasing order).
enum HistogramValidation {
    /// A reason to reject the point, or nil when it is well formed.
    static func problem(
        bounds: UnsafeBufferPointer<Double>, buckets: UnsafeBufferPointer<UInt64>, count: UInt64
    ) -> String? {
        if buckets.isEmpty {
            return bounds.isEmpty ? nil : "histogram point has explicit bounds but no bucket counts"
        }
        guard buckets.count == bounds.count + 1 else {
            return "histogram point has \(buckets.count) bucket counts for \(bounds.count) bounds (expected bounds + 1)"
        }
        var previous = -Double.infinity
        for bound in bounds {
            guard bound.isFinite, bound > previous else {
                return "histogram point bounds are not finite and strictly increasing"
            }
            previous = bound
        }
        var total: UInt64 = 0
        for bucket in buckets {
            let (sum, overflow) = total.addingReportingOverflow(bucket)
            guard !overflow else { return "histogram point bucket counts overflow" }
            total = sum
        }
        guard total == count else {
            return "histogram point bucket counts add up to \(total) but count is \(count)"
        }
        return nil
    }
}

/// Checks an exponential-histogram point (OTLP data model) before it is accepted.
enum ExponentialHistogramValidation {
    /// Scales OpenSRE can convert to classic buckets (as Prometheus accepts for native histograms).
    static let scales: ClosedRange<Int32> = -10...20

    static func problem(
        scale: Int32, hasSum: Bool, zeroThreshold: Double, zeroCount: UInt64,
        positive: UnsafeBufferPointer<UInt64>, negative: UnsafeBufferPointer<UInt64>, count: UInt64
    ) -> String? {
        // The compatibility spec: an exponential histogram without a sum MUST be dropped.
        guard hasSum else { return "exponential histogram point has no sum" }
        guard scales.contains(scale) else {
            return "exponential histogram scale \(scale) is outside \(scales.lowerBound)...\(scales.upperBound)"
        }
        guard zeroThreshold.isFinite, zeroThreshold >= 0 else {
            return "exponential histogram zero threshold is not a finite non-negative number"
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
}
