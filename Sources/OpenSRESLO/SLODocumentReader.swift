import OpenSREModel
import Yams

/// Reads one YAML document into an ``SLODefinition``, collecting problems.
struct SLODocumentReader {
    let file: String
    let document: Int
    private(set) var problems: [String] = []
    private var sloName = ""

    init(file: String, document: Int) {
        self.file = file
        self.document = document
    }

    private mutating func fail(_ path: String, _ message: String) {
        let subject = sloName.isEmpty ? "document \(document)" : "document \(document) (SLO \(sloName))"
        problems.append("\(file): \(subject): \(path): \(message)")
    }

    mutating func slo(_ root: Node) -> SLODefinition? {
        guard let apiVersion = root["apiVersion"]?.string, apiVersion == "openslo/v1" else {
            fail("apiVersion", "must be openslo/v1, got \(root["apiVersion"]?.string ?? "nothing")")
            return nil
        }
        guard root["kind"]?.string == "SLO" else { return nil }  // other OpenSLO kinds are not ours
        guard let name = root["metadata"]?["name"]?.string, Self.isDNSLabel(name) else {
            fail("metadata.name", "required, lowercase letters, digits and '-' (RFC 1123), at most 63 characters")
            return nil
        }
        sloName = name
        guard let spec = root["spec"], case .mapping = spec else {
            fail("spec", "required")
            return nil
        }
        if spec["indicatorRef"] != nil {
            fail("spec.indicatorRef", "not supported: write the indicator inline (spec.indicator)")
        }
        let method = spec["budgetingMethod"]?.string
        if method != "Occurrences" {
            fail("spec.budgetingMethod", "only Occurrences is supported, got \(method ?? "nothing")")
        }
        let window = timeWindow(spec["timeWindow"])
        let target = objective(spec["objectives"])
        let sources = indicator(spec["indicator"])
        guard let window, let target, let sources, problems.isEmpty else { return nil }
        return SLODefinition(
            name: name, displayName: root["metadata"]?["displayName"]?.string ?? "",
            service: spec["service"]?.string ?? "", description: spec["description"]?.string ?? "",
            target: target, period: window.duration, periodLabel: window.label, good: sources.good,
            bad: sources.bad, total: sources.total)
    }

    private mutating func timeWindow(_ node: Node?) -> (duration: Duration, label: String)? {
        guard let windows = node?.sequence, windows.count == 1, let window = windows.first else {
            fail("spec.timeWindow", "exactly one time window is required")
            return nil
        }
        if window["calendar"] != nil || window["isRolling"]?.bool == false {
            fail("spec.timeWindow[0]", "calendar-aligned windows are not supported yet; use a rolling window (isRolling: true)")
            return nil
        }
        guard let text = window["duration"]?.string, let duration = SLODuration.parse(text) else {
            fail("spec.timeWindow[0].duration", "expected a duration such as 28d, 30d, 12h or 4w (m, h, d, w), got \(window["duration"]?.string ?? "nothing")")
            return nil
        }
        guard duration >= .seconds(3600), duration <= .seconds(90 * 86400) else {
            fail("spec.timeWindow[0].duration", "must be between 1h and 90d, got \(text)")
            return nil
        }
        return (duration, SLODuration.label(duration))
    }

    private mutating func objective(_ node: Node?) -> SLOTarget? {
        guard let objectives = node?.sequence, objectives.count == 1, let objective = objectives.first else {
            fail("spec.objectives", "exactly one objective is required")
            return nil
        }
        if let raw = objective["target"]?.scalar?.string {
            guard let target = SLOTarget(decimal: raw) else {
                fail("spec.objectives[0].target", "must be a decimal in [0, 1) (1.0 would leave no error budget), got \(raw)")
                return nil
            }
            return target
        }
        if let raw = objective["targetPercent"]?.scalar?.string {
            guard let target = SLOTarget(decimal: raw, percent: true) else {
                fail("spec.objectives[0].targetPercent", "must be in [0, 100), got \(raw)")
                return nil
            }
            return target
        }
        fail("spec.objectives[0]", "target (or targetPercent) is required")
        return nil
    }

    private mutating func indicator(_ node: Node?) -> (good: SLOEventSource?, bad: SLOEventSource?, total: SLOEventSource)? {
        guard let ratio = node?["spec"]?["ratioMetric"] else {
            fail("spec.indicator.spec.ratioMetric", "required (thresholdMetric and raw indicators are not supported)")
            return nil
        }
        let path = "spec.indicator.spec.ratioMetric"
        let good = ratio["good"].map { source($0, at: "\(path).good") } ?? nil
        let bad = ratio["bad"].map { source($0, at: "\(path).bad") } ?? nil
        if (ratio["good"] == nil) == (ratio["bad"] == nil) {
            fail(path, "exactly one of good and bad is required")
        }
        guard let totalNode = ratio["total"] else {
            fail("\(path).total", "required")
            return nil
        }
        guard let total = source(totalNode, at: "\(path).total") else { return nil }
        if total.lessOrEqual != nil {
            fail("\(path).total.metricSource.spec.le", "le selects good or bad events, not the total")
        }
        guard good != nil || bad != nil else { return nil }
        return (good, bad, total)
    }

    private mutating func source(_ node: Node, at path: String) -> SLOEventSource? {
        guard let source = node["metricSource"] else {
            fail("\(path).metricSource", "required")
            return nil
        }
        guard source["type"]?.string == "opensre" else {
            fail("\(path).metricSource.type", "must be opensre, got \(source["type"]?.string ?? "nothing")")
            return nil
        }
        guard let spec = source["spec"], let metric = spec["metric"]?.string, !metric.isEmpty else {
            fail("\(path).metricSource.spec.metric", "required: the OTLP metric name")
            return nil
        }
        for key in spec.mapping?.keys.compactMap(\.string) ?? [] where !["metric", "match", "le"].contains(key) {
            fail("\(path).metricSource.spec.\(key)", "unknown key (expected metric, match, le)")
        }
        var matches: [AttributeMatch] = []
        if let match = spec["match"] {
            guard let mapping = match.mapping else {
                fail("\(path).metricSource.spec.match", "expected a mapping of attribute to regular expression")
                return nil
            }
            for (key, value) in mapping {
                guard let key = key.string, let pattern = value.string else { continue }
                // A natural slip: `le` matched as an attribute would select no histogram point, so nothing counts as good.
                guard key != "le" else {
                    fail(
                        "\(path).metricSource.spec.match.le",
                        "le is a histogram bound, not an attribute: write it beside match (spec.le: \(pattern)), not inside it")
                    continue
                }
                guard (try? Regex(pattern)) != nil else {
                    fail("\(path).metricSource.spec.match.\(key)", "not a valid regular expression: \(pattern)")
                    continue
                }
                matches.append(AttributeMatch(key: key, pattern: pattern))
            }
        }
        var lessOrEqual: Double?
        if let le = spec["le"] {
            guard let value = le.float, value.isFinite else {
                fail("\(path).metricSource.spec.le", "expected a number (a bucket bound of the histogram)")
                return nil
            }
            lessOrEqual = value
        }
        return SLOEventSource(metric: metric, match: matches.sorted { $0.key < $1.key }, lessOrEqual: lessOrEqual)
    }

    static func isDNSLabel(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 63, name.first != "-", name.last != "-" else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }
}
