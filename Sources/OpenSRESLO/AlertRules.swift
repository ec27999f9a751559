import Foundation

/// Generates the SRE Workbook's multiwindow, multi-burn-rate alerts from SLO
/// definitions, on top of the exported `opensre_slo_burn_rate` series (no
/// recording rules needed: the collector computes the burn rates). The long
/// and short windows are joined `on (slo)`, since their `window` labels differ.
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

    /// The rule groups as plain Prometheus rule-file YAML (`groups:`), indented by `indent`.
    package static func ruleGroups(_ definitions: [SLODefinition], minimumEvents: Int?, indent: String = "") -> String {
        var out = "\(indent)groups:\n"
        for definition in definitions {
            out += "\(indent)  - name: opensre-slo-\(definition.name)\n"
            out += "\(indent)    rules:\n"
            let periodMinutes = Int(definition.period.components.seconds / 60)
            for severity in ["page", "ticket"] {
                let pairs = pairs.filter { $0.severity == severity && $0.longMinutes < periodMinutes }
                guard !pairs.isEmpty else { continue }
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
                out += "\(indent)      - alert: \(alertName(definition))\n"
                out += "\(indent)        expr: |-\n"
                for (index, condition) in conditions.enumerated() {
                    out += "\(indent)          \(index == 0 ? "" : "or ")\(condition)\n"
                }
                out += "\(indent)        labels:\n"
                out += "\(indent)          severity: \(severity == "page" ? "critical" : "warning")\n"
                out += "\(indent)          slo_severity: \(severity)\n"
                out += "\(indent)          slo: \(definition.name)\n"
                out += "\(indent)        annotations:\n"
                let what = definition.isLatency ? "latency" : "availability"
                out += "\(indent)          summary: \(yamlQuoted("\(definition.displayName.isEmpty ? definition.name : definition.displayName): \(what) error budget burning too fast (\(severity))"))\n"
                out += "\(indent)          description: \(yamlQuoted("Burn rates over the long and short windows exceed the threshold for \(definition.target.description) over \(definition.periodLabel)."))\n"
            }
            out += "\(indent)      - alert: \(alertName(definition, suffix: "ErrorBudgetExhausted"))\n"
            out += "\(indent)        expr: opensre_slo_budget_status{slo=\"\(definition.name)\",status=\"red\"} == 1\n"
            out += "\(indent)        for: 5m\n"
            out += "\(indent)        labels:\n"
            out += "\(indent)          severity: info\n"
            out += "\(indent)          slo: \(definition.name)\n"
            out += "\(indent)        annotations:\n"
            out += "\(indent)          summary: \(yamlQuoted("\(definition.name): error budget spent over \(definition.periodLabel); freeze risky changes"))\n"
        }
        return out
    }

    /// A Prometheus Operator `PrometheusRule` wrapping the same groups.
    package static func prometheusRule(_ definitions: [SLODefinition], name: String, minimumEvents: Int?) -> String {
        """
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        metadata:
          name: \(name)
          labels:
            app.kubernetes.io/managed-by: opensre
        spec:

        """ + ruleGroups(definitions, minimumEvents: minimumEvents, indent: "  ")
    }

    /// `CheckoutAvailabilityBurnRateHigh` or `CheckoutLatencyBurnRateHigh`: the
    /// name says what is measured.
    package static func alertName(_ definition: SLODefinition, suffix: String? = nil) -> String {
        let base = definition.name.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        if let suffix { return base + suffix }
        let kind = definition.isLatency ? "Latency" : "Availability"
        return base.hasSuffix(kind) ? base + "BurnRateHigh" : base + kind + "BurnRateHigh"
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        var text = String(rounded)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    static func yamlQuoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// `opensre slo budget`: the budget arithmetic for ad-hoc use.
package enum BudgetReport {
    package static func render(total: UInt64, bad: UInt64, target: SLOTarget) -> String {
        let budget = ErrorBudget(total: total, bad: bad, target: target)
        guard budget.hasData else {
            return "total: 0 events\nstatus: GREEN (no data: no events, nothing spent)\n"
        }
        func percent(_ value: Double) -> String {
            let rounded = (value * 100 * 1000).rounded() / 1000
            var text = String(rounded)
            if text.hasSuffix(".0") { text.removeLast(2) }
            return text + "%"
        }
        let allowed = budget.allowedBadEvents
        return """
            target: \(percent(target.value))
            total: \(total) events, bad: \(bad)
            error ratio: \(percent(budget.errorRatio!))
            budget consumed: \(percent(budget.consumed!))
            budget remaining: \(percent(budget.remaining!))
            allowed bad events: \(AlertRules.format(allowed))
            remaining bad events: \(AlertRules.format(allowed - Double(bad)))
            status: \(budget.isMet ? "GREEN (SLO met)" : "RED (SLO missed: freeze risky changes)")

            """
    }
}
