import Foundation

/// The buckets of an exponential histogram, kept natively (so deltas merge
/// exactly) and turned into classic `le` buckets only when rendered as text.
///
/// Bucket `i` of the positive side counts values in (base^i, base^(i+1)] and
/// of the negative side values in [-base^(i+1), -base^i), base = 2^(2^-scale)
/// (OTLP data model, "ExponentialHistogram").
///
/// Bounded: each side keeps at most ``maximumBuckets`` buckets, trimmed to
/// its non-zero range. A wider point, or a merge of two points far apart, is
/// downscaled first (the data model's own way to cover more range with fewer
/// buckets), and memory is allocated for the result only, never by the
/// distance between indexes. Index arithmetic is done in Int64, where OTLP's
/// Int32 offsets plus any array length cannot overflow.
package struct ExponentialState: Sendable, Equatable {
    /// Most buckets one side keeps: 160, the OpenTelemetry SDKs' default
    /// `max_size`, which is also the bound the Collector's deltatocumulative
    /// processor merges under.
    package static let maximumBuckets = 160
    /// The coarsest scale of the data model. Points the decoder accepts (their
    /// indexes within the range of double values, see
    /// `ExponentialHistogramValidation`) always fit ``maximumBuckets`` at -4 or
    /// above; anything else is downscaled further rather than trapping.
    package static let minimumScale: Int32 = -10

    package struct Buckets: Sendable, Equatable {
        /// Index of `counts[0]`: an OTLP Int32 offset, moved by at most the
        /// length of an array (trimming), so Int64 arithmetic on it is safe.
        package private(set) var offset: Int64
        package private(set) var counts: [UInt64]

        /// Buckets as OTLP sends them.
        package init(offset: Int32, counts: [UInt64]) {
            self.init(index: Int64(offset), counts: counts)
        }

        init(index offset: Int64, counts: [UInt64]) {
            self.offset = offset
            self.counts = counts
        }

        /// No buckets.
        static let empty = Buckets(index: 0, counts: [])

        /// Whether these buckets are exactly `range` (trimmed to it).
        func isExactly(_ range: ClosedRange<Int64>?) -> Bool {
            guard let range else { return counts.isEmpty }
            return range.lowerBound == offset && range.upperBound - range.lowerBound + 1 == Int64(counts.count)
        }

        /// The range of indexes that hold a non-zero count.
        package var populated: ClosedRange<Int64>? {
            guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 })
            else { return nil }
            return (offset + Int64(first))...(offset + Int64(last))
        }

        /// Adds these buckets, `steps` scales coarser (index i lands in
        /// i >> steps), into `target`, whose first index is `first`.
        func add(into target: inout [UInt64], first: Int64, steps: Int) {
            for (position, count) in counts.enumerated() where count > 0 {
                target[Int(((offset + Int64(position)) >> steps) - first)] &+= count
            }
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

    /// This histogram within the bounds: each side trimmed to its non-zero
    /// buckets and downscaled until it holds at most ``maximumBuckets``.
    package func bounded() -> ExponentialState {
        merged(with: nil)
    }

    /// The sum of two histograms (delta accumulation), within the bounds:
    /// both are brought to the coarser scale, then downscaled together until
    /// the union of each side fits; the wider zero threshold is kept.
    package func adding(_ other: ExponentialState) -> ExponentialState {
        merged(with: other)
    }

    /// The merge behind ``bounded()`` and ``adding(_:)``: the target scale is
    /// found from the populated ranges alone, then one array per side is
    /// allocated at its final size.
    private func merged(with other: ExponentialState?) -> ExponentialState {
        let common = min(scale, other?.scale ?? scale)
        let ownSteps = Int(Int64(scale) - Int64(common))
        let otherSteps = other.map { Int(Int64($0.scale) - Int64(common)) } ?? 0
        let positiveRange = Self.union(positive.populated, ownSteps, other?.positive.populated, otherSteps)
        let negativeRange = Self.union(negative.populated, ownSteps, other?.negative.populated, otherSteps)
        let extra = max(Self.stepsToFit(positiveRange), Self.stepsToFit(negativeRange))
        if other == nil, extra == 0, positive.isExactly(positiveRange), negative.isExactly(negativeRange) {
            return self  // already trimmed and within bounds: nothing to copy
        }
        func side(_ range: ClosedRange<Int64>?, _ own: Buckets, _ others: Buckets?) -> Buckets {
            guard let range else { return .empty }
            let first = range.lowerBound >> extra
            var counts = [UInt64](repeating: 0, count: Int((range.upperBound >> extra) - first) + 1)
            own.add(into: &counts, first: first, steps: ownSteps + extra)
            others?.add(into: &counts, first: first, steps: otherSteps + extra)
            return Buckets(index: first, counts: counts)
        }
        return ExponentialState(
            scale: Int32(clamping: Int64(common) - Int64(extra)),
            zeroCount: zeroCount &+ (other?.zeroCount ?? 0),
            zeroThreshold: other.map { max(zeroThreshold, $0.zeroThreshold) } ?? zeroThreshold,
            positive: side(positiveRange, positive, other?.positive),
            negative: side(negativeRange, negative, other?.negative))
    }

    /// The populated indexes of both operands at the common scale.
    private static func union(
        _ left: ClosedRange<Int64>?, _ leftSteps: Int, _ right: ClosedRange<Int64>?, _ rightSteps: Int
    ) -> ClosedRange<Int64>? {
        let left = left.map { ($0.lowerBound >> leftSteps)...($0.upperBound >> leftSteps) }
        let right = right.map { ($0.lowerBound >> rightSteps)...($0.upperBound >> rightSteps) }
        guard let left else { return right }
        guard let right else { return left }
        return min(left.lowerBound, right.lowerBound)...max(left.upperBound, right.upperBound)
    }

    /// The fewest downscaling steps after which `range` spans at most
    /// ``maximumBuckets`` indexes (at most 63: every Int64 is then 0 or -1).
    private static func stepsToFit(_ range: ClosedRange<Int64>?) -> Int {
        guard let range else { return 0 }
        var steps = 0
        while (range.upperBound >> steps) - (range.lowerBound >> steps) >= Int64(maximumBuckets) { steps += 1 }
        return steps
    }

    /// Classic cumulative buckets (upper bound, count at or below it), without
    /// `+Inf`, at most `maximum` of them: the histogram is downscaled (adjacent
    /// buckets merged) until its populated buckets fit, down to the data
    /// model's coarsest scale.
    ///
    /// The bounds are strictly increasing and finite, as Prometheus requires:
    /// a bucket whose bound is +Inf in Double (beyond the largest double) is
    /// left to the `+Inf` line, and one whose bound is not above the previous
    /// line's (a bound that rounds to 0 or -0 next to the zero bucket, or
    /// buckets within the zero threshold) is counted in that line, which holds
    /// all of its values.
    package func classicBuckets(maximum: Int) -> [(bound: Double, cumulative: UInt64)] {
        var steps = 0
        while Int64(scale) - Int64(steps) > Int64(Self.minimumScale), span(after: steps) > max(maximum - 1, 1) {
            steps += 1
        }
        let state = steps > 0 ? downscaled(by: steps) : self
        var lines = ClassicLines()
        if let range = state.negative.populated {
            for index in range.reversed() {
                lines.add(bound: -state.power(index), count: state.negative.counts[Int(index - state.negative.offset)])
            }
        }
        if state.zeroCount > 0 || state.negative.populated != nil {
            lines.add(bound: state.zeroThreshold, count: state.zeroCount)
        }
        if let range = state.positive.populated {
            for index in range {
                lines.add(bound: state.power(index + 1), count: state.positive.counts[Int(index - state.positive.offset)])
            }
        }
        return lines.result
    }

    /// Classic lines under construction, kept strictly increasing and finite.
    private struct ClassicLines {
        var result: [(bound: Double, cumulative: UInt64)] = []
        var cumulative: UInt64 = 0

        mutating func add(bound: Double, count: UInt64) {
            cumulative &+= count
            let bound = bound == 0 ? 0 : bound  // -0 is written "-0": one zero line only
            if let last = result.last, !(bound > last.bound) {
                result[result.count - 1].cumulative = cumulative
            } else if bound.isFinite {
                result.append((bound, cumulative))
            }
        }
    }

    /// This histogram `steps` scales coarser (adjacent buckets merged).
    private func downscaled(by steps: Int) -> ExponentialState {
        func side(_ buckets: Buckets) -> Buckets {
            guard let range = buckets.populated else { return .empty }
            let first = range.lowerBound >> steps
            var counts = [UInt64](repeating: 0, count: Int((range.upperBound >> steps) - first) + 1)
            buckets.add(into: &counts, first: first, steps: steps)
            return Buckets(index: first, counts: counts)
        }
        return ExponentialState(
            scale: Int32(clamping: Int64(scale) - Int64(steps)), zeroCount: zeroCount, zeroThreshold: zeroThreshold,
            positive: side(positive), negative: side(negative))
    }

    /// Buckets needed to show both sides' populated ranges `steps` scales coarser.
    private func span(after steps: Int) -> Int {
        func width(_ range: ClosedRange<Int64>?) -> Int {
            range.map { Int((($0.upperBound >> steps) - ($0.lowerBound >> steps)) + 1) } ?? 0
        }
        return width(negative.populated) + width(positive.populated)
    }

    /// base^index = 2^(index · 2^-scale); 0 or +Inf where Double ends.
    private func power(_ index: Int64) -> Double {
        exp2(Double(index) * exp2(-Double(scale)))
    }
}
