import PrometheusExposition

/// One Prometheus metric family: a name with one HELP and one TYPE, and the
/// series of every stream that maps to that name.
final class MetricFamily {
    let name: String
    let nameBytes: [UInt8]
    /// The first-seen type; streams that would need another are refused.
    let type: PrometheusMetricType
    /// The first non-empty OpenTelemetry description, else a stand-in.
    var help: String
    /// Series by their rendered label text: two streams whose labels render the
    /// same share one series rather than printing a duplicate line.
    private var byLabels: [[UInt8]: Series] = [:]
    private var ordered: [Series] = []
    private var needsSort = false

    init(name: String, type: PrometheusMetricType, help: String) {
        self.name = name
        self.nameBytes = Array(name.utf8)
        self.type = type
        self.help = help
    }

    var isEmpty: Bool { byLabels.isEmpty }
    var seriesCount: Int { byLabels.count }

    /// The series with `labelText`, created when absent.
    func series(labelText: [UInt8]) -> (Series, isNew: Bool) {
        if let existing = byLabels[labelText] {
            return (existing, false)
        }
        let series = Series(labelText: labelText)
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
    let labelText: [UInt8]
    var state = SeriesState()
    /// Set when the family dropped the series; streams then forget it too.
    var isRemoved = false

    init(labelText: [UInt8]) {
        self.labelText = labelText
    }
}
