import OpenSRESLO
import Testing

@Suite("Error budget arithmetic")
struct ErrorBudgetTests {
    let target = SLOTarget(decimal: "0.999")!

    @Test("targets are exact decimals in [0, 1)")
    func targets() {
        #expect(target.numerator == 999 && target.denominator == 1000)
        #expect(SLOTarget(decimal: "0.9990") == target)
        #expect(SLOTarget(decimal: "99.9", percent: true) == target)
        #expect(SLOTarget(decimal: "0") != nil)
        #expect(SLOTarget(decimal: "1.0") == nil)
        #expect(SLOTarget(decimal: "1") == nil)
        #expect(SLOTarget(decimal: "100", percent: true) == nil)
        #expect(SLOTarget(decimal: "-0.5") == nil)
        #expect(SLOTarget(decimal: "0.9.9") == nil)
    }

    @Test(
        "worked vectors: remaining = 1 - (bad/total)/(1 - target), unclamped",
        arguments: [
            (UInt64(1_000_000), UInt64(250), 0.75, true),
            (1_000, 0, 1.0, true),
            (1_000, 1, 0.0, true),  // exactly exhausted: still compliant
            (1_000, 2, -1.0, false),  // overspent twice
            (10_000, 5, 0.5, true),
            (1_000, 10, -9.0, false),
        ])
    func vectors(total: UInt64, bad: UInt64, remaining: Double, met: Bool) {
        let budget = ErrorBudget(total: total, bad: bad, target: target)
        #expect(budget.remaining == remaining)
        #expect(budget.consumed == 1 - remaining)
        #expect(budget.isMet == met)
    }

    @Test("no events is no data: no ratios at all, never NaN; the SLO counts as met")
    func noData() {
        let budget = ErrorBudget(total: 0, bad: 0, target: target)
        #expect(budget.remaining == nil && budget.consumed == nil && budget.errorRatio == nil)
        #expect(budget.isMet)
    }

    @Test("the exact boundary is decided in integers (1 - 0.999 is not 0.001 in floating point)")
    func exactBoundary() {
        #expect(1 - 0.999 != 0.001)
        let atBudget = ErrorBudget(total: 3_000_000, bad: 3_000, target: target)
        #expect(atBudget.remaining == 0 && atBudget.isMet)
        let oneOver = ErrorBudget(total: 3_000_000, bad: 3_001, target: target)
        #expect(!oneOver.isMet)
    }

    @Test("burn factors: 2% of a 30-day budget in 1h is 14.4; 28 days gives 13.44")
    func burnFactors() {
        let thirty = ErrorBudget.burnFactor(budgetFraction: 0.02, period: .seconds(30 * 86400), window: .seconds(3600))
        let twentyEight = ErrorBudget.burnFactor(budgetFraction: 0.02, period: .seconds(28 * 86400), window: .seconds(3600))
        #expect(abs(thirty - 14.4) < 1e-9)
        #expect(abs(twentyEight - 13.44) < 1e-9)
        let factors = AlertRules.pairs.map { AlertRules.factor($0, period: .seconds(30 * 86400)) }
        #expect(zip(factors, [14.4, 6, 3, 1]).allSatisfy { abs($0 - $1) < 1e-9 })
    }

    @Test("opensre slo budget prints the arithmetic")
    func report() {
        #expect(
            BudgetReport.render(total: 1_000_000, bad: 250, target: target) == """
                target: 99.9%
                total: 1000000 events, bad: 250
                error ratio: 0.025%
                budget consumed: 25%
                budget remaining: 75%
                allowed bad events: 1000
                remaining bad events: 750
                status: GREEN (SLO met)

                """)
        #expect(BudgetReport.render(total: 1_000, bad: 2, target: target).contains("budget remaining: -100%\n"))
        #expect(BudgetReport.render(total: 1_000, bad: 2, target: target).hasSuffix("status: RED (SLO missed: freeze risky changes)\n"))
        #expect(BudgetReport.render(total: 0, bad: 0, target: target).contains("no data"))
    }
}
