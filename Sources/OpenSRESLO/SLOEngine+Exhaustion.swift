/// Time to exhaustion, aware that the window rolls.
extension SLOEngine {
    /// Seconds until the period's budget is spent if events keep arriving at
    /// the last hour's rates, while the events of the oldest minutes leave the
    /// window: 0 when it already is, +Inf when it never is within one period.
    /// Decided minute by minute, in integers.
    package func timeToExhaustion(slo: Int, now: UInt64) -> Double? {
        let definition = definitions[slo]
        let periodMinutes = slots[slo].count
        let nowMinute = Int64(now / 60_000_000_000)
        let window = slots[slo].sum(endingAt: nowMinute, width: periodMinutes)
        guard window.total > 0 else { return nil }
        let hour = slots[slo].sum(endingAt: nowMinute, width: 60)
        let hourBad = bad(slo: slo, total: hour.total, selected: hour.selected)
        let numerator = UInt128(definition.target.denominator - definition.target.numerator)
        let denominator = UInt128(definition.target.denominator)
        var total = UInt128(window.total)
        var badEvents = UInt128(bad(slo: slo, total: window.total, selected: window.selected))
        func exhausted() -> Bool { badEvents * denominator > total * numerator }
        if exhausted() { return 0 }
        // Rates per minute, as fractions of an hour's counts (kept exact by working in 60ths).
        total *= 60
        badEvents *= 60
        for step in 1...periodMinutes {
            total += UInt128(hour.total)
            badEvents += UInt128(hourBad)
            let leaving = slots[slo].counts(at: nowMinute - Int64(periodMinutes) + Int64(step))
            total -= min(total, UInt128(leaving.total) * 60)
            badEvents -= min(badEvents, UInt128(bad(slo: slo, total: leaving.total, selected: leaving.selected)) * 60)
            if total > 0, exhausted() { return Double(step * 60) }
        }
        return .infinity
    }
}
