/// One SLO as it stands now: the numbers the overview page, the JSON API
/// (`GET /api/v1/slos`) and `opensre_slo_*` share, read from the engine
/// (``SLOEngine/statuses(now:)``). Field names are the API's, stable.
package struct SLOStatus: Sendable, Equatable, Encodable {
    package struct Window: Sendable, Equatable, Encodable {
        /// `5m`, `1h`, … or the period (`30d`).
        package var window: String
        package var events: UInt64
        package var badEvents: UInt64
        /// Error ratio / allowed error ratio; nil without events.
        package var burnRate: Double?
        /// The long window of a generated alert's condition (the overview's columns).
        package var alerting = false
    }

    /// An alert `opensre slo rules` generates whose condition holds now (its
    /// `for`, if any, is not waited for here: it is pending or firing).
    package struct Alert: Sendable, Equatable, Encodable {
        package var alert: String
        package var severity: String

        package init(alert: String, severity: String) {
            self.alert = alert
            self.severity = severity
        }
    }

    package var name: String
    package var displayName: String
    package var service: String
    /// `latency` (the indicator has an `le`) or `availability`.
    package var kind: String
    package var objective: Double
    /// The rolling period (`30d`).
    package var window: String
    /// Good events / events over the period; nil without events.
    package var sli: Double?
    package var events: UInt64
    package var badEvents: UInt64
    /// 1 − consumed over the period, unclamped (negative: overspent); nil without events.
    package var errorBudgetRemaining: Double?
    /// `green` while the SLO is met over the period, else `red` (the budget policy).
    package var status: String
    /// At the last hour's rates; nil when the budget is never spent within a period.
    package var timeToExhaustionSeconds: Double?
    /// Every exported window, shortest first.
    package var windows: [Window]
    package var alerts: [Alert]
    /// Good and bad events per minute, for the detail's charts (``SLOEngine/status(slo:now:historyMinutes:)``).
    package var history: History?
    /// The detail's chart series (with ``history``).
    package var charts: Charts?

    /// Events per minute, oldest first, from `start` (Unix seconds).
    package struct History: Sendable, Equatable, Encodable {
        package var start: Int64
        package var step = 60
        package var good: [UInt64]
        package var bad: [UInt64]

        package init(start: Int64, good: [UInt64], bad: [UInt64]) {
            self.start = start
            self.good = good
            self.bad = bad
        }
    }
}

extension SLOEngine {
    /// Every SLO's status at `now` (Unix ns), in definition order.
    package func statuses(now: UInt64) -> [SLOStatus] {
        definitions.indices.map { status(slo: $0, now: now) }
    }

    /// `historyMinutes` > 0 adds that many minutes of events (at most the period).
    package func status(slo index: Int, now: UInt64, historyMinutes: Int = 0) -> SLOStatus {
        let definition = definitions[index]
        let alerting = Set(AlertRules.thresholds(definition).map(\.window))
        let windows = Self.windows(of: definition).map { window -> SLOStatus.Window in
            let budget = budget(slo: index, minutes: window.minutes, now: now)
            return SLOStatus.Window(
                window: window.label, events: budget.total, badEvents: budget.bad, burnRate: budget.consumed,
                alerting: alerting.contains(window.label))
        }
        let period = budget(slo: index, minutes: Int(definition.period.components.seconds / 60), now: now)
        let exhaustion = timeToExhaustion(slo: index, now: now)
        return SLOStatus(
            name: definition.name, displayName: definition.displayName, service: definition.service,
            kind: definition.isLatency ? "latency" : "availability", objective: definition.target.value,
            window: definition.periodLabel,
            sli: period.hasData ? Double(period.total - period.bad) / Double(period.total) : nil,
            events: period.total, badEvents: period.bad, errorBudgetRemaining: period.remaining,
            status: period.isMet ? "green" : "red",
            timeToExhaustionSeconds: exhaustion.flatMap { $0.isFinite ? $0 : nil }, windows: windows,
            alerts: AlertRules.holding(definition, windows: windows, met: period.isMet),
            history: historyMinutes > 0 ? history(slo: index, minutes: historyMinutes, now: now) : nil,
            charts: historyMinutes > 0 ? charts(slo: index, minutes: historyMinutes, now: now) : nil)
    }

    private func history(slo index: Int, minutes: Int, now: UInt64) -> SLOStatus.History {
        let last = Int64(now / 60_000_000_000)
        let count = min(minutes, slots[index].count)
        var good: [UInt64] = []
        var bad: [UInt64] = []
        for minute in (last - Int64(count) + 1)...last {
            let counts = slots[index].counts(at: minute)
            let badEvents = self.bad(slo: index, total: counts.total, selected: counts.selected)
            good.append(counts.total - badEvents)
            bad.append(badEvents)
        }
        return SLOStatus.History(start: (last - Int64(count) + 1) * 60, good: good, bad: bad)
    }
}

extension AlertRules {
    /// The alerts of ``ruleGroups(_:minimumEvents:)`` for `definition` whose
    /// condition holds for these windows (without `--min-events`).
    package static func holding(_ definition: SLODefinition, windows: [SLOStatus.Window], met: Bool) -> [SLOStatus.Alert] {
        let byLabel = Dictionary(windows.map { ($0.window, $0) }, uniquingKeysWith: { first, _ in first })
        func burn(_ label: String) -> Double? { byLabel[label]?.burnRate }
        var alerts: [SLOStatus.Alert] = []
        for threshold in thresholds(definition) {
            let over = { (window: String) in
                burn(window).map { threshold.op.holds($0, threshold.burnRate) } ?? false
            }
            let holds = over(threshold.window) && threshold.shortWindow.map(over) ?? true
            if holds, !alerts.contains(where: { $0.alert == threshold.alert && $0.severity == threshold.severity }) {
                alerts.append(.init(alert: threshold.alert, severity: threshold.severity))
            }
        }
        for policy in definition.alertPolicies where policy.alertWhenNoData {
            let condition = policy.condition
            if (byLabel[condition.lookbackLabel]?.events ?? 0) == 0 {
                alerts.append(.init(alert: policyAlertName(policy, of: definition) + "NoData", severity: condition.severity))
            }
        }
        if !met { alerts.append(.init(alert: alertName(definition, suffix: "ErrorBudgetExhausted"), severity: "info")) }
        return alerts
    }
}

extension SLOAlertCondition.Operator {
    /// `value op threshold`, as the rule's PromQL compares.
    package func holds(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .gt: value > threshold
        case .gte: value >= threshold
        case .lt: value < threshold
        case .lte: value <= threshold
        }
    }
}

/// Explicit nulls (not absent keys) where there is no data, so every
/// response has every field.
extension SLOStatus {
    private enum Key: String, CodingKey {
        case name, displayName, service, kind, objective, window, sli, events, badEvents, errorBudgetRemaining, status
        case timeToExhaustionSeconds, windows, alerts, history, charts
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(name, forKey: .name)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(service, forKey: .service)
        try container.encode(kind, forKey: .kind)
        try container.encode(objective, forKey: .objective)
        try container.encode(window, forKey: .window)
        try container.encode(sli, forKey: .sli)
        try container.encode(events, forKey: .events)
        try container.encode(badEvents, forKey: .badEvents)
        try container.encode(errorBudgetRemaining, forKey: .errorBudgetRemaining)
        try container.encode(status, forKey: .status)
        try container.encode(timeToExhaustionSeconds, forKey: .timeToExhaustionSeconds)
        try container.encode(windows, forKey: .windows)
        try container.encode(alerts, forKey: .alerts)
        try container.encodeIfPresent(history, forKey: .history)  // the detail only
        try container.encodeIfPresent(charts, forKey: .charts)
    }
}

extension SLOStatus.Window {
    private enum Key: String, CodingKey { case window, events, badEvents, burnRate, alerting }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(window, forKey: .window)
        try container.encode(events, forKey: .events)
        try container.encode(badEvents, forKey: .badEvents)
        try container.encode(burnRate, forKey: .burnRate)
        try container.encode(alerting, forKey: .alerting)
    }
}
