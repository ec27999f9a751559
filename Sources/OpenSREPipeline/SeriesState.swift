import OpenSREModel
import PrometheusExposition

/// The aggregated value of one series, and the rules that fold points into it.
///
/// Rules (OpenTelemetry metrics data model, "Sums: Delta-to-Cumulative"):
/// - gauge, cumulative sum, cumulative histogram, summary: the newest point
///   replaces the value; a point older than the one held is refused
///   (``Outcome/rejectedOutOfOrder``: the newer value is kept). A new
///   start time on a cumulative point is a reset and is taken as it comes.
/// - delta sum and delta histogram (explicit or exponential): accumulated into
///   a cumulative value that keeps the start time of the series' first point.
///   As the Collector's `deltatocumulative` processor does
///   (`internal/delta.AccumulateInto`), a point is added when it ends after the
///   last point added, whether it starts where that one ended (contiguous) or
///   later: a gap is an interval without measurements (delta SDKs send nothing
///   for an idle export interval), and an app restart is just a later start.
///   Refused, and reported with distinct reasons, are a point that
///   - starts before the series' start (``Outcome/rejectedOlderStart``: the
///     Collector's `ErrOlderStart`, e.g. two writers of one series);
///   - ends at or before the last point added (``Outcome/rejectedOutOfOrderEnd``:
///     its `ErrOutOfOrder`, e.g. an export sent twice);
///   - starts before the last point's end (``Outcome/rejectedOverlap``). Here we
///     deliberately differ: the Collector adds an overlapping point, which
///     counts the overlapped interval's events twice; we refuse it.
///   A start time of 0 (unset) says nothing about the window: such a point is
///   only checked for its end (the Collector would refuse it as older than a
///   series that has a start).
/// - explicit delta histograms whose bounds change start over from the new
///   point (its counts, sum and start time), as the Collector does: counts
///   under different bounds cannot be added, and the lower count reads as a
///   counter reset downstream.
/// - exponential delta histograms of different scales are added at the
///   coarser one, and downscaled further if the union would exceed
///   ``ExponentialState/maximumBuckets`` (the Collector's bound, 160); the
///   wider zero threshold is kept.
/// - a series fed explicit and exponential histogram points (two streams whose
///   series render the same: one name sent as both kinds, or two names that
///   map to one family) takes a point of the other kind as a new start, as
///   it does new bounds: its buckets replace the held ones, whatever the
///   temporality, so the state never holds both kinds of buckets.
/// - a point flagged "no recorded value" removes its series (see
///   `SeriesStore.apply`; the Collector's Prometheus exporter does the same),
///   whatever the temporality: a delta series that comes back starts from its
///   next point.
///
/// Layout: every series holds one, so only the scalars are inline. An explicit
/// histogram's bounds and counts share one block (`histogram`, see
/// ``HistogramStorage``); summary quantiles, an exponential histogram's
/// buckets and exemplars live in `rare`, a box allocated for the first series
/// state that sets one of them. Both are copy-on-write and their accessors
/// keep value semantics: reading an absent field gives its default, writing
/// copies shared storage first, and Equatable compares contents (absent
/// storage equals storage holding defaults).
package struct SeriesState: Equatable {
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
        /// Older than the value held: refused (the newer value is kept) and reported.
        case rejectedOutOfOrder
        /// A delta point starting before the end of the last point added.
        case rejectedOverlap
        /// A delta point starting before the series' start.
        case rejectedOlderStart
        /// A delta point ending at or before the end of the last point added.
        case rejectedOutOfOrderEnd
    }

    /// Folds a gauge point or a cumulative sum point in.
    package mutating func applyLatest(value newValue: Double, startTime: UInt64, time: UInt64, isNew: Bool) -> Outcome {
        if !isNew, time < lastTime { return .rejectedOutOfOrder }
        value = newValue
        self.startTime = startTime
        lastTime = time
        return .applied
    }

    /// Folds a delta sum point in.
    package mutating func applyDelta(value delta: Double, startTime: UInt64, time: UInt64, isNew: Bool) -> Outcome {
        if isNew {
            value = delta
            self.startTime = startTime
        } else {
            if let refusal = deltaRefusal(startTime: startTime, time: time) { return refusal }
            value += delta
        }
        lastTime = time
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
        // Exponential buckets held come from another stream of the series (see the kind rule above).
        let sameBounds =
            if exponential != nil {
                false
            } else if let histogram {
                histogram.bounds.elementsEqual(newBounds) && histogram.count == newCounts.count
            } else {
                newBounds.isEmpty && newCounts.isEmpty
            }
        if delta, !isNew {
            if let refusal = deltaRefusal(startTime: point.startTime, time: point.time) { return refusal }
            if sameBounds {
                if !newCounts.isEmpty {
                    withUniqueCounts { counts in
                        for index in counts.indices { counts[index] &+= newCounts[newCounts.startIndex + index] }
                    }
                }
                count &+= point.count
                value += point.value
                hasSum = hasSum && point.hasSum
                lastTime = point.time
                return .applied
            }
        } else if !delta, !isNew, point.time < lastTime {
            return .rejectedOutOfOrder
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
            exponential = nil
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
        if !isNew, point.time < lastTime { return .rejectedOutOfOrder }
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
        if delta, !isNew {
            if let refusal = deltaRefusal(startTime: point.startTime, time: point.time) { return refusal }
            // Without exponential buckets, the state is an explicit histogram's (see the kind rule above).
            if let held = exponential {
                exponential = held.adding(new)
                count &+= point.count
                value += point.value
                hasSum = hasSum && point.hasSum
                lastTime = point.time
                return .applied
            }
        } else if !delta, !isNew, point.time < lastTime {
            return .rejectedOutOfOrder
        }
        if histogram != nil {
            histogram = nil
            bucketExemplars = []
        }
        exponential = new.bounded()
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

    /// Why a delta point of an existing series cannot be added (see the
    /// rules above, checked in the Collector's order), or nil when it can.
    private func deltaRefusal(startTime: UInt64, time: UInt64) -> Outcome? {
        if startTime != 0, startTime < self.startTime { return .rejectedOlderStart }
        if time <= lastTime { return .rejectedOutOfOrderEnd }
        if startTime != 0, startTime < lastTime { return .rejectedOverlap }
        return nil
    }
}

/// The fields of ``SeriesState`` that few series use, boxed (see there).
/// A box is only mutated while uniquely referenced (copy on write).
private final class RareFields {
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
