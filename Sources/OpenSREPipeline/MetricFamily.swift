import PrometheusExposition

/// One Prometheus metric family: a name with one HELP and one TYPE, and the
/// series of every stream that maps to that name.
final class MetricFamily {
    let name: MetricName
    /// The first-seen type; streams that would need another are refused.
    let type: PrometheusMetricType
    /// The first non-empty OpenTelemetry description, else a stand-in.
    var help: String
    /// The OpenMetrics `# UNIT` (empty for none).
    let unit: String
    /// The `target_info` family (an info metric in OpenMetrics).
    let isInfo: Bool
    /// Series by their rendered label text: two streams whose labels render the
    /// same share one series rather than printing a duplicate line.
    private var byLabels: [[UInt8]: Series] = [:]
    private var ordered: [Series] = []
    private var needsSort = false

    init(name: String, type: PrometheusMetricType, help: String, unit: String = "", isInfo: Bool = false) {
        self.name = MetricName(name)
        self.type = type
        self.help = help
        self.unit = unit
        self.isInfo = isInfo
    }

    var isEmpty: Bool { byLabels.isEmpty }
    var seriesCount: Int { byLabels.count }

    /// The series with `labelText`, created when absent.
    func series(labelText: [UInt8], utf8LabelText: [UInt8]? = nil) -> (Series, isNew: Bool) {
        if let existing = byLabels[labelText] {
            return (existing, false)
        }
        let series = Series(labelText: labelText, utf8LabelText: utf8LabelText)
        byLabels[labelText] = series
        ordered.append(series)
        needsSort = true
        return (series, true)
    }

    func remove(_ series: Series) {
        guard byLabels.removeValue(forKey: series.labelText) != nil else { return }
        series.isRemoved = true
        ordered.removeAll { $0 === series }
    }

    /// Removes every series last seen before `deadline`; returns how many.
    func expire(before deadline: UInt64) -> Int {
        let expired = ordered.filter { $0.lastSeen < deadline }
        guard !expired.isEmpty else { return 0 }
        for series in expired {
            byLabels.removeValue(forKey: series.labelText)
            series.isRemoved = true
        }
        ordered.removeAll { $0.isRemoved }
        return expired.count
    }

    /// Series in label-text order (sorted lazily, after series were added).
    func sortedSeries() -> [Series] {
        if needsSort {
            ordered.sort { $0.labelText.lexicographicallyPrecedes($1.labelText) }
            needsSort = false
        }
        return ordered
    }
}

/// One exposed series: its label text, rendered once, and its aggregated state.
final class Series {
    /// Label text with legacy (escaped) label names.
    let labelText: [UInt8]
    /// Label text for UTF-8 scrapers, when a UTF-8 strategy keeps names the
    /// legacy form had to escape; nil when both are the same.
    let utf8LabelText: [UInt8]?
    var state = SeriesState()
    /// Monotonic nanoseconds of the last update (for `metric_expiration`).
    var lastSeen: UInt64 = 0
    /// Set when the family dropped the series; streams then forget it too.
    var isRemoved = false
    /// The SLOs this series feeds (usually none).
    var sloTaps: [SLOTap] = []
    /// The series' key for the SLO engine's baselines.
    var sloKey: UInt64 = 0
    /// A latency series feeding the golden signals.
    var goldenTap: GoldenSignals.LatencyTap?
    /// A saturation series that counts (not idle), and its CPU for per-CPU metrics.
    var goldenCounts = true
    var goldenCPU: String?

    init(labelText: [UInt8], utf8LabelText: [UInt8]? = nil) {
        self.labelText = labelText
        self.utf8LabelText = utf8LabelText
    }
}
