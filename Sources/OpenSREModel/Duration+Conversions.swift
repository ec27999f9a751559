/// The conversions of a configured `Duration` to the units clocks, timers and
/// arithmetic take, written once. Anything taking NIO's `TimeAmount` uses
/// NIO's own `TimeAmount(_:)` (clamped) instead.
extension Duration {
    /// Whole nanoseconds, as monotonic clocks count them; a negative duration
    /// counts as zero (fractions of a nanosecond are dropped).
    package var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(max(attoseconds, 0) / 1_000_000_000)
    }

    /// Whole milliseconds (negative durations count as zero), clamped to `Int`.
    package var milliseconds: Int {
        Int(clamping: nanoseconds / 1_000_000)
    }

    /// Seconds as a `Double`, fractions included: for rates and ratios.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
