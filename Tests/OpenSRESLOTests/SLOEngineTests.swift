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

    @Test("time to exhaustion: 0 when already spent, +Inf when the recent rate never spends it")
    func exhaustionBounds() {
        let hourly = Self.availability(period: .seconds(3600), label: "1h")
        let now = Self.start + 59 * Self.minute
        // 60,000 events in the last hour, 50 bad: 50 of 60 allowed, and the same mix keeps coming.
        let steady = SLOEngine(definitions: [hourly], now: Self.start)
        steady.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 60_000, now: now)
        steady.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 50, now: now)
        #expect(steady.timeToExhaustion(slo: 0, now: now) == .infinity)
        // 70 bad: already over the 60 allowed.
        steady.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 70, now: now)
        #expect(steady.timeToExhaustion(slo: 0, now: now) == 0)
        // No events: no data, no series.
        #expect(SLOEngine(definitions: [hourly], now: Self.start).timeToExhaustion(slo: 0, now: now) == nil)
    }
}
