import OpenSREModel

/// Error-budget arithmetic over a count of events (OpenSLO "Occurrences"),
/// with every comparison done on exact integers.
///
/// With e = bad/total and b = 1 − target: consumed = e/b (the period burn
/// rate), remaining = 1 − consumed, **unclamped** (negative = overspent).
/// "No data" when total is 0: never NaN, never a division by zero.
package struct ErrorBudget: Sendable, Equatable {
    package let total: UInt64
    package let bad: UInt64
    package let target: SLOTarget

    package init(total: UInt64, bad: UInt64, target: SLOTarget) {
        self.total = total
        self.bad = min(bad, total)
        self.target = target
    }

    package var hasData: Bool { total > 0 }

    /// bad × D and total × (D − N), exactly (target = N/D).
    private var scaled: (bad: UInt128, allowed: UInt128) {
        (UInt128(bad) * UInt128(target.denominator), UInt128(total) * UInt128(target.denominator - target.numerator))
    }

    /// bad/total, or nil without data.
    package var errorRatio: Double? {
        hasData ? Double(bad) / Double(total) : nil
    }

    /// Fraction of the budget spent (= burn rate over the window), or nil without data.
    package var consumed: Double? {
        guard hasData else { return nil }
        let (bad, allowed) = scaled
        return Self.ratio(bad, allowed)
    }

    /// 1 − consumed, unclamped; exactly 0 when the budget is exactly spent.
    package var remaining: Double? {
        guard hasData else { return nil }
        let (bad, allowed) = scaled
        if bad <= allowed { return Self.ratio(allowed - bad, allowed) }
        return -Self.ratio(bad - allowed, allowed)
    }

    /// The SLO is met: bad/total ≤ 1 − target, decided exactly. Met without data.
    package var isMet: Bool {
        let (bad, allowed) = scaled
        return bad <= allowed
    }

    /// Bad events the budget allows: (1 − target) × total (may be fractional).
    package var allowedBadEvents: Double {
        Double(total) * Double(target.denominator - target.numerator) / Double(target.denominator)
    }

    private static func ratio(_ numerator: UInt128, _ denominator: UInt128) -> Double {
        Double(numerator) / Double(denominator)
    }

    /// The burn factor that spends `fraction` of the budget of `period` within `window`
    /// (SRE Workbook: 0.02 × 30 d / 1 h = 14.4).
    package static func burnFactor(budgetFraction fraction: Double, period: Duration, window: Duration) -> Double {
        fraction * period.seconds / window.seconds
    }
}
