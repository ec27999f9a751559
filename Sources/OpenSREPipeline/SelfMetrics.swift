import OpenSREModel
import PrometheusExposition

/// The collector's own metrics, rendered with every scrape under
/// `opensre_collector_` (whatever the configured namespace):
/// - `opensre_collector_points_accepted_total`: points the receiver accepted;
/// - `opensre_collector_points_refused_total{stage,reason}`: points refused by
///   the receiver (also reported to the sender in `partial_success`) or by the
///   processor (delta overlap, type conflict, invalid name), and points
///   dropped as older than the value held (`reason="out_of_order"`);
/// - `opensre_collector_series`: series exposed; `opensre_collector_series_expired_total`.
enum SelfMetrics {
    static func families(counters: CollectorCounters, statistics: ProcessorStatistics, series: Int) -> [MetricFamily] {
        let accepted = MetricFamily(
            name: "opensre_collector_points_accepted_total", type: .counter,
            help: "Data points accepted by the OTLP receiver.")
        accepted.set([], Double(counters.acceptedPoints))

        let refused = MetricFamily(
            name: "opensre_collector_points_refused_total", type: .counter,
            help: "Data points refused or dropped, by stage and reason.")
        let receiverRefusals = counters.refusedPoints
        for cause in RejectedPoints.Cause.allCases {
            refused.set([Label("reason", cause.rawValue), Label("stage", "receiver")], Double(receiverRefusals[cause] ?? 0))
        }
        let processorRefusals: [(String, Int)] = [
            ("cardinality_limit", statistics.rejectedCardinality),
            ("delta_overlap", statistics.rejectedOverlap), ("invalid_name", statistics.rejectedInvalidName),
            ("out_of_order", statistics.ignoredOutOfOrder), ("type_conflict", statistics.rejectedTypeConflict),
        ]
        for (reason, count) in processorRefusals {
            refused.set([Label("reason", reason), Label("stage", "processor")], Double(count))
        }

        let active = MetricFamily(name: "opensre_collector_series", type: .gauge, help: "Series currently exposed.")
        active.set([], Double(series))
        let expired = MetricFamily(
            name: "opensre_collector_series_expired_total", type: .counter,
            help: "Series removed after metric_expiration without updates.")
        expired.set([], Double(statistics.expiredSeries))
        return [accepted, refused, active, expired]
    }
}

extension MetricFamily {
    fileprivate func set(_ labels: [Label], _ value: Double) {
        series(labelText: ExpositionWriter.labelText(labels)).0.state.value = value
    }
}
