import Foundation

/// The buckets of an exponential histogram, kept natively (so deltas merge
/// exactly) and turned into classic `le` buckets only when rendered as text.
///
/// Bucket `i` of the positive side counts values in (base^i, base^(i+1)] and
/// of the negative side values in [-base^(i+1), -base^i), base = 2^(2^-scale)
/// (OTLP data model, "ExponentialHistogram").
package struct ExponentialState: Sendable, Equatable {
    package struct Buckets: Sendable, Equatable {
        package var offset: Int32
        package var counts: [UInt64]

        package init(offset: Int32, counts: [UInt64]) {
            self.offset = offset
            self.counts = counts
        }

        /// Merges adjacent buckets: index i becomes i >> `steps` (scale − steps).
        func downscaled(by steps: Int32) -> Buckets {
            guard steps > 0, !counts.isEmpty else { return self }
            let first = offset >> steps
            let last = (offset + Int32(counts.count) - 1) >> steps
            var merged = [UInt64](repeating: 0, count: Int(last - first) + 1)
            for (index, count) in counts.enumerated() {
                merged[Int(((offset + Int32(index)) >> steps) - first)] &+= count
            }
            return Buckets(offset: first, counts: merged)
        }

        func adding(_ other: Buckets) -> Buckets {
            if counts.isEmpty { return other }
            if other.counts.isEmpty { return self }
            let first = min(offset, other.offset)
            let end = max(offset + Int32(counts.count), other.offset + Int32(other.counts.count))
            var sum = [UInt64](repeating: 0, count: Int(end - first))
            for (index, count) in counts.enumerated() { sum[Int(offset - first) + index] &+= count }
            for (index, count) in other.counts.enumerated() { sum[Int(other.offset - first) + index] &+= count }
            return Buckets(offset: first, counts: sum)
        }

        /// The range of indexes that hold a non-zero count.
        var populated: ClosedRange<Int32>? {
            guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 })
            else { return nil }
            return (offset + Int32(first))...(offset + Int32(last))
        }
    }

    package var scale: Int32
    package var zeroCount: UInt64
    package var zeroThreshold: Double
    package var positive: Buckets
    package var negative: Buckets

    package init(scale: Int32, zeroCount: UInt64, zeroThreshold: Double, positive: Buckets, negative: Buckets) {
        self.scale = scale
        self.zeroCount = zeroCount
        self.zeroThreshold = zeroThreshold
        self.positive = positive
        self.negative = negative
    }

    func downscaled(by steps: Int32) -> ExponentialState {
        ExponentialState(
            scale: scale - steps, zeroCount: zeroCount, zeroThreshold: zeroThreshold,
            positive: positive.downscaled(by: steps), negative: negative.downscaled(by: steps))
    }

    /// The sum of two histograms (delta accumulation): both are brought to the
    /// coarser scale first; the wider zero threshold is kept.
    func adding(_ other: ExponentialState) -> ExponentialState {
        let scale = min(self.scale, other.scale)
        let left = downscaled(by: self.scale - scale)
        let right = other.downscaled(by: other.scale - scale)
        return ExponentialState(
            scale: scale, zeroCount: left.zeroCount &+ right.zeroCount,
            zeroThreshold: max(left.zeroThreshold, right.zeroThreshold),
            positive: left.positive.adding(right.positive), negative: left.negative.adding(right.negative))
    }

    /// Classic cumulative buckets (upper bound, count at or below it), without
    /// `+Inf`, at most `maximum` of them: the histogram is downscaled (adjacent
    /// buckets merged) until its populated buckets fit.
    package func classicBuckets(maximum: Int) -> [(bound: Double, cumulative: UInt64)] {
        var state = self
        while state.scale > -10, state.span > max(maximum - 1, 1) {
            state = state.downscaled(by: 1)
        }
        var result: [(bound: Double, cumulative: UInt64)] = []
        var cumulative: UInt64 = 0
        if let range = state.negative.populated {
            for index in range.reversed() {
                cumulative &+= state.negative.counts[Int(index - state.negative.offset)]
                result.append((-state.power(index), cumulative))
            }
        }
        if state.zeroCount > 0 || state.negative.populated != nil {
            cumulative &+= state.zeroCount
            result.append((state.zeroThreshold, cumulative))
        }
        if let range = state.positive.populated {
            for index in range {
                cumulative &+= state.positive.counts[Int(index - state.positive.offset)]
                result.append((state.power(index + 1), cumulative))
            }
        }
        return result
    }

    /// Buckets needed to show both sides' populated ranges.
    private var span: Int {
        let negative = self.negative.populated.map { Int($0.upperBound - $0.lowerBound) + 1 } ?? 0
        let positive = self.positive.populated.map { Int($0.upperBound - $0.lowerBound) + 1 } ?? 0
        return negative + positive
    }

    /// base^index = 2^(index · 2^-scale).
    private func power(_ index: Int32) -> Double {
        exp2(Double(index) * exp2(-Double(scale)))
    }
}
