import OpenSREModel
import OpenSRESLO
import PrometheusExposition

/// Feeds the SLO engine from the series its sources match: each new series
/// of a matching stream gets its taps (``SLOMatcher``), and every accepted
/// point of a tapped series gives each SLO the series' cumulative count.
final class SLOFeed: SeriesObserver {
    let engine: SLOEngine
    private let matcher: SLOMatcher
    private var warnings: [String] = []
    private var warnedMismatches: Set<Int> = []

    init(engine: SLOEngine) {
        self.engine = engine
        matcher = SLOMatcher(definitions: engine.definitions)
    }

    func streamCreated(
        _ stream: MetricStream, decoded: DecodedStream, metric: String, job: String, resource: [Attribute],
        resourceBytes: UnsafeRawBufferPointer
    ) -> Bool {
        guard matcher.hasSources(metric: metric, kind: decoded.kind, monotonic: decoded.isMonotonic) else { return false }
        stream.sloSource = (metric, resource)
        return true
    }

    func seriesCreated(
        _ series: Series, of stream: MetricStream, attributes: UnsafeRawBufferPointer, identity: UnsafeRawBufferPointer
    ) {
        guard let source = stream.sloSource else { return }
        let taps = matcher.taps(metric: source.metric, attributes: AttributeDecoder.decode(attributes), resource: source.resource)
        guard !taps.isEmpty else { return }
        series.sloTaps = taps
        series.followPoints()
        // Persisted, hence pinned (not the decoder's in-process hashes).
        series.sloKey = SLOSeriesKey.make(identity: identity, attributes: attributes)
    }

    /// Gives each SLO the series' cumulative count: a counter's value, a
    /// histogram's observations (at or under `le` for latency). When `le` is
    /// not one of the histogram's bounds, the series feeds that SLO nothing at
    /// all — not its total either, which would turn every event bad — and the
    /// mismatch is counted and warned about.
    func folded(_ point: DecodedPoint, into series: Series, of stream: MetricStream, wallClock: UInt64) {
        let taps = series.sloTaps
        guard !taps.isEmpty else { return }
        let state = series.state
        var mismatched: Set<Int> = []
        for tap in taps {
            guard let bound = tap.lessOrEqual else { continue }
            if state.exponential != nil || !state.bounds.contains(bound) {
                mismatched.insert(tap.slo)
                engine.recordThresholdMismatch(slo: tap.slo)
                if warnedMismatches.insert(tap.slo).inserted {
                    warnings.append(
                        "SLO \(engine.definitions[tap.slo].name): le \(bound) is not a bucket bound of the incoming histogram; its points are not counted")
                }
            }
        }
        for tap in taps where !mismatched.contains(tap.slo) {
            let cumulative: UInt64
            switch stream.kind {
            case .sum:
                cumulative = state.value >= 0 && state.value < 1.8e19 ? UInt64(state.value) : 0
            case .histogram, .exponentialHistogram:
                if let bound = tap.lessOrEqual, let index = state.bounds.firstIndex(of: bound) {
                    cumulative = state.buckets[0...index].reduce(0, &+)
                } else {
                    cumulative = state.count
                }
            default:
                continue
            }
            engine.observe(
                slo: tap.slo, role: tap.role, series: series.sloKey, startTime: state.startTime, cumulative: cumulative,
                now: wallClock)
        }
    }

    func takeWarnings() -> [String] {
        defer { warnings.removeAll() }
        return warnings
    }

    func scrapeSource(reading store: SeriesStore) -> (any MetricFamilySource)? { engine }
}
