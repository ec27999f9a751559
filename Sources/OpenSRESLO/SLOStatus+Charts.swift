/// The series behind the SLO detail's charts (and `GET /api/v1/slos/{name}`):
/// remaining budget over the period, burn rates over the last hours with the
/// thresholds the alerts use. Field names are the API's, stable.
extension SLOStatus {
    package struct Charts: Sendable, Equatable, Encodable {
        /// Remaining budget at each point from `start` (Unix s) every `step`
        /// seconds to now, each over the period ending there (of the events
        /// the collector holds: none before it started counting); null
        /// where that period had no events. About 720 points per period.
        package var budget: Points
        /// Per alert window (the long windows of the alerts), the burn rate
        /// over that window ending at each minute of ``SLOStatus/history``.
        package var burnRates: [BurnRate]
        /// The burn rates at which the generated alerts fire.
        package var thresholds: [Threshold]
    }

    package struct Points: Sendable, Equatable, Encodable {
        package var start: Int64
        package var step: Int
        package var values: [Double?]
    }

    package struct BurnRate: Sendable, Equatable, Encodable {
        package var window: String
        package var values: [Double?]
    }

    /// One alert condition: `burnRate` over `window` (and `shortWindow`, for
    /// the multiwindow ladder) compared with `op`.
    package struct Threshold: Sendable, Equatable, Encodable {
        package var alert: String
        package var severity: String
        package var window: String
        package var shortWindow: String?
        /// `gt`, `gte`, `lt` or `lte`.
        package var op: SLOAlertCondition.Operator
        package var burnRate: Double

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(alert, forKey: .alert)
            try container.encode(severity, forKey: .severity)
            try container.encode(window, forKey: .window)
            try container.encode(shortWindow, forKey: .shortWindow)
            try container.encode(op, forKey: .op)
            try container.encode(burnRate, forKey: .burnRate)
        }

        private enum Key: String, CodingKey { case alert, severity, window, shortWindow, op, burnRate }
    }
}

extension SLOEngine {
    /// Points of the remaining-budget chart per period.
    static let budgetPoints = 720

    /// The charts of SLO `index` at `now` (Unix ns), the burn rates over the
    /// `minutes` ending now (as ``SLOStatus/history``).
    func charts(slo index: Int, minutes: Int, now: UInt64) -> SLOStatus.Charts {
        let definition = definitions[index]
        let last = Int64(now / 60_000_000_000)
        let periodMinutes = slots[index].count
        let sums = RunningSums(engine: self, slo: index, from: last - Int64(periodMinutes) + 1, through: last)
        func budget(endingAt minute: Int64, width: Int) -> ErrorBudget {
            let (total, bad) = sums.sum(endingAt: minute, width: width)
            return ErrorBudget(total: total, bad: bad, target: definition.target)
        }
        let stepMinutes = max(1, periodMinutes / Self.budgetPoints)
        let points = periodMinutes / stepMinutes
        let budgetStart = last - Int64((points - 1) * stepMinutes)
        let remaining = (0..<points).map { budget(endingAt: budgetStart + Int64($0 * stepMinutes), width: periodMinutes).remaining }
        let shown = min(minutes, periodMinutes)
        let thresholds = AlertRules.thresholds(definition)
        var windows: [(label: String, minutes: Int)] = []
        for threshold in thresholds where !windows.contains(where: { $0.label == threshold.window }) {
            guard let window = Self.windows(of: definition).first(where: { $0.label == threshold.window }) else { continue }
            windows.append(window)
        }
        let burnRates = windows.sorted { $0.minutes < $1.minutes }.map { window in
            SLOStatus.BurnRate(
                window: window.label,
                values: (0..<shown).map { budget(endingAt: last - Int64(shown - 1 - $0), width: window.minutes).consumed })
        }
        return SLOStatus.Charts(
            budget: SLOStatus.Points(start: budgetStart * 60, step: stepMinutes * 60, values: remaining),
            burnRates: burnRates, thresholds: thresholds)
    }
}

/// Prefix sums of one SLO's total and selected events per minute over a
/// range of minutes, so a window's sum at every point of a chart costs two
/// reads; minutes outside the range count as empty. Bad events are derived
/// from a window's sums, as ``SLOEngine/budget(slo:minutes:now:)`` does, so
/// the charts agree with the windows table. Wrapping arithmetic: a
/// difference of wrapped prefix sums is still the window's (wrapped) sum.
private struct RunningSums {
    let first: Int64
    let engine: SLOEngine
    let slo: Int
    private var totals: [UInt64] = [0]
    private var selected: [UInt64] = [0]

    init(engine: SLOEngine, slo: Int, from first: Int64, through last: Int64) {
        self.first = first
        self.engine = engine
        self.slo = slo
        totals.reserveCapacity(Int(last - first) + 2)
        selected.reserveCapacity(Int(last - first) + 2)
        for minute in first...last {
            let counts = engine.slots[slo].counts(at: minute)
            totals.append(totals[totals.count - 1] &+ counts.total)
            selected.append(selected[selected.count - 1] &+ counts.selected)
        }
    }

    /// (total, bad) over the `width` minutes ending with `minute`.
    func sum(endingAt minute: Int64, width: Int) -> (UInt64, UInt64) {
        func index(_ minute: Int64) -> Int { Int(max(0, min(minute - first + 1, Int64(totals.count - 1)))) }
        let upper = index(minute)
        let lower = index(minute - Int64(width))
        let total = totals[upper] &- totals[lower]
        return (total, engine.bad(slo: slo, total: total, selected: selected[upper] &- selected[lower]))
    }
}

extension AlertRules {
    /// The burn-rate conditions of the rules generated for `definition`:
    /// its policies' conditions, or the ladder's pairs shorter than its period.
    package static func thresholds(_ definition: SLODefinition) -> [SLOStatus.Threshold] {
        if !definition.alertPolicies.isEmpty {
            return definition.alertPolicies.filter(\.alertWhenBreaching).map { policy in
                let condition = policy.condition
                return SLOStatus.Threshold(
                    alert: policyAlertName(policy, of: definition), severity: condition.severity,
                    window: condition.lookbackLabel, shortWindow: nil, op: condition.comparison,
                    burnRate: condition.threshold)
            }
        }
        let periodMinutes = Int(definition.period.components.seconds / 60)
        return pairs.filter { $0.longMinutes < periodMinutes }.map { pair in
            SLOStatus.Threshold(
                alert: alertName(definition), severity: pair.severity == "page" ? "critical" : "warning",
                window: pair.long, shortWindow: pair.short, op: .gt,
                burnRate: Double(format(factor(pair, period: definition.period))) ?? 0)
        }
    }
}

extension SLOAlertCondition.Operator: Encodable {}
