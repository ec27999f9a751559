import Dispatch
import OpenSREModel

/// Time as the processor loop sees it, and its one way to wait: until woken
/// or until a deadline. Injected so tests drive the loop with
/// a manual clock (batch timeouts, expiry, persistence, scrape pacing and the
/// stalled-scraper cut-off) instead of sleeping and hoping.
package protocol ProcessorClock: Sendable {
    /// Monotonic nanoseconds: deadlines, ages, expiry.
    func now() -> UInt64
    /// Unix nanoseconds: the SLO windows' "now" and the points' wall-clock checks.
    func wallClock() -> UInt64
    /// Blocks the processor thread until ``wake()`` is called or ``now()``
    /// reaches `deadline` (`.max`: no deadline); true when woken. A wake-up
    /// given while nobody waits ends the next wait at once.
    func waitForWake(until deadline: UInt64) -> Bool
    /// Ends the current or the next ``waitForWake(until:)``. Any thread.
    func wake()
}

/// The real clocks: `DispatchTime` uptime and `CLOCK_REALTIME`, waiting on a semaphore.
package final class SystemProcessorClock: ProcessorClock {
    private let wakeup = DispatchSemaphore(value: 0)

    package init() {}

    package func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    package func wallClock() -> UInt64 { WallClock.now() }

    package func waitForWake(until deadline: UInt64) -> Bool {
        if deadline == .max {
            wakeup.wait()
            return true
        }
        let now = now()
        guard deadline > now else { return false }
        return wakeup.wait(timeout: .now() + .nanoseconds(Int(clamping: deadline - now))) == .success
    }

    package func wake() { wakeup.signal() }
}

extension UInt64 {
    /// `self + other`, or `.max` (never) when that overflows: deadlines far
    /// away (an interval of `.max` means "not scheduled").
    func saturatingAdd(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
