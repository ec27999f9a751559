import PrometheusExposition

/// The SLO series, with the fixed names dashboards and generated rules use:
/// a scrape source whose windows end at the scrape's wall clock.
extension SLOEngine: MetricFamilySource {
    package func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
        families(now: scrape.wallClock)
    }

    /// All SLO families at `now` (Unix ns). Ratios and burn rates are left out
    /// for a window without events ("no data"), never NaN; the event counts are
    /// always there, so alerts can require a minimum of events.
    package func families(now: UInt64) -> [SyntheticFamily] {
        var events = SyntheticFamily(
            name: "opensre_slo_events_total", type: .counter, help: "Events counted for the SLO, by outcome.")
        var remaining = SyntheticFamily(
            name: "opensre_slo_error_budget_remaining_ratio", type: .gauge,
            help: "Error budget left over the SLO period: 1 - (bad/total)/(1 - target); negative when overspent.")
        var consumed = SyntheticFamily(
            name: "opensre_slo_error_budget_consumed_ratio", type: .gauge,
            help: "Error budget spent over the SLO period: (bad/total)/(1 - target).")
        var burn = SyntheticFamily(
            name: "opensre_slo_burn_rate", type: .gauge,
            help: "Error ratio over the window divided by the allowed error ratio (1 = budget spent exactly over the period).")
        var errorRatio = SyntheticFamily(
            name: "opensre_slo_error_ratio", type: .gauge, help: "Bad events / total events over the window.")
        var inWindow = SyntheticFamily(
            name: "opensre_slo_events_in_window", type: .gauge, help: "Total events over the window.")
        var objective = SyntheticFamily(
            name: "opensre_slo_objective_ratio", type: .gauge, help: "The SLO target.")
        var exhaustion = SyntheticFamily(
            name: "opensre_slo_time_to_exhaustion_seconds", type: .gauge,
            help: "Seconds until the period's error budget is spent at the last hour's rates, with old events leaving the rolling window (+Inf: never).")
        var status = SyntheticFamily(
            name: "opensre_slo_budget_status", type: .gauge,
            help: "1 for the current budget policy status: green while the SLO is met over the period, red when not.")
        var mismatches = SyntheticFamily(
            name: "opensre_slo_threshold_mismatch_total", type: .counter,
            help: "Histogram points skipped because the SLO's le is not one of their bucket bounds.")

        for (index, definition) in definitions.enumerated() {
            let slo = Label("slo", definition.name)
            let (good, bad) = lifetimeEvents(slo: index)
            events.samples.append(.init([Label("outcome", "bad"), slo], Double(bad)))
            events.samples.append(.init([Label("outcome", "good"), slo], Double(good)))
            let periodMinutes = slots[index].count
            let period = budget(slo: index, minutes: periodMinutes, now: now)
            if let value = period.remaining { remaining.samples.append(.init([slo], value)) }
            if let value = period.consumed { consumed.samples.append(.init([slo], value)) }
            for window in Self.windows(of: definition) {
                let labels = [slo, Label("window", window.label)]
                let state = window.minutes == periodMinutes ? period : budget(slo: index, minutes: window.minutes, now: now)
                inWindow.samples.append(.init(labels, Double(state.total)))
                if let value = state.consumed { burn.samples.append(.init(labels, value)) }
                if let value = state.errorRatio { errorRatio.samples.append(.init(labels, value)) }
            }
            objective.samples.append(.init([slo], definition.target.value))
            if let seconds = timeToExhaustion(slo: index, now: now) { exhaustion.samples.append(.init([slo], seconds)) }
            status.samples.append(.init([slo, Label("status", "green")], period.isMet ? 1 : 0))
            status.samples.append(.init([slo, Label("status", "red")], period.isMet ? 0 : 1))
            mismatches.samples.append(.init([slo], Double(thresholdMismatches[index])))
        }
        return [events, remaining, consumed, burn, errorRatio, inWindow, objective, exhaustion, status, mismatches]
    }
}
