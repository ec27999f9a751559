import Dispatch
import OpenSREPipeline
import Synchronization

/// A processor clock that moves only when the test says so. The processor
/// thread's waits end on a wake-up or when ``advance(by:)`` reaches their
/// deadline; ``settled()`` returns once that thread waits again having seen
/// the current time and every wake-up, so a test can check what the loop did
/// at an instant without sleeping.
public final class ManualProcessorClock: ProcessorClock {
    private struct State {
        var now: UInt64
        var wallClock: UInt64
        var woken = false
        /// The processor thread waits, having seen `now` and no wake-up.
        var waiting = false
        var deadline = UInt64.max
        var settleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let signal = DispatchSemaphore(value: 0)

    /// Starts at `now` (monotonic) and `wallClock` (Unix ns).
    public init(now: UInt64 = 1_000_000_000_000, wallClock: UInt64 = 1_700_000_000_000_000_000) {
        state = Mutex(State(now: now, wallClock: wallClock))
    }

    public func now() -> UInt64 { state.withLock { $0.now } }
    public func wallClock() -> UInt64 { state.withLock { $0.wallClock } }

    public func waitForWake(until deadline: UInt64) -> Bool {
        while true {
            let (outcome, settled) = state.withLock { state -> (Bool?, [CheckedContinuation<Void, Never>]) in
                if state.woken {
                    state.woken = false
                    state.waiting = false
                    return (true, [])
                }
                if state.now >= deadline {
                    state.waiting = false
                    return (false, [])
                }
                state.waiting = true
                state.deadline = deadline
                defer { state.settleWaiters.removeAll() }
                return (nil, state.settleWaiters)
            }
            for waiter in settled { waiter.resume() }
            if let outcome { return outcome }
            signal.wait()
        }
    }

    public func wake() {
        state.withLock { state in
            state.woken = true
            state.waiting = false
        }
        signal.signal()
    }

    /// Moves both clocks forward; a wait whose deadline this reaches ends.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        state.withLock { state in
            state.now += nanoseconds
            state.wallClock += nanoseconds
            state.waiting = false
        }
        signal.signal()
    }

    /// The deadline of the processor thread's current wait (`.max`: none).
    public var deadline: UInt64 { state.withLock { $0.deadline } }

    /// Returns once the processor thread waits with nothing left to do at
    /// the current time (at once if it already does).
    public func settled() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.waiting { return true }
                state.settleWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
