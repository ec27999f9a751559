import PrometheusExposition

/// Series of one family that expired since an exporter last looked: a
/// remote-write exporter sends a stale marker for each, so the receiver
/// knows they ended instead of showing their last value for five minutes.
/// Holds the removed series themselves (label text and last state), only
/// until the next export takes them.
struct EndedFamily: ExposedFamily {
    let family: MetricFamily
    let series: [Series]

    var metricName: MetricName { family.name }
    var type: PrometheusMetricType { family.type }
    var help: String { family.help }
    var unit: String { family.unit }
    var isInfo: Bool { family.isInfo }
    var isEmpty: Bool { series.isEmpty }

    func forEachSeries(utf8: Bool, _ body: (ExposedSeries) -> Void) {
        for ended in series { family.expose(ended, utf8: utf8, body) }
    }
}
