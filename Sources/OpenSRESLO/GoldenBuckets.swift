import OpenSREModel

/// The golden signals' latency buckets: the OpenTelemetry HTTP semantic
/// conventions' advisory boundaries (5 ms to 10 s). Kept here, below the
/// pipeline, because the golden signals, the hourly baseline and
/// ``SLOSuggestion`` must agree on them (a suggested latency bound is one of
/// them, so the app's histogram has it as a bucket bound).
package enum GoldenBuckets {
    /// Upper bounds in seconds; a 15th bucket, `+Inf`, follows.
    package static let boundaries = HTTPDurationBuckets.seconds

    /// Buckets per histogram: the boundaries and `+Inf`.
    package static let count = boundaries.count + 1

    /// The `q` quantile of counts in the golden buckets (not cumulative),
    /// interpolated linearly inside its bucket (from 0 in the first) as
    /// Prometheus' `histogram_quantile` does; in `+Inf`, the highest finite
    /// bound. Nil without observations.
    package static func quantile(_ q: Double, buckets: [UInt64]) -> Double? {
        let total = buckets.reduce(0, &+)
        guard total > 0 else { return nil }
        let rank = q * Double(total)
        // Counted in Double: wrapped (absurd) counts give an absurd answer, never a trap.
        var below = 0.0
        for (index, count) in buckets.enumerated() {
            if below + Double(count) >= rank, count > 0 {
                guard index < boundaries.count else { return boundaries.last }
                let lower = index == 0 ? 0 : boundaries[index - 1]
                return lower + (boundaries[index] - lower) * (rank - below) / Double(count)
            }
            below += Double(count)
        }
        return boundaries.last
    }
}
