import OpenSREModel
import PrometheusExposition

/// The aggregated value of one series, and the rules that fold points into it.
///
/// Rules (OpenTelemetry metrics data model, "Sums: Delta-to-Cumulative"):
/// - gauge, cumulative sum, cumulative histogram, summary: the newest point
///   replaces the value; a point older than the one held is ignored. A new
///   start time on a cumulative point is a reset and is taken as it comes.
/// - delta sum and delta histogram: accumulated into a cumulative value. A point
///   whose start time equals the end time of the last one (contiguous) is added;
///   one that starts later (a gap) resets the total and starts a new cumulative
///   stream at its start time; one that starts earlier (an overlap) would count
///   the same events twice and is rejected. A start time of 0 (unset) is
///   treated as contiguous. A histogram whose bounds change resets as well.
///
/// Layout: every series holds one, so only the scalars are inline. An explicit
/// histogram's bounds and counts share one block (`histogram`, see
/// ``HistogramStorage``); summary quantiles, an exponential histogram's
/// buckets and exemplars live in `rare`, a box allocated for the first series
/// state that sets one of them. Both are copy-on-write and their accessors
/// keep value semantics: reading an absent field gives its default, writing
/// copies shared storage first, and Equatable compares contents (absent
/// storage equals storage holding defaults).
package struct SeriesState: Sendable, Equatable {
    package var startTime: UInt64 = 0
    package var lastTime: UInt64 = 0
    /// Gauge or sum value; histogram or summary sum.
    package var value: Double = 0
    /// Histogram or summary observation count.
    package var count: UInt64 = 0
    /// Never mutated while shared (copy-on-write), hence safe to send.
    nonisolated(unsafe) private var histogram: HistogramStorage?
    private var rare: RareFields?
    package var hasSum = false

    package init() {}

    /// Histogram upper bounds (without +Inf).
    package var bounds: [Double] {
        get { histogram?.bounds ?? [] }
        set { setHistogram(bounds: newValue, counts: buckets) }
    }

    /// Histogram per-bucket (not cumulative) counts: `bounds.count + 1` of them, or none.
    package var buckets: HistogramCounts {
        get { HistogramCounts(storage: histogram) }
        set { setHistogram(bounds: bounds, counts: newValue) }
    }

    private mutating func setHistogram(bounds: [Double], counts: HistogramCounts) {
        histogram = bounds.isEmpty && counts.isEmpty ? nil : HistogramStorage.make(bounds: bounds, counts: counts)
    }

    /// The histogram counts, copied first when shared (the state has some).
    private mutating func withUniqueCounts(_ body: (UnsafeMutableBufferPointer<UInt64>) -> Void) {
        if !isKnownUniquelyReferenced(&histogram) {
            histogram = histogram!.copy()
        }
        histogram!.withCounts(body)
    }

    /// Summary (quantile, value) pairs, interleaved.
    package var quantiles: [Double] {
        get { rare?.quantiles ?? [] }
        set { if rare != nil || !newValue.isEmpty { uniqueRare().quantiles = newValue } }
        _modify { yield &uniqueRare().quantiles }
    }

    /// Exponential-histogram buckets.
    package var exponential: ExponentialState? {
        get { rare?.exponential }
        set { if rare != nil || newValue != nil { uniqueRare().exponential = newValue } }
        _modify { yield &uniqueRare().exponential }
    }

    /// Latest exemplar of a counter.
    package var exemplar: RenderedExemplar? {
        get { rare?.exemplar }
        set { if rare != nil || newValue != nil { uniqueRare().exemplar = newValue } }
        _modify { yield &uniqueRare().exemplar }
    }

    /// Latest exemplar per explicit bucket (`buckets.count` entries once one arrived).
    package var bucketExemplars: [RenderedExemplar?] {
        get { rare?.bucketExemplars ?? [] }
        set { if rare != nil || !newValue.isEmpty { uniqueRare().bucketExemplars = newValue } }
        _modify { yield &uniqueRare().bucketExemplars }
    }

    /// The box of rare fields, created or copied so that it is this state's own.
    private mutating func uniqueRare() -> RareFields {
        if rare == nil {
            rare = RareFields()
        } else if !isKnownUniquelyReferenced(&rare) {
            rare = rare!.copy()
        }
        return rare!
    }

    package static func == (lhs: SeriesState, rhs: SeriesState) -> Bool {
        lhs.startTime == rhs.startTime && lhs.lastTime == rhs.lastTime && lhs.value == rhs.value
            && lhs.count == rhs.count && lhs.hasSum == rhs.hasSum && lhs.bounds == rhs.bounds
            && lhs.buckets == rhs.buckets && lhs.quantiles == rhs.quantiles && lhs.exponential == rhs.exponential
            && lhs.exemplar == rhs.exemplar && lhs.bucketExemplars == rhs.bucketExemplars
    }

    /// What folding a point did.
    package enum Outcome: Equatable, Sendable {
        case applied
        /// Older than the value held: superseded, not an error.
        case ignoredOutOfOrder
        /// A delta point overlapping the accumulated window.
        case rejectedOverlap
    }

    /// Folds a gauge point or a cumulative sum point in.
    package mutating func applyLatest(value newValue: Double, startTime: UInt64, time: UInt64, isNew: Bool) -> Outcome {
        if !isNew, time < lastTime { return .ignoredOutOfOrder }
        value = newValue
        self.startTime = startTime
        lastTime = time
        return .applied
    }

    /// Folds a delta sum point in.
    package mutating func applyDelta(value delta: Double, startTime: UInt64, time: UInt64, isNew: Bool) -> Outcome {
        switch deltaRelation(startTime: startTime, isNew: isNew) {
        case .overlap:
            return .rejectedOverlap
        case .contiguous:
            value += delta
            lastTime = max(lastTime, time)
        case .reset:
            value = delta
            self.startTime = startTime
            lastTime = time
        }
        return .applied
    }

    /// Folds a histogram point in; `counts` are per bucket, as OTLP sends them.
    package mutating func applyHistogram(
        _ point: DecodedPoint, bounds newBounds: ArraySlice<Double>, counts newCounts: ArraySlice<UInt64>,
        delta: Bool, isNew: Bool
    ) -> Outcome {
        var shared: [Double] = []
        return applyHistogram(
            point, bounds: newBounds, counts: newCounts, delta: delta, isNew: isNew, sharingBounds: &shared)
    }

    /// Folds a histogram point in, taking new bounds equal to `shared` as that
    /// very array: the series of a stream then hold one copy of their bounds
    /// between them rather than one each. Other new bounds become `shared`.
    package mutating func applyHistogram(
        _ point: DecodedPoint, bounds newBounds: ArraySlice<Double>, counts newCounts: ArraySlice<UInt64>,
        delta: Bool, isNew: Bool, sharingBounds shared: inout [Double]
    ) -> Outcome {
        let sameBounds =
            if let histogram {
                histogram.bounds.elementsEqual(newBounds) && histogram.count == newCounts.count
            } else {
                newBounds.isEmpty && newCounts.isEmpty
            }
        if delta {
            var relation = deltaRelation(startTime: point.startTime, isNew: isNew)
            if relation == .overlap { return .rejectedOverlap }
            if !sameBounds { relation = .reset }
            if relation == .contiguous {
                if !newCounts.isEmpty {
                    withUniqueCounts { counts in
                        for index in counts.indices { counts[index] &+= newCounts[newCounts.startIndex + index] }
                    }
                }
                count &+= point.count
                value += point.value
                hasSum = hasSum && point.hasSum
                lastTime = max(lastTime, point.time)
                return .applied
            }
        } else if !isNew, point.time < lastTime {
            return .ignoredOutOfOrder
        }
        if sameBounds {
            if !newCounts.isEmpty {
                withUniqueCounts { counts in
                    for index in counts.indices { counts[index] = newCounts[newCounts.startIndex + index] }
                }
            }
        } else {
            if !shared.elementsEqual(newBounds) { shared = Array(newBounds) }
            histogram = shared.isEmpty && newCounts.isEmpty ? nil : HistogramStorage.make(bounds: shared, counts: newCounts)
            bucketExemplars = []
        }
        count = point.count
        value = point.value
        hasSum = point.hasSum
        startTime = point.startTime
        lastTime = point.time
        return .applied
    }

    /// Folds a summary point in (always cumulative: the latest wins).
    package mutating func applySummary(_ point: DecodedPoint, quantiles newQuantiles: ArraySlice<Double>, isNew: Bool) -> Outcome {
        if !isNew, point.time < lastTime { return .ignoredOutOfOrder }
        if quantiles.count == newQuantiles.count {
            for index in quantiles.indices {
                quantiles[index] = newQuantiles[newQuantiles.startIndex + index]
            }
        } else {
            quantiles = Array(newQuantiles)
        }
        count = point.count
        value = point.value
        hasSum = true
        startTime = point.startTime
        lastTime = point.time
        return .applied
    }

    /// Folds an exponential-histogram point in.
    package mutating func applyExponential(
        _ point: DecodedPoint, buckets new: ExponentialState, delta: Bool, isNew: Bool
    ) -> Outcome {
        if delta {
            switch deltaRelation(startTime: point.startTime, isNew: isNew) {
            case .overlap:
                return .rejectedOverlap
            case .contiguous:
                exponential = exponential.map { $0.adding(new) } ?? new
                count &+= point.count
                value += point.value
                hasSum = hasSum && point.hasSum
                lastTime = max(lastTime, point.time)
                return .applied
            case .reset:
                break
            }
        } else if !isNew, point.time < lastTime {
            return .ignoredOutOfOrder
        }
        exponential = new
        count = point.count
        value = point.value
        hasSum = point.hasSum
        startTime = point.startTime
        lastTime = point.time
        return .applied
    }

    /// Keeps the latest exemplar of each bucket it falls in.
    package mutating func recordBucketExemplar(_ exemplar: RenderedExemplar) {
        if bucketExemplars.count != bounds.count + 1 {
            bucketExemplars = Array(repeating: nil, count: bounds.count + 1)
        }
        let index = bounds.firstIndex { exemplar.value <= $0 } ?? bounds.count
        bucketExemplars[index] = exemplar
    }

    private enum DeltaRelation { case contiguous, reset, overlap }

    private func deltaRelation(startTime: UInt64, isNew: Bool) -> DeltaRelation {
        if isNew { return .reset }
        if startTime == 0 || startTime == lastTime { return .contiguous }
        return startTime > lastTime ? .reset : .overlap
    }
}

/// The fields of ``SeriesState`` that few series use, boxed (see there).
/// Sendable because a box is only mutated while uniquely referenced.
private final class RareFields: @unchecked Sendable {
    var quantiles: [Double] = []
    var exponential: ExponentialState?
    var exemplar: RenderedExemplar?
    var bucketExemplars: [RenderedExemplar?] = []

    init() {}

    func copy() -> RareFields {
        let copy = RareFields()
        copy.quantiles = quantiles
        copy.exponential = exponential
        copy.exemplar = exemplar
        copy.bucketExemplars = bucketExemplars
        return copy
    }
}
