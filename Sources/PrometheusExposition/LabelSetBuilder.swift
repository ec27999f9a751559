import OpenSREModel

/// Turns a series' attributes into its Prometheus label set.
///
/// Rules (OpenTelemetry "Prometheus and OpenMetrics compatibility"):
/// - attribute keys are named by ``LabelNamer`` (kept as sent when `utf8`);
///   keys that collide after
///   sanitizing (`a.b` and `a_b`) are merged into one label whose value joins
///   theirs with `;`, in the lexicographic order of the original keys (the
///   Collector drops the whole metric here instead);
/// - labels set by the collector (`job`, `instance`, scope labels, configured
///   const labels) win: an attribute with such a name becomes `exported_<name>`,
///   as do `le` on histograms and `quantile` on summaries (`reserved`);
/// - empty values are left out: Prometheus treats an empty label as absent;
/// - the result is sorted by label name, as Prometheus's Go client writes it.
package enum LabelSetBuilder {
    package static func labels(
        fixed: [Label], attributes: [Attribute], reserved: Set<String> = [], utf8: Bool = false
    ) -> [Label] {
        let fixed = fixed.filter { !$0.value.isEmpty }
        let taken = Set(fixed.map(\.name))
        var candidates: [(name: String, key: String, value: String)] = []
        for attribute in attributes {
            guard var name = LabelNamer.name(for: attribute.key, utf8: utf8) else { continue }
            let value = AttributeText.labelValue(attribute.value)
            guard !value.isEmpty else { continue }
            if taken.contains(name) || reserved.contains(name) {
                name = "exported_" + name
            }
            candidates.append((name, attribute.key, value))
        }
        candidates.sort { ($0.name, $0.key) < ($1.name, $1.key) }
        var merged: [Label] = []
        for candidate in candidates {
            if let last = merged.last, last.name == candidate.name {
                merged[merged.count - 1].value += ";" + candidate.value
            } else {
                merged.append(Label(candidate.name, candidate.value))
            }
        }
        return (fixed + merged).sorted { $0.name < $1.name }
    }
}
