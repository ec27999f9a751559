import OpenSREModel
import Yams

/// Reads one OpenSLO document (an SLO, or an SLI, AlertPolicy or
/// AlertCondition it refers to) into our model, collecting problems that
/// name the file, the document and the field.
struct SLODocumentReader {
    let file: String
    let document: Int
    private(set) var problems: [String] = []
    /// `SLO checkout-availability` once the name is read.
    private var subject = ""

    init(file: String, document: Int) {
        self.file = file
        self.document = document
    }

    mutating func fail(_ path: String, _ message: String) {
        let named = subject.isEmpty ? "document \(document)" : "document \(document) (\(subject))"
        problems.append("\(file): \(named): \(path): \(message)")
    }

    /// `metadata.name` of a document of `kind`, which then names it in problems.
    mutating func name(of root: Node, kind: String, at path: String = "metadata.name") -> String? {
        guard let name = root["metadata"]?["name"]?.string, Self.isDNSLabel(name) else {
            fail(path, "required, lowercase letters, digits and '-' (RFC 1123), at most 63 characters")
            return nil
        }
        if subject.isEmpty { subject = "\(kind) \(name)" }
        return name
    }

    /// An SLO document; `catalogue` resolves its `indicatorRef` and
    /// `alertPolicyRef`s.
    mutating func slo(_ root: Node, catalogue: OpenSLOCatalogue) -> SLODefinition? {
        guard let name = name(of: root, kind: "SLO") else { return nil }
        guard let spec = root["spec"], case .mapping = spec else {
            fail("spec", "required")
            return nil
        }
        let method = spec["budgetingMethod"]?.string
        if method != "Occurrences" {
            fail("spec.budgetingMethod", "only Occurrences is supported, got \(method ?? "nothing")")
        }
        let window = timeWindow(spec["timeWindow"])
        let target = objective(spec["objectives"])
        let sources = indicator(of: spec, catalogue: catalogue)
        let policies = alertPolicies(spec["alertPolicies"], catalogue: catalogue)
        guard let window, let target, let sources, let policies, problems.isEmpty else { return nil }
        for policy in policies where policy.condition.lookbackMinutes > Int(window.duration.components.seconds / 60) {
            fail(
                "spec.alertPolicies (\(policy.name))",
                "the condition's lookbackWindow \(policy.condition.lookbackLabel) is longer than the SLO's time window \(window.label)")
        }
        guard problems.isEmpty else { return nil }
        var definition = SLODefinition(
            name: name, displayName: root["metadata"]?["displayName"]?.string ?? "",
            service: spec["service"]?.string ?? "", description: spec["description"]?.string ?? "",
            target: target, period: window.duration, periodLabel: window.label, good: sources.good,
            bad: sources.bad, total: sources.total, alertPolicies: policies)
        definition.source = (try? Yams.serialize(node: root)) ?? ""
        return definition
    }

    /// `spec.indicator` inline, or the SLI document `spec.indicatorRef` names.
    private mutating func indicator(of spec: Node, catalogue: OpenSLOCatalogue) -> SLOIndicator? {
        switch (spec["indicator"], spec["indicatorRef"]?.string) {
        case (.some, .some):
            fail("spec.indicatorRef", "write either indicator or indicatorRef, not both")
            return nil
        case (.some(let inline), nil):
            return indicator(inline, at: "spec.indicator.spec.ratioMetric")
        case (nil, .some(let reference)):
            switch catalogue.indicator(named: reference) {
            case .valid(let indicator): return indicator
            case .invalid: return nil  // its own problems are reported with its document
            case .missing:
                fail("spec.indicatorRef", "no SLI document named \(reference) in the definitions")
                return nil
            }
        case (nil, nil):
            fail("spec.indicator", "required (inline, or an SLI document named by spec.indicatorRef)")
            return nil
        }
    }

    /// An SLI document.
    mutating func sli(_ root: Node) -> SLOIndicator? {
        guard name(of: root, kind: "SLI") != nil else { return nil }
        return indicator(root, at: "spec.ratioMetric")
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

    /// The `ratioMetric` under `node`'s `spec`, at `path` for problems.
    private mutating func indicator(_ node: Node, at path: String) -> SLOIndicator? {
        guard let ratio = node["spec"]?["ratioMetric"] else {
            fail(path, "required (thresholdMetric and raw indicators are not supported)")
            return nil
        }
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
        return SLOIndicator(good: good, bad: bad, total: total)
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
