import Synchronization

/// A request waiting in a shard's queue.
package struct QueuedRequest: Sendable, Equatable {
    /// The snappy-compressed `WriteRequest`.
    package var body: [UInt8]
    /// Samples it carries (for the self-metrics).
    package var samples: Int
    /// The export's time (Unix ms), for the lag.
    package var time: Int64

    package init(body: [UInt8], samples: Int, time: Int64) {
        self.body = body
        self.samples = samples
        self.time = time
    }
}

/// One shard's queue: requests wait here, in order, for the shard's one
/// sender, which looks at the oldest, sends it, and then takes it off
/// (``acknowledge()``), so a series' samples leave in the order they came.
/// In memory (``MemoryShardQueue``) or on disk (``WALShardQueue``).
package protocol ShardQueue: AnyObject, Sendable {
    /// Queues `request`; returns the samples of older requests dropped to
    /// make room (never the one being sent).
    func append(_ request: QueuedRequest) throws(ShardQueueError) -> Int
    /// The oldest request, left in place until acknowledged.
    func peek() throws(ShardQueueError) -> QueuedRequest?
    /// Takes the oldest request off: sent or given up.
    func acknowledge() throws(ShardQueueError)
    var requests: Int { get }
    var samples: Int { get }
    /// Bytes on disk (0 in memory).
    var diskBytes: Int { get }
}

/// A queue that could not keep or read its data (the disk's error).
package struct ShardQueueError: Error, CustomStringConvertible {
    package var description: String
}

/// The in-memory queue (`remote_write_queue` without `wal`): at most
/// `capacity` requests; past it the oldest waiting one is dropped. Every
/// export carries the full cumulative state, so dropping the oldest loses
/// resolution (samples between two exports), not counts: the next request
/// carries the totals again.
package final class MemoryShardQueue: ShardQueue {
    private struct State {
        var items: [QueuedRequest] = []
        var head = 0
        var samples = 0
        var count: Int { items.count - head }
        /// Whether the oldest has been handed to the sender (it stays until acknowledged).
        var oldestInFlight = false
    }

    private let capacity: Int
    private let state = Mutex(State())

    package init(capacity: Int) {
        self.capacity = max(capacity, 1)
    }

    package func append(_ request: QueuedRequest) -> Int {
        state.withLock { state in
            var dropped = 0
            while state.count >= capacity {
                // The one being sent stays: it is on the wire.
                let victim = state.oldestInFlight ? state.head + 1 : state.head
                guard victim < state.items.count else { break }
                dropped += state.items[victim].samples
                state.samples -= state.items[victim].samples
                state.items.remove(at: victim)
            }
            state.items.append(request)
            state.samples += request.samples
            return dropped
        }
    }

    package func peek() -> QueuedRequest? {
        state.withLock { state in
            guard state.count > 0 else { return nil }
            state.oldestInFlight = true
            return state.items[state.head]
        }
    }

    package func acknowledge() {
        state.withLock { state in
            guard state.count > 0 else { return }
            state.samples -= state.items[state.head].samples
            state.items[state.head] = QueuedRequest(body: [], samples: 0, time: 0)
            state.head += 1
            state.oldestInFlight = false
            if state.head > 64, state.head * 2 > state.items.count {
                state.items.removeFirst(state.head)
                state.head = 0
            }
        }
    }

    package var requests: Int { state.withLock { $0.count } }
    package var samples: Int { state.withLock { $0.samples } }
    package var diskBytes: Int { 0 }
}
