/// Counters kept by the series store, for logs and the collector's self-metrics.
package struct ProcessorStatistics: Sendable, Equatable {
    /// Points folded into a series.
    package var acceptedPoints = 0
    /// Delta points refused because they overlap the accumulated window.
    package var rejectedOverlap = 0
    /// Delta points refused because they start before their series' start.
    package var rejectedOlderStart = 0
    /// Delta points refused because they end at or before the last point added.
    package var rejectedOutOfOrderEnd = 0
    /// Points of a metric whose Prometheus type differs from the family's
    /// first-seen type (the family keeps its first type).
    package var rejectedTypeConflict = 0
    /// Points of a metric whose name leaves nothing valid for Prometheus.
    package var rejectedInvalidName = 0
    /// Points of new series refused by `max_series` / `max_series_per_metric`.
    package var rejectedCardinality = 0
    /// Points of new series (or streams) refused by `max_series_bytes`.
    package var rejectedSeriesBytes = 0
    /// Gauge, cumulative and summary points older than the value already
    /// held: refused (the newer value is kept) and reported as `out_of_order`.
    package var ignoredOutOfOrder = 0
    /// Series removed because a point carried the "no recorded value" flag.
    package var removedSeries = 0
    /// Series removed by `metric_expiration`.
    package var expiredSeries = 0

    package init() {}

    /// All refused points.
    package var rejectedPoints: Int {
        rejectedOverlap + rejectedOlderStart + rejectedOutOfOrderEnd + rejectedTypeConflict + rejectedInvalidName
            + rejectedCardinality + rejectedSeriesBytes + ignoredOutOfOrder
    }
}
