import OpenSREModel

/// Counters kept by the series store, for logs and the collector's self-metrics.
package struct ProcessorStatistics: Sendable, Equatable {
    /// Points folded into a series: the self-metric `points_accepted_total`.
    package var acceptedPoints = 0
    /// Points refused, by reason (processor-stage ``RefusalReason``s).
    package var refused = RefusalCounts()
    /// Series removed because a point carried the "no recorded value" flag.
    package var removedSeries = 0
    /// Series removed by `metric_expiration`.
    package var expiredSeries = 0

    package init() {}

    /// All refused points.
    package var rejectedPoints: Int { refused.total }
}
