import Dispatch
import Logging
import NIOCore
import Synchronization

/// A warning logged at most once per interval, with how often its cause
/// occurred meanwhile (sustained problems are one line per interval, never one per event).
package final class IntervalWarning: Sendable {
    private let logger: Logger
    private let interval: UInt64
    private let state = Mutex<(last: UInt64?, suppressed: Int)>((nil, 0))

    /// - Parameter interval: nanoseconds between two lines (default one minute).
    package init(logger: Logger, interval: UInt64 = 60_000_000_000) {
        self.logger = logger
        self.interval = interval
    }

    /// Records one occurrence; logs `message` if the last line is older than the interval.
    package func note(_ message: @autoclosure () -> String, _ metadata: Logger.Metadata = [:], now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        let occurrences: Int? = state.withLock { state in
            if let last = state.last, now &- last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed + 1
        }
        guard let occurrences else { return }
        var metadata = metadata
        metadata["occurrences"] = "\(occurrences)"
        logger.warning("\(message())", metadata: metadata)
    }
}
