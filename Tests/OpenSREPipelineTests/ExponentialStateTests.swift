import OpenSREModel
import OpenSREPipeline
import Testing

/// ExponentialState whatever it is given (the decoder refuses most of these;
/// the state must still never trap nor allocate by distance): issue 10, items 2, 3, 12.
@Suite("Exponential histogram state: overflow-safe and bounded")
struct ExponentialStateTests {
    static func state(scale: Int32 = 0, positive: (Int32, [UInt64]), negative: (Int32, [UInt64]) = (0, []), zero: UInt64 = 0)
        -> ExponentialState
    {
        ExponentialState(
            scale: scale, zeroCount: zero, zeroThreshold: 0, positive: .init(offset: positive.0, counts: positive.1),
            negative: .init(offset: negative.0, counts: negative.1))
    }

    static func point(start: UInt64, time: UInt64, count: UInt64, sum: Double = 1) -> DecodedPoint {
        DecodedPoint(attributesHash: 0, attributes: .empty, startTime: start, time: time, value: sum, count: count, hasSum: true)
    }

    /// Bounds finite and strictly increasing, counts non-decreasing.
    static func isWellFormed(_ lines: [(bound: Double, cumulative: UInt64)]) -> Bool {
        lines.allSatisfy(\.bound.isFinite)
            && zip(lines, lines.dropFirst()).allSatisfy { $0.bound < $1.bound && $0.cumulative <= $1.cumulative }
    }

    @Test("a cumulative point with offset 2^31-1 and two buckets is kept and rendered without overflow")
    func int32EdgeCumulative() {
        var series = SeriesState()
        let outcome = series.applyExponential(
            Self.point(start: 1, time: 2, count: 2), buckets: Self.state(positive: (Int32.max, [1, 1])), delta: false,
            isNew: true)
        #expect(outcome == .applied)
        let lines = series.exponential!.classicBuckets(maximum: 40)
        #expect(Self.isWellFormed(lines))
        // Both buckets are far beyond the largest double: only the +Inf line (the count) holds them.
        #expect(lines.isEmpty)
    }

    @Test("delta points at offsets -2^31 and 2^31-3 merge without overflow into at most 160 buckets")
    func int32EdgeDelta() {
        var series = SeriesState()
        _ = series.applyExponential(
            Self.point(start: 1, time: 2, count: 1), buckets: Self.state(positive: (Int32.min, [1])), delta: true, isNew: true)
        let outcome = series.applyExponential(
            Self.point(start: 2, time: 3, count: 3), buckets: Self.state(positive: (Int32.max - 2, [1, 1, 1])), delta: true,
            isNew: false)
        #expect(outcome == .applied)
        let merged = series.exponential!
        // 2^32 indexes apart: 25 steps coarser, -64 and 63 (past the data model's -10, which valid points never need).
        #expect(merged.scale == -25 && merged.positive.offset == -64 && merged.positive.counts.count == 128)
        #expect(merged.positive.counts.reduce(0, +) == 4 && series.count == 4)
        #expect(Self.isWellFormed(merged.classicBuckets(maximum: 40)))
    }

    @Test("delta points 2^26 and 2^31 buckets apart keep at most 160 buckets, counts exact", arguments: [26, 31])
    func farApartStaysBounded(bits: Int) {
        var series = SeriesState()
        let low = Int32(truncatingIfNeeded: -(1 << (bits - 1)))
        let high = Int32(truncatingIfNeeded: (1 << (bits - 1)) - 1)
        _ = series.applyExponential(
            Self.point(start: 1, time: 2, count: 1), buckets: Self.state(positive: (low, [1])), delta: true, isNew: true)
        _ = series.applyExponential(
            Self.point(start: 2, time: 3, count: 2), buckets: Self.state(positive: (high, [2])), delta: true, isNew: false)
        let merged = series.exponential!
        #expect(merged.positive.counts.count <= ExponentialState.maximumBuckets)
        #expect(merged.positive.counts.first == 1 && merged.positive.counts.last == 2)
        #expect(merged.positive.counts.reduce(0, +) == 3 && series.count == 3 && series.value == 2)
    }

    @Test("one wide point is downscaled on arrival to at most 160 buckets a side, trimmed to its non-zero range")
    func singlePointBounded() {
        var series = SeriesState()
        let counts = [0, 0] + Array(repeating: UInt64(1), count: 1000) + [0]
        _ = series.applyExponential(
            Self.point(start: 1, time: 2, count: 1003), buckets: Self.state(scale: 3, positive: (-2, counts), negative: (5, [0, 3, 0])),
            delta: false, isNew: true)
        let kept = series.exponential!
        // Indexes 0...999 at scale 3 are 0...124 at scale 0 (every 8 merged); the negative side is trimmed to index 6 → 0.
        #expect(kept.scale == 0 && kept.positive.offset == 0 && kept.positive.counts.count == 125)
        #expect(kept.positive.counts.allSatisfy { $0 == 8 })
        #expect(kept.negative.offset == 0 && kept.negative.counts == [3])
    }

    @Test("a histogram already within the bounds is kept as it is")
    func boundedIsIdentity() {
        let state = Self.state(scale: 2, positive: (-3, [1, 0, 2]), negative: (7, [4]), zero: 1)
        #expect(state.bounded() == state)
    }

    @Test("adding: coarser scale first, then downscaled together only as far as the union needs")
    func addingScales() {
        let fine = Self.state(scale: 1, positive: (0, [1, 1]))
        let coarse = Self.state(scale: 0, positive: (1, [2]))
        #expect(fine.adding(coarse) == Self.state(scale: 0, positive: (0, [2, 2])))
        // Two runs of 150 buckets, 10 apart: indexes 0...309 need one step (0...154).
        let left = Self.state(positive: (0, Array(repeating: 1, count: 150)))
        let right = Self.state(positive: (160, Array(repeating: 1, count: 150)))
        let sum = left.adding(right)
        #expect(sum.scale == -1 && sum.positive.offset == 0 && sum.positive.counts.count == 155)
        #expect(sum.positive.counts.reduce(0, +) == 300)
    }

    @Test("bounds that round to 0 or +Inf merge into one line; nothing repeats")
    func classicLinesAtTheEnds() {
        // Negative bucket -1075: its bound -2^-1075 rounds to -0; the zero bucket's bound is 0.
        let nearZero = Self.state(positive: (0, []), negative: (-1075, [1]), zero: 1)
        #expect(nearZero.classicBuckets(maximum: 40).map(\.bound) == [0])
        #expect(nearZero.classicBuckets(maximum: 40).map(\.cumulative) == [2])
        #expect(nearZero.classicBuckets(maximum: 40)[0].bound.sign == .plus)
        // Positive buckets 1022 and 1023: bounds 2^1023 and +Inf (the latter left to the +Inf line).
        let nearInfinity = Self.state(positive: (1022, [1, 1]))
        let lines = nearInfinity.classicBuckets(maximum: 40)
        #expect(lines.map(\.bound) == [0x1p1023] && lines.map(\.cumulative) == [1])
    }
}
