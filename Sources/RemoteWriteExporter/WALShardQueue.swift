import Logging

/// A shard's queue on disk (`wal`): a request is written to the log before
/// it counts as queued, survives a crash or kill -9, and is taken off (the
/// log's read position persisted) only once delivered or given up. So after
/// a restart the sender resumes with the first request not yet
/// acknowledged: at most the one in flight at the kill is sent twice (the
/// receiver takes an identical sample again without complaint).
package final class WALShardQueue: ShardQueue {
    private let log: WriteAheadLog

    package init(directory: String, maxBytes: Int) throws {
        log = try WriteAheadLog(directory: directory, maxBytes: maxBytes)
    }

    package func append(_ request: QueuedRequest) throws(ShardQueueError) -> Int {
        let before = log.droppedSamples
        do {
            try log.append(body: request.body, samples: request.samples, time: request.time)
        } catch {
            throw ShardQueueError(description: error.description)
        }
        return log.droppedSamples - before
    }

    package func peek() throws(ShardQueueError) -> QueuedRequest? {
        do {
            return try log.peek().map { QueuedRequest(body: $0.body, samples: $0.samples, time: $0.time) }
        } catch {
            throw ShardQueueError(description: error.description)
        }
    }

    package func acknowledge() throws(ShardQueueError) {
        do {
            guard let record = try log.peek() else { return }
            try log.acknowledge(record)
        } catch {
            throw ShardQueueError(description: error.description)
        }
    }

    package var requests: Int { log.pendingRecords }
    package var samples: Int { log.pendingSamples }
    package var diskBytes: Int { log.bytes }
    /// What opening found and repaired (a torn tail after a crash, a corrupt record).
    var recoveryWarnings: [String] { log.recoveryWarnings }

    /// Deletes what was delivered; logs (does not throw) a failure, which the next truncation retries.
    func truncate(logger: Logger) {
        do {
            try log.truncate()
            try log.sync()
        } catch {
            logger.warning("cannot truncate the write-ahead log: \(error)")
        }
    }

    func sync() throws { try log.sync() }
}
