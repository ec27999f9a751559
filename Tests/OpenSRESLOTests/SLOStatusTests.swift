@testable import OpenSRESLO
import Testing

@Suite("SLO status (the overview's and the JSON API's numbers)")
struct SLOStatusTests {
    static let start: UInt64 = 1_700_000_040 * 1_000_000_000  // a minute boundary

    static func engine(_ definition: SLODefinition, total: UInt64, bad: UInt64) -> SLOEngine {
        let engine = SLOEngine(definitions: [definition], now: start)
        engine.observe(slo: 0, role: .total, series: 1, startTime: start, cumulative: total, now: start)
        engine.observe(slo: 0, role: .selected, series: 2, startTime: start, cumulative: bad, now: start)
        return engine
    }

    @Test("10 bad of 1000 at 99.9% over 30d: SLI 0.99, budget -9, red, burn 10 everywhere; the 6h page, the ticket and the exhaustion alert hold, not the 1h page (14.4)")
    func ladder() {
        let status = Self.engine(SLOEngineTests.availability(), total: 1000, bad: 10).status(slo: 0, now: Self.start)
        #expect(status.name == "api-availability" && status.kind == "availability" && status.window == "30d")
        #expect(status.objective == 0.999 && status.sli == 0.99 && status.events == 1000 && status.badEvents == 10)
        #expect(status.errorBudgetRemaining == -9 && status.status == "red" && status.timeToExhaustionSeconds == 0)
        #expect(status.windows.map(\.window) == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"])
        #expect(status.windows.allSatisfy { $0.burnRate == 10 && $0.events == 1000 && $0.badEvents == 10 })
        #expect(status.alerts == [
            SLOStatus.Alert(alert: "ApiAvailabilityBurnRateHigh", severity: "critical"),
            SLOStatus.Alert(alert: "ApiAvailabilityBurnRateHigh", severity: "warning"),
            SLOStatus.Alert(alert: "ApiAvailabilityErrorBudgetExhausted", severity: "info"),
        ])
    }

    @Test("without events: no SLI, no budget, green, no burn rate, no alert")
    func noData() {
        let status = SLOEngine(definitions: [SLOEngineTests.availability()], now: Self.start).status(slo: 0, now: Self.start)
        #expect(status.sli == nil && status.errorBudgetRemaining == nil && status.status == "green")
        #expect(status.windows.allSatisfy { $0.burnRate == nil && $0.events == 0 })
        #expect(status.alerts.isEmpty)
    }

    @Test("alert policies decide what holds: slow burn (15m > 1) yes, fast burn (1h >= 14.4) no, no-data no")
    func policies() throws {
        let slo = try #require(try OpenSLOLoader.parse(yaml: OpenSLOAlertPolicyTests.documents).first)
        let status = Self.engine(slo, total: 1000, bad: 10).status(slo: 0, now: Self.start)
        #expect(status.windows.map(\.window) == ["5m", "15m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"])
        #expect(status.alerts == [
            SLOStatus.Alert(alert: "ApiAvailabilitySlowBurn", severity: "ticket"),
            SLOStatus.Alert(alert: "ApiAvailabilityErrorBudgetExhausted", severity: "info"),
        ])
        // An hour later the 15m window is empty: its no-data alert holds instead.
        let later = Self.engine(slo, total: 1000, bad: 10).status(slo: 0, now: Self.start + 60 * 60_000_000_000)
        #expect(later.alerts.map(\.alert) == ["ApiAvailabilitySlowBurnNoData", "ApiAvailabilityErrorBudgetExhausted"])
    }

    @Test("the detail's history: good and bad events per minute, oldest first, at most the period")
    func history() {
        let engine = Self.engine(SLOEngineTests.availability(), total: 1000, bad: 10)
        let minute: UInt64 = 60_000_000_000
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 1100, now: Self.start + 2 * minute)
        let status = engine.status(slo: 0, now: Self.start + 2 * minute, historyMinutes: 3)
        #expect(status.history == SLOStatus.History(start: Int64(Self.start / 1_000_000_000), good: [990, 0, 100], bad: [10, 0, 0]))
        #expect(engine.status(slo: 0, now: Self.start).history == nil)
        // A 1h SLO keeps 60 minutes: asking for 360 gives its period.
        let hour = SLODefinition(
            name: "short", target: SLOTarget(decimal: "0.99")!, period: .seconds(3600), periodLabel: "1h",
            bad: SLOEventSource(metric: "m"), total: SLOEventSource(metric: "m"))
        #expect(SLOEngine(definitions: [hour], now: Self.start).status(slo: 0, now: Self.start, historyMinutes: 360).history?.good.count == 60)
    }

    @Test("the detail's charts: remaining budget over the period hourly, burn rate per alert window per minute, the ladder's thresholds")
    func charts() throws {
        let engine = Self.engine(SLOEngineTests.availability(), total: 1000, bad: 10)
        let minute: UInt64 = 60_000_000_000
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 1100, now: Self.start + 2 * minute)
        let charts = try #require(engine.status(slo: 0, now: Self.start + 2 * minute, historyMinutes: 3).charts)
        // 30 days in 720 hourly points ending now; only the last holds events: 10 bad of 1100 at 99.9%.
        let now = Int64(Self.start / 1_000_000_000) + 120
        #expect(charts.budget.step == 3600 && charts.budget.values.count == 720)
        #expect(charts.budget.start == now - 719 * 3600)
        #expect(charts.budget.values.dropLast().allSatisfy { $0 == nil })
        #expect(charts.budget.values.last == ErrorBudget(total: 1100, bad: 10, target: SLOTarget(decimal: "0.999")!).remaining)
        // Per minute of the history, over each alert window: 10 bad of 1000, nothing, 10 of 1100.
        #expect(charts.burnRates.map(\.window) == ["1h", "6h", "1d", "3d"])
        let expected: [Double?] = [10, 10, ErrorBudget(total: 1100, bad: 10, target: SLOTarget(decimal: "0.999")!).consumed]
        #expect(charts.burnRates.allSatisfy { $0.values == expected })
        #expect(charts.thresholds == [
            SLOStatus.Threshold(alert: "ApiAvailabilityBurnRateHigh", severity: "critical", window: "1h", shortWindow: "5m", op: .gt, burnRate: 14.4),
            SLOStatus.Threshold(alert: "ApiAvailabilityBurnRateHigh", severity: "critical", window: "6h", shortWindow: "30m", op: .gt, burnRate: 6),
            SLOStatus.Threshold(alert: "ApiAvailabilityBurnRateHigh", severity: "warning", window: "1d", shortWindow: "2h", op: .gt, burnRate: 3),
            SLOStatus.Threshold(alert: "ApiAvailabilityBurnRateHigh", severity: "warning", window: "3d", shortWindow: "6h", op: .gt, burnRate: 1),
        ])
        // The 1h window forgets the first minute's events 60 minutes later.
        let later = try #require(engine.status(slo: 0, now: Self.start + 60 * minute, historyMinutes: 2).charts)
        #expect(later.burnRates[0].values == [expected[2], 0])
        #expect(engine.status(slo: 0, now: Self.start).windows.filter(\.alerting).map(\.window) == ["1h", "6h", "1d", "3d"])
    }

    @Test("the charts derive bad events per window as the windows table does: good arriving a minute after its total is not bad")
    func chartsAgreeWithWindows() throws {
        let definition = SLODefinition(
            name: "good-based", target: SLOTarget(decimal: "0.999")!, period: .seconds(30 * 86_400), periodLabel: "30d",
            good: SLOEventSource(metric: "m"), total: SLOEventSource(metric: "m"))
        let engine = SLOEngine(definitions: [definition], now: Self.start)
        let minute: UInt64 = 60_000_000_000
        engine.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 100, now: Self.start)
        engine.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 100, now: Self.start + minute)
        let status = engine.status(slo: 0, now: Self.start + minute, historyMinutes: 2)
        let charts = try #require(status.charts)
        #expect(status.windows.first { $0.window == "1h" }?.burnRate == 0)
        // Minute 0 alone has 100 events and no good one yet; over the hour both minutes count.
        #expect(charts.burnRates[0].values == [1000, 0])
        #expect(charts.budget.values.last == 1)
    }

    @Test("alert policies' charts: their lookback windows and thresholds with their operators")
    func policyCharts() throws {
        let slo = try #require(try OpenSLOLoader.parse(yaml: OpenSLOAlertPolicyTests.documents).first)
        let charts = try #require(Self.engine(slo, total: 1000, bad: 10).status(slo: 0, now: Self.start, historyMinutes: 1).charts)
        #expect(charts.thresholds.map { "\($0.alert) \($0.window) \($0.op.rawValue) \($0.burnRate)" } == [
            "ApiAvailabilityFastBurn 1h gte 14.4", "ApiAvailabilitySlowBurn 15m gt 1.0",
        ])
        #expect(charts.burnRates.map(\.window) == ["15m", "1h"] && charts.burnRates.allSatisfy { $0.values == [10] })
    }
}
