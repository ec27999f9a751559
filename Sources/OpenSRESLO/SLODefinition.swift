/// One SLO, as loaded from an OpenSLO v1 document (`kind: SLO`).
package struct SLODefinition: Sendable, Equatable {
    /// `metadata.name`: the `slo` label of every exported series.
    package var name: String
    package var displayName: String
    package var service: String
    package var description: String
    /// `objectives[0].target` (or `targetPercent` / 100).
    package var target: SLOTarget
    /// The rolling `timeWindow[0].duration`, a whole number of minutes.
    package var period: Duration
    /// The period as written for the `window` label (`30d`, `28d`, `12h`).
    package var periodLabel: String
    /// Either `good` or `bad` events, and `total`.
    package var good: SLOEventSource?
    package var bad: SLOEventSource?
    package var total: SLOEventSource
    /// `spec.alertPolicies`, resolved: when there are any, the alert rules
    /// come from them instead of the default multiwindow ladder.
    package var alertPolicies: [SLOAlertPolicy]
    /// The SLO document as YAML (its references not expanded), for the
    /// detail page; empty for a definition not read from a file.
    package var source = ""

    /// What the SLO measures, for alert names: a latency SLO has an `le`.
    package var isLatency: Bool {
        good?.lessOrEqual != nil || bad?.lessOrEqual != nil
    }

    package init(
        name: String, displayName: String = "", service: String = "", description: String = "",
        target: SLOTarget, period: Duration, periodLabel: String, good: SLOEventSource? = nil,
        bad: SLOEventSource? = nil, total: SLOEventSource, alertPolicies: [SLOAlertPolicy] = []
    ) {
        self.name = name
        self.displayName = displayName
        self.service = service
        self.description = description
        self.target = target
        self.period = period
        self.periodLabel = periodLabel
        self.good = good
        self.bad = bad
        self.total = total
        self.alertPolicies = alertPolicies
    }
}

/// An indicator's event sources: either `good` or `bad`, and `total`.
struct SLOIndicator: Equatable {
    var good: SLOEventSource?
    var bad: SLOEventSource?
    var total: SLOEventSource
}
