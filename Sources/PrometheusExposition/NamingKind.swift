/// What the OpenTelemetry → Prometheus name translation needs to know about a
/// metric's type: counters get `_total`, gauges with unit `1` get `_ratio`.
package enum NamingKind: Sendable, Hashable {
    /// A monotonic sum.
    case monotonicCounter
    /// A gauge (not a non-monotonic sum: those never get `_ratio`).
    case gauge
    /// Everything else: non-monotonic sums, histograms, summaries.
    case other
}
