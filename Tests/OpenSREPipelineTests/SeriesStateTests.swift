import OpenSREModel
import OpenSREPipeline
import Testing

@Suite("Aggregation rules of one series")
struct SeriesStateTests {
    @Test("gauge: last value wins; an older point is ignored")
    func gauge() {
        var state = SeriesState()
        #expect(state.applyLatest(value: 5, startTime: 0, time: 100, isNew: true) == .applied)
        #expect(state.applyLatest(value: 7, startTime: 0, time: 200, isNew: false) == .applied)
        #expect(state.applyLatest(value: 1, startTime: 0, time: 150, isNew: false) == .rejectedOutOfOrder)
        #expect(state.value == 7)
    }

    @Test("cumulative sum keeps the latest value; a new start time is a reset taken as it comes")
    func cumulativeReset() {
        var state = SeriesState()
        _ = state.applyLatest(value: 10, startTime: 1, time: 10, isNew: true)
        _ = state.applyLatest(value: 25, startTime: 1, time: 20, isNew: false)
        #expect(state.value == 25 && state.startTime == 1)
        _ = state.applyLatest(value: 3, startTime: 21, time: 30, isNew: false)
        #expect(state.value == 3 && state.startTime == 21 && state.lastTime == 30)
    }

    @Test("delta sum: contiguous points add up, an overlap is rejected, a gap is added across")
    func delta() {
        var state = SeriesState()
        #expect(state.applyDelta(value: 5, startTime: 0, time: 10, isNew: true) == .applied)
        #expect(state.applyDelta(value: 7, startTime: 10, time: 20, isNew: false) == .applied)
        #expect(state.value == 12 && state.startTime == 0 && state.lastTime == 20)
        #expect(state.applyDelta(value: 100, startTime: 15, time: 25, isNew: false) == .rejectedOverlap)
        #expect(state.value == 12)
        // A gap (20 to 40: no measurements) used to reset the total to 9.
        #expect(state.applyDelta(value: 9, startTime: 40, time: 50, isNew: false) == .applied)
        #expect(state.value == 21 && state.startTime == 0 && state.lastTime == 50)
    }

    @Test("delta histogram: buckets, count and sum accumulate; new bounds reset")
    func deltaHistogram() {
        var state = SeriesState()
        let bounds: [Double] = [1, 2]
        func point(start: UInt64, time: UInt64, count: UInt64, sum: Double) -> DecodedPoint {
            DecodedPoint(
                attributesHash: 0, attributes: .empty, startTime: start, time: time, value: sum, count: count,
                hasSum: true)
        }
        _ = state.applyHistogram(
            point(start: 0, time: 10, count: 3, sum: 4), bounds: bounds[...], counts: [1, 1, 1][...], delta: true,
            isNew: true)
        _ = state.applyHistogram(
            point(start: 10, time: 20, count: 2, sum: 1), bounds: bounds[...], counts: [2, 0, 0][...], delta: true,
            isNew: false)
        #expect(state.buckets == [3, 1, 1] && state.count == 5 && state.value == 5)
        #expect(
            state.applyHistogram(
                point(start: 5, time: 30, count: 1, sum: 1), bounds: bounds[...], counts: [1, 0, 0][...], delta: true,
                isNew: false) == .rejectedOverlap)
        _ = state.applyHistogram(
            point(start: 20, time: 30, count: 1, sum: 9), bounds: [5][...], counts: [0, 1][...], delta: true,
            isNew: false)
        #expect(state.bounds == [5] && state.buckets == [0, 1] && state.count == 1 && state.startTime == 20)
    }

    @Test("cumulative histogram replaces buckets, count and sum")
    func cumulativeHistogram() {
        var state = SeriesState()
        let first = DecodedPoint(attributesHash: 0, attributes: .empty, startTime: 1, time: 10, value: 4, count: 3, hasSum: true)
        let second = DecodedPoint(attributesHash: 0, attributes: .empty, startTime: 1, time: 20, value: 6, count: 5, hasSum: false)
        _ = state.applyHistogram(first, bounds: [1][...], counts: [1, 2][...], delta: false, isNew: true)
        _ = state.applyHistogram(second, bounds: [1][...], counts: [2, 3][...], delta: false, isNew: false)
        #expect(state.buckets == [2, 3] && state.count == 5 && !state.hasSum)
    }

    @Test("out-of-line histogram counts and rare fields keep value semantics")
    func copyOnWrite() {
        func point(start: UInt64 = 1, time: UInt64, count: UInt64) -> DecodedPoint {
            DecodedPoint(attributesHash: 0, attributes: .empty, startTime: start, time: time, value: 1, count: count, hasSum: true)
        }
        var state = SeriesState()
        #expect(state == SeriesState() && state.bounds.isEmpty && state.buckets.isEmpty && state.quantiles.isEmpty)
        _ = state.applyHistogram(point(time: 10, count: 3), bounds: [1, 2][...], counts: [1, 1, 1][...], delta: true, isNew: true)
        let copy = state
        _ = state.applyHistogram(point(time: 20, count: 2), bounds: [1, 2][...], counts: [2, 0, 0][...], delta: false, isNew: false)
        #expect(copy.buckets == [1, 1, 1] && state.buckets == [2, 0, 0] && copy != state)
        var delta = copy
        _ = delta.applyHistogram(point(start: 10, time: 20, count: 1), bounds: [1, 2][...], counts: [0, 1, 0][...], delta: true, isNew: false)
        #expect(copy.buckets == [1, 1, 1] && delta.buckets == [1, 2, 1] && Array(delta.buckets) == [1, 2, 1])
        var golden = SeriesState()
        golden.bounds = [5]
        golden.buckets = HistogramCounts([3, 4])
        #expect(golden.bounds == [5] && golden.buckets == [3, 4])
        golden.bounds = []
        golden.buckets = []
        #expect(golden == SeriesState())

        var summary = SeriesState()
        _ = summary.applySummary(point(time: 10, count: 1), quantiles: [0.5, 7][...], isNew: true)
        let kept = summary
        _ = summary.applySummary(point(time: 20, count: 1), quantiles: [0.5, 9][...], isNew: false)
        #expect(kept.quantiles == [0.5, 7] && summary.quantiles == [0.5, 9])
        var empty = SeriesState()
        empty.quantiles = []
        empty.exemplar = nil
        #expect(empty == SeriesState())
    }

    @Test("delta histogram points of the other kind (explicit, exponential) start the series over")
    func deltaHistogramKindSwitch() {
        func point(start: UInt64, time: UInt64, count: UInt64, sum: Double) -> DecodedPoint {
            DecodedPoint(
                attributesHash: 0, attributes: .empty, startTime: start, time: time, value: sum, count: count,
                hasSum: true)
        }
        let exponential = ExponentialState(
            scale: 0, zeroCount: 0, zeroThreshold: 0, positive: .init(offset: 0, counts: [2]),
            negative: .init(offset: 0, counts: []))
        var state = SeriesState()
        _ = state.applyHistogram(
            point(start: 0, time: 10, count: 3, sum: 4), bounds: [1, 2][...], counts: [1, 1, 1][...], delta: true,
            isNew: true)
        #expect(
            state.applyExponential(point(start: 10, time: 20, count: 2, sum: 3), buckets: exponential, delta: true, isNew: false)
                == .applied)
        #expect(state.exponential == exponential && state.bounds.isEmpty && state.buckets.isEmpty)
        #expect(state.count == 2 && state.value == 3 && state.startTime == 10)
        #expect(
            state.applyHistogram(
                point(start: 20, time: 30, count: 1, sum: 1), bounds: [1, 2][...], counts: [1, 0, 0][...], delta: true,
                isNew: false) == .applied)
        #expect(state.exponential == nil && state.bounds == [1, 2] && state.buckets == [1, 0, 0])
        #expect(state.count == 1 && state.value == 1 && state.startTime == 20)
    }

    @Test("a stream's series share one bounds array")
    func sharedBounds() {
        let point = DecodedPoint(attributesHash: 0, attributes: .empty, startTime: 1, time: 10, value: 1, count: 1, hasSum: true)
        let incoming: [Double] = [1, 2]
        var shared: [Double] = []
        var first = SeriesState()
        var second = SeriesState()
        _ = first.applyHistogram(point, bounds: incoming[...], counts: [1, 0, 0][...], delta: false, isNew: true, sharingBounds: &shared)
        _ = second.applyHistogram(point, bounds: incoming[...], counts: [0, 1, 0][...], delta: false, isNew: true, sharingBounds: &shared)
        #expect(first.bounds == [1, 2] && second.bounds == [1, 2] && shared == [1, 2])
        first.bounds.withUnsafeBufferPointer { a in
            second.bounds.withUnsafeBufferPointer { b in #expect(a.baseAddress == b.baseAddress) }
        }
    }
}
