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
