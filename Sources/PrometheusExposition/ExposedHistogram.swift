/// A classic histogram as Prometheus exposes it: cumulative counts per finite
/// upper bound (`le`), then the total count for `+Inf`.
///
/// Cumulative, because both the text format and remote write's classic
/// histograms are; exponential histograms are handed over as the classic
/// buckets the text format shows them with, and also whole in ``native``.
package struct ExposedHistogram: Sendable, Equatable {
    /// Finite upper bounds, ascending.
    package var bounds: [Double]
    /// Observations at or below each bound (as many as `bounds`).
    package var cumulativeCounts: [UInt64]
    /// All observations (the `+Inf` bucket and `_count`).
    package var count: UInt64
    /// The sum of observations; nil when the source had none (no `_sum` line).
    package var sum: Double?
    /// Per bucket, `+Inf` last (`bounds.count + 1` entries), or empty: the
    /// latest exemplar of each bucket (written in OpenMetrics only).
    package var exemplars: [RenderedExemplar?]
    /// The exponential histogram these classic buckets approximate, for
    /// consumers that send it as it is (remote write's native histograms);
    /// nil for an explicit-bucket histogram. The text formats ignore it.
    package var native: ExposedNativeHistogram?

    package init(
        bounds: [Double], cumulativeCounts: [UInt64], count: UInt64, sum: Double?, exemplars: [RenderedExemplar?] = []
    ) {
        precondition(bounds.count == cumulativeCounts.count, "one cumulative count per bound")
        self.bounds = bounds
        self.cumulativeCounts = cumulativeCounts
        self.count = count
        self.sum = sum
        self.exemplars = exemplars
    }

    /// A histogram from per-bucket counts (`bounds.count + 1` of them, `+Inf`
    /// last, as OpenTelemetry sends them), accumulated with wrapping
    /// arithmetic so that counts past `UInt64.max` cannot trap.
    package init(bounds: [Double], bucketCounts: [UInt64], count: UInt64, sum: Double?) {
        var running: UInt64 = 0
        var cumulative: [UInt64] = []
        cumulative.reserveCapacity(bounds.count)
        for index in bounds.indices {
            running &+= index < bucketCounts.count ? bucketCounts[index] : 0
            cumulative.append(running)
        }
        self.init(bounds: bounds, cumulativeCounts: cumulative, count: count, sum: sum)
    }

    /// The per-bucket counts (`bounds.count + 1`, `+Inf` last) these
    /// cumulative counts came from; the inverse of
    /// ``init(bounds:bucketCounts:count:sum:)`` (wrapping, like it).
    package var bucketCounts: [UInt64] {
        var counts: [UInt64] = []
        counts.reserveCapacity(bounds.count + 1)
        var previous: UInt64 = 0
        for cumulative in cumulativeCounts {
            counts.append(cumulative &- previous)
            previous = cumulative
        }
        counts.append(count &- previous)
        return counts
    }
}
