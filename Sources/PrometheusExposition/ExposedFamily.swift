/// One metric family as a scrape sees it: a name with its HELP, TYPE and
/// unit, and series that can be walked one by one.
///
/// The walk hands each series' label text (as rendered once, when the series
/// was created) and its value(s) to a closure, without building a page: the
/// text renderer and a remote-write exporter read the same families.
package protocol ExposedFamily {
    /// The family name, with its escaped and quoted forms.
    var metricName: MetricName { get }
    var type: PrometheusMetricType { get }
    var help: String { get }
    /// The OpenMetrics `# UNIT` (empty for none).
    var unit: String { get }
    /// An info family (`target_info`): `info` in OpenMetrics, no timestamps.
    var isInfo: Bool { get }
    /// Whether the family has no series (it is then left out of the page).
    var isEmpty: Bool { get }

    /// Calls `body` with each series in label-text order (bytewise), each
    /// label set once. `utf8`: the label text for UTF-8 scrapers, which keeps
    /// names the legacy text had to escape. The ``ExposedSeries`` and its
    /// label text are valid only during the call.
    func forEachSeries(utf8: Bool, _ body: (ExposedSeries) -> Void)
}

extension ExposedFamily {
    package var unit: String { "" }
    package var isInfo: Bool { false }
}
