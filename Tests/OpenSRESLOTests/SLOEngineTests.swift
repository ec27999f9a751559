import OpenSRESLO
import PrometheusExposition
import Testing

@Suite("SLO engine")
struct SLOEngineTests {
    static let minute: UInt64 = 60_000_000_000
    static let start: UInt64 = 1_700_000_000 * 1_000_000_000  // a minute boundary

    static func availability(period: Duration = .seconds(30 * 86400), label: String = "30d") -> SLODefinition {
        SLODefinition(
            name: "api-availability", target: SLOTarget(decimal: "0.999")!, period: period, periodLabel: label,
            bad: SLOEventSource(metric: "http.server.request.duration", match: [AttributeMatch(key: "http.response.status_code", pattern: "5..")]),
            total: SLOEventSource(metric: "http.server.request.duration"))
    }

    func value(_ families: [SyntheticFamily], _ name: String, _ labels: [Label]) -> Double? {
        families.first { $0.name == name }?.samples.first { $0.labels == labels }?.value
    }

    @Test("cumulative inputs become increments; a new start time is a reset; a series older than counting is a baseline")
    func increments() {
        let engine = SLOEngine(definitions: [Self.availability()], now: Self.start)
        let now = Self.start + 5 * Self.minute
        // Started before counting began: its past is unknown, so only later increases count.
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start - 1, cumulative: 500, now: now)
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start - 1, cumulative: 540, now: now)
        // Started after: everything counts.
        engine.observe(slo: 0, role: .total, series: 2, startTime: Self.start + 1, cumulative: 60, now: now)
        engine.observe(slo: 0, role: .selected, series: 3, startTime: Self.start + 1, cumulative: 2, now: now)
        // Reset (new start time): the new value counts whole.
        engine.observe(slo: 0, role: .total, series: 2, startTime: Self.start + 2, cumulative: 7, now: now)
        // A value that went down is a reset too.
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start - 1, cumulative: 3, now: now)
        #expect(engine.budget(slo: 0, minutes: 60, now: now).total == 40 + 60 + 7 + 3)
        #expect(engine.budget(slo: 0, minutes: 60, now: now).bad == 2)
        #expect(engine.lifetimeEvents(slo: 0) == (good: 108, bad: 2))
    }

    @Test("windows weigh by traffic: 12h at 1000 rps clean + 12h at 10 rps with 1% errors burns 0.099, not 5")
    func trafficWeighted() {
        let engine = SLOEngine(definitions: [Self.availability()], now: Self.start)
        var total: UInt64 = 0
        var bad: UInt64 = 0
        var now = Self.start
        for minute in 0..<(24 * 60) {
            now = Self.start + UInt64(minute) * Self.minute
            if minute < 720 {
                total += 60_000
            } else {
                total += 600
                bad += 6
            }
            engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: total, now: now)
            engine.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: bad, now: now)
        }
        let families = engine.families(now: now)
        let burn30d = value(families, "opensre_slo_burn_rate", [Label("slo", "api-availability"), Label("window", "30d")])!
        #expect(abs(burn30d - 4320.0 / 43_632_000 / 0.001) < 1e-12)
        #expect(abs(burn30d - 0.099) < 0.0001)
        // The last hour alone is all low traffic at 1% errors: burn 10.
        #expect(value(families, "opensre_slo_burn_rate", [Label("slo", "api-availability"), Label("window", "1h")]) == 10)
        #expect(value(families, "opensre_slo_events_in_window", [Label("slo", "api-availability"), Label("window", "5m")]) == 3000)
        #expect(value(families, "opensre_slo_budget_status", [Label("slo", "api-availability"), Label("status", "green")]) == 1)
    }

    @Test("exported series: exact counters, unclamped budget, no ratio without events, the objective")
    func exports() {
        let engine = SLOEngine(definitions: [Self.availability()], now: Self.start)
        let slo = Label("slo", "api-availability")
        var families = engine.families(now: Self.start)
        #expect(value(families, "opensre_slo_error_budget_remaining_ratio", [slo]) == nil)
        #expect(families.first { $0.name == "opensre_slo_burn_rate" }?.samples.isEmpty == true)
        #expect(value(families, "opensre_slo_events_in_window", [slo, Label("window", "30d")]) == 0)
        #expect(value(families, "opensre_slo_objective_ratio", [slo]) == 0.999)
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 1000, now: Self.start)
        engine.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 2, now: Self.start)
        families = engine.families(now: Self.start)
        #expect(value(families, "opensre_slo_events_total", [Label("outcome", "bad"), slo]) == 2)
        #expect(value(families, "opensre_slo_events_total", [Label("outcome", "good"), slo]) == 998)
        #expect(value(families, "opensre_slo_error_budget_remaining_ratio", [slo]) == -1)
        #expect(value(families, "opensre_slo_error_budget_consumed_ratio", [slo]) == 2)
        #expect(value(families, "opensre_slo_budget_status", [slo, Label("status", "red")]) == 1)
        #expect(value(families, "opensre_slo_time_to_exhaustion_seconds", [slo]) == 0)
        #expect(families.first { $0.name == "opensre_slo_burn_rate" }?.samples.map { $0.labels[1].value } == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"])
    }

    @Test("time to exhaustion: clean old minutes leave the window while the last hour's bad rate continues")
    func exhaustionFinite() {
        // A 1-day SLO at 99.9%: 1000 events a minute all day; 2 of them bad a minute in the last hour only.
        let daily = Self.availability(period: .seconds(86400), label: "1d")
        let engine = SLOEngine(definitions: [daily], now: Self.start)
        var bad: UInt64 = 0
        for minute in 0..<1440 {
            let at = Self.start + UInt64(minute) * Self.minute
            if minute >= 1380 { bad += 2 }
            engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: UInt64(minute + 1) * 1000, now: at)
            engine.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: bad, now: at)
        }
        // Window: 1,440,000 events, 120 bad, 1,440 allowed. Each minute 1000 arrive (2 bad) and 1000 clean ones
        // leave, so bad first exceeds the allowed 1,440 after 661 minutes.
        #expect(engine.timeToExhaustion(slo: 0, now: Self.start + 1439 * Self.minute) == Double(661 * 60))
    }

    @Test("time to exhaustion knows that old events leave the rolling window")
    func exhaustion() {
        // A 1-hour SLO at 99.9%: 10,000 events with 5 bad an hour ago, and now a steady 100 events/min, 0.2% bad.
        let hourly = Self.availability(period: .seconds(3600), label: "1h")
        let engine = SLOEngine(definitions: [hourly], now: Self.start)
        let now = Self.start + 59 * Self.minute
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 10_000, now: Self.start)
        engine.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 5, now: Self.start)
        // Last hour's rate includes the old minute: check the simulation against a direct computation.
        let seconds = engine.timeToExhaustion(slo: 0, now: now)
        // Minute 1: the 10,000 events (5 bad) leave the window, while 10,000/60 per minute, 5/60 bad, arrive.
        // After that the window holds k minutes of the same mix: 5/10,000 = 0.05% < 0.1%, so never exhausted.
        #expect(seconds == .infinity)
        // At a steady 0.2% error rate the budget is spent as soon as the window is dominated by it.
        let bad = SLOEngine(definitions: [hourly], now: Self.start)
        for minute in 0..<60 {
            let at = Self.start + UInt64(minute) * Self.minute
            bad.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: UInt64(minute + 1) * 1000, now: at)
        }
        bad.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 1, now: Self.start + 59 * Self.minute)
        // 60,000 events, 1 bad: 1.67% of the budget. Last hour: 1000/min, 1/60 bad per minute → 1/60,000 < 0.1%: never.
        #expect(bad.timeToExhaustion(slo: 0, now: Self.start + 59 * Self.minute) == .infinity)
        bad.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 70, now: Self.start + 59 * Self.minute)
        // Now 70 bad in the last minute: the window (60,000 events, 70 bad) is over budget already.
        #expect(bad.timeToExhaustion(slo: 0, now: Self.start + 59 * Self.minute) == 0)
        let marginal = SLOEngine(definitions: [hourly], now: Self.start)
        marginal.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 60_000, now: Self.start + 59 * Self.minute)
        marginal.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 50, now: Self.start + 59 * Self.minute)
        // 50 of 60 allowed now; the hour's rates (60,000 events, 50 bad) keep arriving: the window doubles
        // before the old minute leaves, and 100 bad of 120,000 stays under 0.1%... until the old minute
        // leaves at minute 60, when the window holds 59 minutes of the rate: 59×50/60 bad of 59×1000 → 0.083%.
        #expect(marginal.timeToExhaustion(slo: 0, now: Self.start + 59 * Self.minute) == .infinity)
    }
}
