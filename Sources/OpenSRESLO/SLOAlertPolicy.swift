/// An OpenSLO v1 `AlertPolicy` of an SLO (inline in `spec.alertPolicies` or
/// referenced by `alertPolicyRef`), with its one condition resolved (the
/// spec allows one per policy). An SLO with policies gets alert rules from
/// them (``AlertRules``) instead of the default multiwindow ladder.
package struct SLOAlertPolicy: Sendable, Equatable {
    package var name: String
    package var displayName: String
    package var description: String
    /// Fire while the condition holds (default true: a policy that never
    /// fires is a mistake more often than a choice).
    package var alertWhenBreaching: Bool
    /// Fire while the lookback window holds no events.
    package var alertWhenNoData: Bool
    package var condition: SLOAlertCondition
    /// `notificationTargets[].targetRef`: names only, put on the alert as
    /// the `notification_targets` label for Alertmanager to route on.
    package var notificationTargets: [String]

    package init(
        name: String, displayName: String = "", description: String = "", alertWhenBreaching: Bool = true,
        alertWhenNoData: Bool = false, condition: SLOAlertCondition, notificationTargets: [String] = []
    ) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.alertWhenBreaching = alertWhenBreaching
        self.alertWhenNoData = alertWhenNoData
        self.condition = condition
        self.notificationTargets = notificationTargets
    }
}

/// An OpenSLO v1 `AlertCondition` of kind `burnrate`: the burn rate over
/// `lookbackWindow` compared with `threshold`, held for `alertAfter`.
package struct SLOAlertCondition: Sendable, Equatable {
    package enum Operator: String, Sendable, CaseIterable {
        case gt, gte, lt, lte

        /// The PromQL comparison.
        package var promQL: String {
            switch self {
            case .gt: ">"
            case .gte: ">="
            case .lt: "<"
            case .lte: "<="
            }
        }
    }

    package var name: String
    package var displayName: String
    package var description: String
    /// `severity`: required by the spec, the alert's `severity` label.
    package var severity: String
    /// `op`, default `gt`.
    package var comparison: Operator
    package var threshold: Double
    /// `lookbackWindow` in whole minutes, and as written for the `window` label.
    package var lookbackMinutes: Int
    package var lookbackLabel: String
    /// `alertAfter` in whole minutes (0: fire at once), the rule's `for`.
    package var alertAfterMinutes: Int

    package init(
        name: String, displayName: String = "", description: String = "", severity: String,
        comparison: Operator = .gt, threshold: Double, lookbackMinutes: Int, alertAfterMinutes: Int = 0
    ) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.severity = severity
        self.comparison = comparison
        self.threshold = threshold
        self.lookbackMinutes = lookbackMinutes
        self.lookbackLabel = SLODuration.label(.seconds(lookbackMinutes * 60))
        self.alertAfterMinutes = alertAfterMinutes
    }
}
