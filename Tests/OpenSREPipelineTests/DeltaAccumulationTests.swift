import OpenSREModel
import OpenSREPipeline
import Testing

/// Delta → cumulative across idle intervals: a delta SDK sends no point for an
/// export interval without measurements, so the next point starts after the
/// previous one ended. That gap is added across, as the Collector's
/// deltatocumulative processor does (issue 10, item 7).
@Suite("Delta accumulation across gaps and restarts")
struct DeltaAccumulationTests {
    /// add(5) in (100, 110], three idle intervals, add(1) in (140, 150], add(1) in (150, 160].
    static let idleScenario: [(start: UInt64, end: UInt64, value: Double)] = [(100, 110, 5), (140, 150, 1), (150, 160, 1)]

    func point(start: UInt64, time: UInt64, count: UInt64, sum: Double) -> DecodedPoint {
        DecodedPoint(
            attributesHash: 0, attributes: .empty, startTime: start, time: time, value: sum, count: count, hasSum: true)
    }

    @Test("delta sum: 5, three idle intervals, 1, 1 reads 5, 6, 7 and keeps the first start")
    func sumAcrossGap() {
        var state = SeriesState()
        var totals: [Double] = []
        for (index, step) in Self.idleScenario.enumerated() {
            #expect(state.applyDelta(value: step.value, startTime: step.start, time: step.end, isNew: index == 0) == .applied)
            totals.append(state.value)
        }
        #expect(totals == [5, 6, 7])
        #expect(state.startTime == 100 && state.lastTime == 160)
    }

    @Test("delta explicit histogram: buckets, count and sum add across a gap")
    func histogramAcrossGap() {
        var state = SeriesState()
        let bounds: [Double] = [1, 10]
        let counts: [[UInt64]] = [[5, 0, 0], [0, 1, 0], [0, 0, 1]]
        var seen: [[UInt64]] = []
        for (index, step) in Self.idleScenario.enumerated() {
            let outcome = state.applyHistogram(
                point(start: step.start, time: step.end, count: UInt64(step.value), sum: step.value),
                bounds: bounds[...], counts: counts[index][...], delta: true, isNew: index == 0)
            #expect(outcome == .applied)
            seen.append(Array(state.buckets))
        }
        #expect(seen == [[5, 0, 0], [5, 1, 0], [5, 1, 1]])
        #expect(state.count == 7 && state.value == 7 && state.startTime == 100 && state.lastTime == 160)
    }

    @Test("delta exponential histogram: buckets, count and sum add across a gap")
    func exponentialAcrossGap() {
        var state = SeriesState()
        let offsets: [Int32] = [0, 1, 0]
        var counts: [UInt64] = []
        for (index, step) in Self.idleScenario.enumerated() {
            let buckets = ExponentialState(
                scale: 0, zeroCount: 0, zeroThreshold: 0,
                positive: .init(offset: offsets[index], counts: [UInt64(step.value)]), negative: .init(offset: 0, counts: []))
            let outcome = state.applyExponential(
                point(start: step.start, time: step.end, count: UInt64(step.value), sum: step.value), buckets: buckets,
                delta: true, isNew: index == 0)
            #expect(outcome == .applied)
            counts.append(state.count)
        }
        #expect(counts == [5, 6, 7])
        #expect(state.exponential?.positive.counts == [6, 1] && state.value == 7 && state.startTime == 100)
    }

    @Test("an app restart under delta (a later start) keeps adding")
    func restartKeepsAdding() {
        var state = SeriesState()
        _ = state.applyDelta(value: 5, startTime: 100, time: 110, isNew: true)
        _ = state.applyDelta(value: 2, startTime: 110, time: 120, isNew: false)
        // The process restarts at 500 (its new start time); its first export ends at 510.
        #expect(state.applyDelta(value: 3, startTime: 500, time: 510, isNew: false) == .applied)
        #expect(state.value == 10 && state.startTime == 100 && state.lastTime == 510)
    }
}
