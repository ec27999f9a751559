import Synchronization

/// One shard's queue of remote-write requests, on disk (the `wal` keys):
/// a request counts as queued once it is written here, survives a kill -9
/// of the collector, and is replayed in order after a restart until the
/// shard's sender acknowledges it.
///
/// The directory holds numbered segment files, records appended to the
/// newest (``WALSegment``, ``WALRecordHeader``), and a `cursor` file naming
/// the first unacknowledged record (``WALCursorFile``), rewritten at every
/// acknowledgement: after a kill -9 nothing acknowledged is sent again but
/// the one request that was in flight. ``truncate()`` deletes the segments
/// wholly acknowledged.
///
/// Durability: every append and acknowledgement is a complete `write(2)`
/// before it returns, which a killed process cannot undo; surviving a power
/// loss also needs ``sync()`` (fsync of the segments written, the cursor and
/// the directory), which the exporter calls periodically.
///
/// Size bound: when an append would take ``bytes`` past `maxBytes`, the
/// oldest segments are deleted, acknowledged or not, and their
/// unacknowledged samples counted in ``droppedSamples``: the newest data is
/// worth more to a monitoring system. The segment being written is never
/// deleted, so one record larger than the bound is still accepted (and is
/// the first dropped when more follow).
///
/// Thread-safe: the export thread appends while the shard's sender peeks
/// and acknowledges; one lock guards the state, disk reads included (one
/// record at a time, so never the backlog).
package final class WriteAheadLog: Sendable {
    /// Where a record starts: its segment's number and its offset in it.
    package struct Position: Sendable, Hashable {
        package var segment: UInt64
        package var offset: Int

        package init(segment: UInt64, offset: Int) {
            self.segment = segment
            self.offset = offset
        }
    }

    /// One queued request.
    package struct Record: Sendable, Equatable {
        /// Identifies the record for ``acknowledge(_:)``.
        package var position: Position
        /// The snappy-compressed `WriteRequest`.
        package var body: [UInt8]
        package var samples: Int
        /// When it was exported, Unix ms.
        package var time: Int64
    }

    /// Bytes every segment starts with.
    package static let segmentHeaderBytes = WALSegment.headerSize
    /// Bytes a record takes besides its body.
    package static let recordHeaderBytes = WALRecordHeader.size

    package let directory: String
    /// What opening the log found wrong and repaired (a torn tail cut off, a
    /// corrupt segment or cursor), one line each, for the exporter to log;
    /// empty after a clean shutdown or kill.
    package let recoveryWarnings: [String]
    private let queue: Mutex<WALQueue>

    /// Opens the log in `directory`, creating it (and its parents) when
    /// missing, and recovers what is there: every record is read back and
    /// checked once, so the counters are exact.
    ///
    /// - Parameters:
    ///   - maxBytes: the bound on ``bytes``; past it the oldest segments go.
    ///   - segmentBytes: when the newest segment is this large the next
    ///     record starts a new one; at most a quarter of `maxBytes`, so the
    ///     bound is kept by deleting a small part of the log at a time.
    package init(directory: String, maxBytes: Int, segmentBytes: Int = 8 << 20) throws(WALError) {
        let queue = try WALQueue(directory: directory, maxBytes: maxBytes, segmentBytes: segmentBytes)
        self.directory = directory
        recoveryWarnings = queue.warnings
        self.queue = Mutex(queue)
    }

    /// Queues a request: written to the newest segment (a new one when
    /// full, the oldest deleted when the bound needs room) before returning.
    package func append(body: [UInt8], samples: Int, time: Int64) throws(WALError) {
        try queue.withLock { (queue) throws(WALError) in try queue.append(body: body, samples: samples, time: time) }
    }

    /// The oldest unacknowledged record, read from disk (kept until it is
    /// acknowledged), or nil when there is none. A record that no longer
    /// reads back as written throws ``WALError/corrupt(path:offset:reason:)``
    /// and the rest of its segment is skipped, so the next call goes on.
    package func peek() throws(WALError) -> Record? {
        try queue.withLock { (queue) throws(WALError) in try queue.peek() }
    }

    /// Marks `record` (the one ``peek()`` returned) done, sent or given up,
    /// and saves the cursor at once, so a kill -9 right after does not send
    /// it again. Nothing happens when it is no longer the oldest (the size
    /// bound dropped it meanwhile). If saving fails the record still counts
    /// as acknowledged here; a restart may send it again.
    package func acknowledge(_ record: Record) throws(WALError) {
        try queue.withLock { (queue) throws(WALError) in try queue.acknowledge(record) }
    }

    /// Deletes the segments wholly before the first unacknowledged record
    /// (every `truncate_frequency`); never the newest.
    package func truncate() throws(WALError) {
        try queue.withLock { (queue) throws(WALError) in try queue.truncate() }
    }

    /// Flushes to the device (fsync) the segments written since the last
    /// call, the cursor, and the directory when segments came or went.
    package func sync() throws(WALError) {
        try queue.withLock { (queue) throws(WALError) in try queue.sync() }
    }

    /// Bytes of the segment files on disk.
    package var bytes: Int { queue.withLock { $0.bytes } }
    /// Records appended and not yet acknowledged (nor dropped).
    package var pendingRecords: Int { queue.withLock { $0.pendingRecords } }
    package var pendingSamples: Int { queue.withLock { $0.pendingSamples } }
    /// Unacknowledged records deleted by the size bound since the log opened.
    package var droppedRecords: Int { queue.withLock { $0.droppedRecords } }
    /// Their samples (the exporter's `wal_full` drops).
    package var droppedSamples: Int { queue.withLock { $0.droppedSamples } }
    /// Places where records could not be read (at open, or by ``peek()``)
    /// and the rest of a segment was skipped, since the log opened.
    package var corruptRecords: Int { queue.withLock { $0.corruptRecords } }
}
