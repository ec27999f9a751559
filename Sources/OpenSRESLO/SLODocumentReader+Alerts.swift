import Yams

/// OpenSLO v1 alerting: an SLO's `spec.alertPolicies` (each inline, `kind:
/// AlertPolicy`, or an `alertPolicyRef`), a policy's one condition (inline,
/// `kind: AlertCondition`, or a `conditionRef`), and the condition itself
/// (kind `burnrate`: `op`, `threshold`, `lookbackWindow`, `alertAfter`).
extension SLODocumentReader {
    /// The policies of an SLO's `spec.alertPolicies` (nil on a problem).
    mutating func alertPolicies(_ node: Node?, catalogue: OpenSLOCatalogue) -> [SLOAlertPolicy]? {
        guard let node else { return [] }
        guard let items = node.sequence else {
            fail("spec.alertPolicies", "expected a list of alertPolicyRef entries or inline AlertPolicy objects")
            return nil
        }
        var policies: [SLOAlertPolicy] = []
        var valid = true
        for (index, item) in items.enumerated() {
            let path = "spec.alertPolicies[\(index)]"
            if let reference = item["alertPolicyRef"]?.string {
                guard item["kind"] == nil, item["spec"] == nil else {
                    fail(path, "write either alertPolicyRef or an inline AlertPolicy, not both")
                    valid = false
                    continue
                }
                switch catalogue.policy(named: reference) {
                case .valid(let policy): policies.append(policy)
                case .invalid: valid = false
                case .missing:
                    fail("\(path).alertPolicyRef", "no AlertPolicy document named \(reference) in the definitions")
                    valid = false
                }
            } else if item["kind"]?.string == "AlertPolicy" {
                if let policy = alertPolicy(item, at: path, catalogue: catalogue) { policies.append(policy) } else { valid = false }
            } else {
                fail(path, "expected alertPolicyRef: NAME or an inline object with kind: AlertPolicy")
                valid = false
            }
        }
        var seen: Set<String> = []
        for policy in policies where !seen.insert(policy.name).inserted {
            fail("spec.alertPolicies", "AlertPolicy \(policy.name) is listed more than once")
            valid = false
        }
        return valid ? policies : nil
    }

    /// An AlertPolicy (a document, `path` empty, or inline at `path`).
    mutating func alertPolicy(_ root: Node, at path: String = "", catalogue: OpenSLOCatalogue) -> SLOAlertPolicy? {
        let prefix = path.isEmpty ? "" : path + "."
        guard let name = name(of: root, kind: "AlertPolicy", at: prefix + "metadata.name") else { return nil }
        guard let spec = root["spec"], case .mapping = spec else {
            fail(prefix + "spec", "required")
            return nil
        }
        known(spec, at: prefix + "spec", keys: [
            "description", "alertWhenNoData", "alertWhenResolved", "alertWhenBreaching", "conditions", "notificationTargets",
        ])
        let breaching = flag(spec["alertWhenBreaching"], at: prefix + "spec.alertWhenBreaching", default: true)
        let noData = flag(spec["alertWhenNoData"], at: prefix + "spec.alertWhenNoData", default: false)
        if flag(spec["alertWhenResolved"], at: prefix + "spec.alertWhenResolved", default: false) == true {
            fail(
                prefix + "spec.alertWhenResolved",
                "not supported: a Prometheus alert fires while its condition holds; Alertmanager sends the resolved notification (send_resolved in its receiver)")
        }
        if breaching == false, noData == false {
            fail(prefix + "spec", "alertWhenBreaching and alertWhenNoData are both false: the policy would never fire")
        }
        let condition = policyCondition(spec["conditions"], at: prefix + "spec.conditions", catalogue: catalogue)
        let targets = notificationTargets(spec["notificationTargets"], at: prefix + "spec.notificationTargets")
        guard let breaching, let noData, let condition, let targets else { return nil }
        return SLOAlertPolicy(
            name: name, displayName: root["metadata"]?["displayName"]?.string ?? "",
            description: spec["description"]?.string ?? "", alertWhenBreaching: breaching, alertWhenNoData: noData,
            condition: condition, notificationTargets: targets)
    }

    /// The policy's one condition (the spec allows exactly one).
    private mutating func policyCondition(_ node: Node?, at path: String, catalogue: OpenSLOCatalogue) -> SLOAlertCondition? {
        guard let items = node?.sequence, items.count == 1, let item = items.first else {
            fail(path, "exactly one condition is required (OpenSLO v1 allows one per policy)")
            return nil
        }
        if let reference = item["conditionRef"]?.string {
            switch catalogue.condition(named: reference) {
            case .valid(let condition): return condition
            case .invalid: return nil
            case .missing:
                fail("\(path)[0].conditionRef", "no AlertCondition document named \(reference) in the definitions")
                return nil
            }
        }
        guard item["kind"]?.string == "AlertCondition" else {
            fail("\(path)[0]", "expected conditionRef: NAME or an inline object with kind: AlertCondition")
            return nil
        }
        return alertCondition(item, at: "\(path)[0]")
    }

    /// `targetRef` names; inline targets are not supported.
    private mutating func notificationTargets(_ node: Node?, at path: String) -> [String]? {
        guard let node else { return [] }
        guard let items = node.sequence else {
            fail(path, "expected a list of targetRef entries")
            return nil
        }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            guard let name = item["targetRef"]?.string, !name.isEmpty else {
                fail(
                    "\(path)[\(index)]",
                    "only targetRef: NAME is supported (the name goes on the alert as notification_targets for Alertmanager to route on); AlertNotificationTarget objects are not")
                return nil
            }
            names.append(name)
        }
        return names
    }

    /// An AlertCondition (a document, `path` empty, or inline at `path`).
    mutating func alertCondition(_ root: Node, at path: String = "") -> SLOAlertCondition? {
        let prefix = path.isEmpty ? "" : path + "."
        guard let name = name(of: root, kind: "AlertCondition", at: prefix + "metadata.name") else { return nil }
        guard let spec = root["spec"], case .mapping = spec else {
            fail(prefix + "spec", "required")
            return nil
        }
        known(spec, at: prefix + "spec", keys: ["description", "severity", "condition"])
        guard let severity = spec["severity"]?.string, !severity.isEmpty else {
            fail(prefix + "spec.severity", "required (for example page or ticket): the alert's severity label")
            return nil
        }
        guard let condition = spec["condition"], case .mapping = condition else {
            fail(prefix + "spec.condition", "required")
            return nil
        }
        let at = prefix + "spec.condition"
        known(condition, at: at, keys: ["kind", "op", "threshold", "lookbackWindow", "alertAfter"])
        let kind = condition["kind"]?.string ?? "burnrate"
        guard kind == "burnrate" else {
            fail("\(at).kind", "only burnrate is supported, got \(kind)")
            return nil
        }
        let opText = condition["op"]?.string ?? "gt"
        let comparison = SLOAlertCondition.Operator(rawValue: opText)
        if comparison == nil { fail("\(at).op", "expected gt, gte, lt or lte, got \(opText)") }
        let threshold = condition["threshold"]?.float
        if threshold == nil || !(threshold!.isFinite) || threshold! < 0 {
            fail("\(at).threshold", "required: a burn rate, a number of 0 or more (1 spends the budget exactly over the window)")
        }
        let lookback = minutes(condition["lookbackWindow"], at: "\(at).lookbackWindow", allowZero: false)
        let after = condition["alertAfter"] == nil ? 0 : minutes(condition["alertAfter"], at: "\(at).alertAfter", allowZero: true)
        guard let comparison, let threshold, threshold.isFinite, threshold >= 0, let lookback, let after else { return nil }
        return SLOAlertCondition(
            name: name, displayName: root["metadata"]?["displayName"]?.string ?? "",
            description: spec["description"]?.string ?? "", severity: severity, comparison: comparison,
            threshold: threshold, lookbackMinutes: lookback, alertAfterMinutes: after)
    }

    // MARK: Fields

    /// A duration-shorthand in whole minutes (`5m`, `1h`, `1d`, `1w`; `0m` where allowed).
    private mutating func minutes(_ node: Node?, at path: String, allowZero: Bool) -> Int? {
        guard let text = node?.string else {
            fail(path, "required: a duration such as 5m, 1h or 1d")
            return nil
        }
        if allowZero, let unit = text.last, "smhdw".contains(unit), Int(text.dropLast()) == 0 { return 0 }
        guard let duration = SLODuration.parse(text) else {
            fail(path, "expected a duration such as 5m, 1h or 1d (m, h, d, w), got \(text)")
            return nil
        }
        return Int(duration.components.seconds / 60)
    }

    private mutating func flag(_ node: Node?, at path: String, default value: Bool) -> Bool? {
        guard let node else { return value }
        guard let flag = node.bool else {
            fail(path, "expected true or false")
            return nil
        }
        return flag
    }

    /// Unknown keys are refused, like everywhere else.
    private mutating func known(_ node: Node, at path: String, keys: Set<String>) {
        for key in node.mapping?.keys.compactMap(\.string) ?? [] where !keys.contains(key) {
            fail("\(path).\(key)", "unknown key (expected \(keys.sorted().joined(separator: ", ")))")
        }
    }
}
