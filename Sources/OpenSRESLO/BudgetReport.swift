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
