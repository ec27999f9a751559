import OpenSREModel
import Synchronization

/// Counters the receiver updates from its event loops, read by the self-metrics.
package final class CollectorCounters: Sendable {
    private let accepted = Atomic<Int>(0)
    /// Refusals are rare: a lock off the hot path is fine here.
    private let refused = Mutex<[RejectedPoints.Cause: Int]>([:])

    package init() {}

    /// Records the outcome of decoding one request.
    package func record(accepted points: Int, rejected: RejectedPoints) {
        if points > 0 { accepted.add(points, ordering: .relaxed) }
        guard rejected.count > 0 else { return }
        refused.withLock { counts in
            for (cause, count) in rejected.byCause { counts[cause, default: 0] += count }
        }
    }

    package var acceptedPoints: Int { accepted.load(ordering: .relaxed) }

    package var refusedPoints: [RejectedPoints.Cause: Int] { refused.withLock { $0 } }
}
