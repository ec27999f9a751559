import Yams

/// Generates alert rules from SLO definitions, on top of the exported
/// `opensre_slo_burn_rate` series (no recording rules needed: the collector
/// computes the burn rates): an SLO's OpenSLO alert policies when it has any
/// (``SLOAlertPolicy``: one rule per condition, on its lookback window, which
/// the collector then exports too), else the SRE Workbook's multiwindow,
/// multi-burn-rate alerts. The long and short windows are joined `on (slo)`,
/// since their `window` labels differ.
///
/// Page: 2 % of the budget within 1 h (checked over 1 h and 5 m) or 5 % within
/// 6 h (6 h and 30 m). Ticket: 10 % within 1 d (1 d and 2 h) or 10 % within
/// 3 d (3 d and 6 h). Each factor is budget fraction × period / long window,
/// so a 30-day SLO gets 14.4 / 6 / 3 / 1 and a 28-day one 13.44 / 5.6 / 2.8 / 0.933.
package enum AlertRules {
    package struct Pair: Sendable, Equatable {
        package var long: String
        package var short: String
        package var longMinutes: Int
        package var budgetFraction: Double
        package var severity: String
    }

    package static let pairs: [Pair] = [
        Pair(long: "1h", short: "5m", longMinutes: 60, budgetFraction: 0.02, severity: "page"),
        Pair(long: "6h", short: "30m", longMinutes: 360, budgetFraction: 0.05, severity: "page"),
        Pair(long: "1d", short: "2h", longMinutes: 1440, budgetFraction: 0.10, severity: "ticket"),
        Pair(long: "3d", short: "6h", longMinutes: 4320, budgetFraction: 0.10, severity: "ticket"),
    ]

    /// The burn factor of `pair` for an SLO period.
    package static func factor(_ pair: Pair, period: Duration) -> Double {
        ErrorBudget.burnFactor(budgetFraction: pair.budgetFraction, period: period, window: .seconds(pair.longMinutes * 60))
    }

    /// The rule groups as a plain Prometheus rule file (`groups:`).
    package static func ruleGroups(_ definitions: [SLODefinition], minimumEvents: Int?) throws -> String {
        try emit(mapping([("groups", groups(definitions, minimumEvents: minimumEvents))]))
    }

    /// A Prometheus Operator `PrometheusRule` wrapping the same groups.
    package static func prometheusRule(_ definitions: [SLODefinition], name: String, minimumEvents: Int?) throws -> String {
        let metadata = mapping([
            ("name", text(name)),
            ("labels", mapping([("app.kubernetes.io/managed-by", text("opensre"))])),
        ])
        return try emit(
            mapping([
                ("apiVersion", text("monitoring.coreos.com/v1")),
                ("kind", text("PrometheusRule")),
                ("metadata", metadata),
                ("spec", mapping([("groups", groups(definitions, minimumEvents: minimumEvents))])),
            ]))
    }

    /// Block style throughout, lines never folded, UTF-8 kept as it is.
    private static func emit(_ document: Node) throws -> String {
        try Yams.serialize(node: document, indent: 2, width: -1, allowUnicode: true)
    }

    /// One group per SLO: its page and ticket burn-rate alerts (when its
    /// period is longer than their long windows), or its alert policies'
    /// rules when it has any, and the exhaustion alert.
    private static func groups(_ definitions: [SLODefinition], minimumEvents: Int?) -> Node {
        sequence(
            definitions.map { definition in
                mapping([
                    ("name", text("opensre-slo-\(definition.name)")),
                    (
                        "rules",
                        sequence(
                            (definition.alertPolicies.isEmpty
                                ? burnRateRules(definition, minimumEvents: minimumEvents)
                                : definition.alertPolicies.flatMap { policyRules($0, of: definition, minimumEvents: minimumEvents) })
                                + [exhaustionRule(definition)])
                    ),
                ])
            })
    }

    private static func burnRateRules(_ definition: SLODefinition, minimumEvents: Int?) -> [Node] {
        let periodMinutes = Int(definition.period.components.seconds / 60)
        return ["page", "ticket"].compactMap { severity -> Node? in
            let pairs = pairs.filter { $0.severity == severity && $0.longMinutes < periodMinutes }
            guard !pairs.isEmpty else { return nil }
            let conditions = pairs.map { pair -> String in
                let factor = format(Self.factor(pair, period: definition.period))
                var condition =
                    "(opensre_slo_burn_rate{slo=\"\(definition.name)\",window=\"\(pair.long)\"} > \(factor)"
                    + " and on (slo) opensre_slo_burn_rate{slo=\"\(definition.name)\",window=\"\(pair.short)\"} > \(factor)"
                if let minimumEvents {
                    condition += " and on (slo) opensre_slo_events_in_window{slo=\"\(definition.name)\",window=\"\(pair.long)\"} >= \(minimumEvents)"
                }
                return condition + ")"
            }
            let what = definition.isLatency ? "latency" : "availability"
            let title = definition.displayName.isEmpty ? definition.name : definition.displayName
            return mapping([
                ("alert", text(alertName(definition))),
                ("expr", text(conditions.joined(separator: "\nor "), .literal)),
                (
                    "labels",
                    mapping([
                        ("severity", text(severity == "page" ? "critical" : "warning")),
                        ("slo_severity", text(severity)),
                        ("slo", text(definition.name)),
                    ])
                ),
                (
                    "annotations",
                    mapping([
                        ("summary", quoted("\(title): \(what) error budget burning too fast (\(severity))")),
                        (
                            "description",
                            quoted(
                                "Burn rates over the long and short windows exceed the threshold for \(definition.target.description) over \(definition.periodLabel)."
                            )
                        ),
                    ])
                ),
            ])
        }
    }

    /// An OpenSLO alert policy's rules: its burn-rate condition over its
    /// lookback window, held for `alertAfter` (`alertWhenBreaching`), and an
    /// alert while that window holds no events (`alertWhenNoData`).
    private static func policyRules(_ policy: SLOAlertPolicy, of definition: SLODefinition, minimumEvents: Int?) -> [Node] {
        let condition = policy.condition
        let selector = "{slo=\"\(definition.name)\",window=\"\(condition.lookbackLabel)\"}"
        let name = policyAlertName(policy, of: definition)
        let title = definition.displayName.isEmpty ? definition.name : definition.displayName
        var labels: [(String, Node)] = [
            ("severity", text(condition.severity)), ("slo", text(definition.name)), ("alert_policy", text(policy.name)),
        ]
        if !policy.notificationTargets.isEmpty {
            labels.append(("notification_targets", text(policy.notificationTargets.joined(separator: ","))))
        }
        func rule(_ alert: String, _ expr: String, _ summary: String) -> Node {
            var fields: [(String, Node)] = [("alert", text(alert)), ("expr", text(expr))]
            if condition.alertAfterMinutes > 0 {
                fields.append(("for", text(SLODuration.label(.seconds(condition.alertAfterMinutes * 60)))))
            }
            var annotations = [("summary", quoted(summary))]
            let description = [policy.description, condition.description].filter { !$0.isEmpty }.joined(separator: " ")
            if !description.isEmpty { annotations.append(("description", quoted(description))) }
            return mapping(fields + [("labels", mapping(labels)), ("annotations", mapping(annotations))])
        }
        var rules: [Node] = []
        if policy.alertWhenBreaching {
            var expr = "opensre_slo_burn_rate\(selector) \(condition.comparison.promQL) \(format(condition.threshold))"
            if let minimumEvents { expr += " and on (slo) opensre_slo_events_in_window\(selector) >= \(minimumEvents)" }
            let policyTitle = policy.displayName.isEmpty ? policy.name : policy.displayName
            rules.append(
                rule(
                    name, expr,
                    "\(title): \(policyTitle): burn rate over \(condition.lookbackLabel) \(condition.comparison.promQL) \(format(condition.threshold))"))
        }
        if policy.alertWhenNoData {
            rules.append(
                rule(
                    name + "NoData", "opensre_slo_events_in_window\(selector) == 0",
                    "\(title): no events over \(condition.lookbackLabel)"))
        }
        return rules
    }

    private static func exhaustionRule(_ definition: SLODefinition) -> Node {
        mapping([
            ("alert", text(alertName(definition, suffix: "ErrorBudgetExhausted"))),
            ("expr", text("opensre_slo_budget_status{slo=\"\(definition.name)\",status=\"red\"} == 1")),
            ("for", text("5m")),
            ("labels", mapping([("severity", text("info")), ("slo", text(definition.name))])),
            (
                "annotations",
                mapping([
                    ("summary", quoted("\(definition.name): error budget spent over \(definition.periodLabel); freeze risky changes"))
                ])
            ),
        ])
    }

    /// Annotations are written in double quotes, as they always were.
    private static func quoted(_ string: String) -> Node {
        text(string, .doubleQuoted)
    }

    private static func text(_ string: String, _ style: Node.Scalar.Style = .any) -> Node {
        Node(string, .implicit, style)
    }

    /// A block mapping, keys in the order given.
    private static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (text($0.0), $0.1) }, .implicit, .block)
    }

    private static func sequence(_ nodes: [Node]) -> Node {
        Node(nodes, .implicit, .block)
    }

    /// `CheckoutAvailabilityBurnRateHigh` or `CheckoutLatencyBurnRateHigh`: the
    /// name says what is measured.
    package static func alertName(_ definition: SLODefinition, suffix: String? = nil) -> String {
        let base = camelCase(definition.name)
        if let suffix { return base + suffix }
        let kind = definition.isLatency ? "Latency" : "Availability"
        return base.hasSuffix(kind) ? base + "BurnRateHigh" : base + kind + "BurnRateHigh"
    }

    /// `CheckoutAvailabilityFastBurn`: the SLO's name and the policy's.
    package static func policyAlertName(_ policy: SLOAlertPolicy, of definition: SLODefinition) -> String {
        camelCase(definition.name) + camelCase(policy.name)
    }

    /// `checkout-availability` as `CheckoutAvailability`.
    private static func camelCase(_ name: String) -> String {
        name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        var text = String(rounded)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
