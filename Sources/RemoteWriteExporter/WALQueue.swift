#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one ``WriteAheadLog`` and the files it needs, used only
/// under the log's lock (hence not `Sendable`): the segments, the cursor, the
/// counters, and the rules that keep them in step with the disk.
final class WALQueue {
    typealias Position = WriteAheadLog.Position
    typealias Record = WriteAheadLog.Record

    let directory: String
    let maxBytes: Int
    let segmentBytes: Int
    /// Oldest first; never empty, the last one is the one written.
    private var segments: [WALSegment] = []
    private var tail: WALFile
    /// Set when a failed append may have left bytes after the tail's last
    /// record: the next append starts a new segment.
    private var tailDamaged = false
    /// Earlier tails written since the last ``sync()``.
    private var unsynced: [WALFile] = []
    private let cursorFile: WALCursorFile
    private let directoryFile: WALFile
    /// Whether segments were created or deleted since the last ``sync()``.
    private var directoryChanged = false
    /// The first unacknowledged record (or where the next will be).
    private var cursor: Position
    /// Records and samples of the cursor's segment before the cursor.
    private var acknowledgedInSegment = (records: 0, samples: 0)
    /// An open descriptor of the cursor's segment when it is not the tail.
    private var reader: (segment: UInt64, file: WALFile)?
    /// The record at the cursor, read by ``peek()``, and where it ends.
    private var peeked: (record: Record, end: Int)?

    private(set) var bytes = 0
    private(set) var pendingRecords = 0
    private(set) var pendingSamples = 0
    private(set) var droppedRecords = 0
    private(set) var droppedSamples = 0
    private(set) var corruptRecords = 0
    private(set) var warnings: [String] = []

    /// Opens the log in `directory` (made if missing) and recovers it: every
    /// segment is read back and checked, a torn tail cut off, the cursor
    /// placed on a record boundary, the counters computed.
    init(directory: String, maxBytes: Int, segmentBytes: Int) throws(WALError) {
        self.directory = directory
        self.maxBytes = max(maxBytes, 1)
        // At least four segments fit in the bound, so dropping whole segments
        // keeps it without throwing away most of the log at once.
        self.segmentBytes = min(max(segmentBytes, 1), max(maxBytes / 4, 1))
        try Self.makeDirectories(directory)
        directoryFile = try WALFile(directory: directory)
        cursorFile = try WALCursorFile(directory: directory)
        var warnings: [String] = []
        let saved: Position?
        switch try cursorFile.load() {
        case .position(let position): saved = position
        case .nothing: saved = nil
        case .corrupt:
            saved = nil
            warnings.append("WAL cursor \(cursorFile.file.path) is corrupt: sending again from the oldest segment")
        }

        var segments: [WALSegment] = []
        var corrupt = 0
        var found: (position: Position, records: Int, samples: Int)?
        var last: WALFile?
        let numbers = try WALSegment.list(directory: directory)
        for number in numbers {
            let file = try WALFile(path: WALSegment.path(directory: directory, number: number))
            let cursorOffset = saved?.segment == number ? saved?.offset : nil
            var scan = try WALSegmentScan(file, number: number, cursorOffset: cursorOffset)
            if let problem = scan.problem {
                if number == numbers.last {
                    warnings.append(try Self.repairTail(&scan.segment, file: file, problem: problem))
                } else {
                    corrupt += 1
                    warnings.append(
                        "WAL segment \(file.path): \(problem.reason) at offset \(problem.offset); "
                            + "its last \(scan.segment.size - problem.offset) bytes are skipped")
                }
            }
            if let cursorOffset {
                let acknowledged = scan.acknowledged
                found = (Position(segment: number, offset: acknowledged.end), acknowledged.records, acknowledged.samples)
                if acknowledged.end != cursorOffset {
                    warnings.append(
                        "WAL cursor offset \(cursorOffset) in \(file.path) is not after a record: "
                            + "sending again from offset \(acknowledged.end)")
                }
            }
            segments.append(scan.segment)
            last = file
        }
        if let last {
            tail = last
        } else {
            let (segment, file) = try WALSegment.create(directory: directory, number: 1)
            segments.append(segment)
            tail = file
            directoryChanged = true
        }

        let newest = segments[segments.count - 1]
        if let found {
            cursor = found.position
            acknowledgedInSegment = (found.records, found.samples)
        } else if let saved, let next = segments.first(where: { $0.number > saved.segment }) {
            // The cursor's segment is gone: the oldest segment after it.
            cursor = Position(segment: next.number, offset: WALSegment.headerSize)
        } else if saved != nil {
            // Every segment left is older than the cursor: all acknowledged.
            cursor = Position(segment: newest.number, offset: newest.end)
            acknowledgedInSegment = (newest.records, newest.samples)
        } else {
            // No cursor (a new log, or a corrupt cursor): from the oldest
            // segment, sending again rather than losing anything.
            cursor = Position(segment: segments[0].number, offset: WALSegment.headerSize)
        }
        for segment in segments {
            bytes += segment.size
            if segment.number >= cursor.segment {
                pendingRecords += segment.records
                pendingSamples += segment.samples
            }
        }
        pendingRecords -= acknowledgedInSegment.records
        pendingSamples -= acknowledgedInSegment.samples
        self.segments = segments
        self.warnings = warnings
        corruptRecords = corrupt
        if saved != cursor { try cursorFile.save(cursor) }
    }

    /// Cuts the newest segment's invalid end off (after a crash mid-write
    /// the last record is torn, and appends must follow the last good one);
    /// the warning to give.
    private static func repairTail(
        _ segment: inout WALSegment, file: WALFile, problem: (offset: Int, reason: String)
    ) throws(WALError) -> String {
        let warning = "WAL segment \(file.path): \(problem.reason) at offset \(problem.offset) (a write cut short by a crash)"
        if problem.offset < WALSegment.headerSize {
            // No valid header (a crash as the segment was created): nothing in it can be read.
            try file.truncate(to: 0)
            try file.write(WALSegment.header, at: 0)
            segment.size = WALSegment.headerSize
            segment.end = segment.size
            return warning + "; started it again"
        }
        let cut = segment.size - problem.offset
        try file.truncate(to: problem.offset)
        segment.size = problem.offset
        segment.end = segment.size
        return warning + "; cut off \(cut) bytes"
    }

    // MARK: Appending

    func append(body: [UInt8], samples: Int, time: Int64) throws(WALError) {
        guard body.count <= Int(UInt32.max) else { throw .recordTooLarge(bytes: body.count) }
        let size = WALRecordHeader.size + body.count
        let newest = segments[segments.count - 1]
        if tailDamaged || (newest.records > 0 && newest.size + size > segmentBytes) { try startSegment() }
        while bytes + size > maxBytes, segments.count > 1 { try dropOldest() }

        var record: [UInt8] = []
        record.reserveCapacity(size)
        body.withUnsafeBytes { WALRecordHeader(body: $0, samples: samples, time: time) }.encode(into: &record)
        record.append(contentsOf: body)
        let index = segments.count - 1
        let offset = segments[index].size
        do {
            try tail.write(record, at: offset)
        } catch {
            // Part of the record may be on disk: cut it off, or leave this segment.
            do { try tail.truncate(to: offset) } catch { tailDamaged = true }
            throw error
        }
        segments[index].size += size
        segments[index].end = segments[index].size
        segments[index].records += 1
        segments[index].samples += samples
        bytes += size
        pendingRecords += 1
        pendingSamples += samples
    }

    private func startSegment() throws(WALError) {
        let (segment, file) = try WALSegment.create(directory: directory, number: segments[segments.count - 1].number + 1)
        unsynced.append(tail)
        tail = file
        tailDamaged = false
        segments.append(segment)
        bytes += segment.size
        directoryChanged = true
    }

    /// Deletes the oldest segment for room, acknowledged or not; the
    /// unacknowledged records in it are counted as dropped.
    private func dropOldest() throws(WALError) {
        let oldest = try deleteOldest()
        guard oldest.number == cursor.segment else { return }
        let records = oldest.records - acknowledgedInSegment.records
        let samples = oldest.samples - acknowledgedInSegment.samples
        droppedRecords += records
        droppedSamples += samples
        pendingRecords -= records
        pendingSamples -= samples
        cursor = Position(segment: segments[0].number, offset: WALSegment.headerSize)
        acknowledgedInSegment = (0, 0)
        peeked = nil
        try cursorFile.save(cursor)
    }

    private func deleteOldest() throws(WALError) -> WALSegment {
        let oldest = segments[0]
        let path = WALSegment.path(directory: directory, number: oldest.number)
        guard unlink(path) == 0 || errno == ENOENT else { throw .system(call: "unlink", path: path, errno: errno) }
        segments.removeFirst()
        bytes -= oldest.size
        directoryChanged = true
        if reader?.segment == oldest.number { reader = nil }
        return oldest
    }

    // MARK: Reading

    func peek() throws(WALError) -> Record? {
        let index = moveCursorPastEmptyEnds()
        if let peeked, peeked.record.position == cursor { return peeked.record }
        let segment = segments[index]
        guard cursor.offset < segment.end else { return nil }
        let file: WALFile
        if index == segments.count - 1 {
            file = tail
        } else if let reader, reader.segment == segment.number {
            file = reader.file
        } else {
            file = try WALFile(path: WALSegment.path(directory: directory, number: segment.number))
            reader = (segment.number, file)
        }

        let headerBytes = try file.read(WALRecordHeader.size, at: cursor.offset)
        guard headerBytes.count == WALRecordHeader.size else {
            throw skipRest(of: index, path: file.path, reason: "record header cut short")
        }
        let header = headerBytes.withUnsafeBytes { WALRecordHeader(decoding: $0) }
        let end = cursor.offset + WALRecordHeader.size + Int(header.length)
        guard end <= segment.end else {
            throw skipRest(of: index, path: file.path, reason: "record length changed on disk")
        }
        let body = try file.read(Int(header.length), at: cursor.offset + WALRecordHeader.size)
        guard body.count == Int(header.length), body.withUnsafeBytes({ header.crc(of: $0) }) == header.checksum else {
            throw skipRest(of: index, path: file.path, reason: "checksum mismatch")
        }
        let record = Record(position: cursor, body: body, samples: Int(header.samples), time: header.time)
        peeked = (record, end)
        return record
    }

    /// Moves the cursor from the end of a segment to the start of the next
    /// (nothing to acknowledge in between); the index of its segment.
    private func moveCursorPastEmptyEnds() -> Int {
        var index = segments.firstIndex { $0.number == cursor.segment } ?? 0
        while cursor.offset >= segments[index].end, index + 1 < segments.count {
            index += 1
            cursor = Position(segment: segments[index].number, offset: WALSegment.headerSize)
            acknowledgedInSegment = (0, 0)
        }
        return index
    }

    /// Gives up the cursor's segment from the cursor on, after a record
    /// there no longer reads back as written; the error to throw.
    private func skipRest(of index: Int, path: String, reason: String) -> WALError {
        pendingRecords -= segments[index].records - acknowledgedInSegment.records
        pendingSamples -= segments[index].samples - acknowledgedInSegment.samples
        segments[index].records = acknowledgedInSegment.records
        segments[index].samples = acknowledgedInSegment.samples
        segments[index].end = cursor.offset
        if index == segments.count - 1 { tailDamaged = true }
        corruptRecords += 1
        return .corrupt(path: path, offset: cursor.offset, reason: reason)
    }

    func acknowledge(_ record: Record) throws(WALError) {
        guard let current = try peek(), current.position == record.position, let end = peeked?.end else { return }
        cursor.offset = end
        acknowledgedInSegment.records += 1
        acknowledgedInSegment.samples += current.samples
        pendingRecords -= 1
        pendingSamples -= current.samples
        peeked = nil
        try cursorFile.save(cursor)
    }

    // MARK: Housekeeping

    func truncate() throws(WALError) {
        _ = moveCursorPastEmptyEnds()
        while segments.count > 1, segments[0].number < cursor.segment { _ = try deleteOldest() }
    }

    func sync() throws(WALError) {
        while let file = unsynced.first {
            try file.sync()
            unsynced.removeFirst()
        }
        try tail.sync()
        try cursorFile.file.sync()
        if directoryChanged {
            try directoryFile.sync()
            directoryChanged = false
        }
    }

    /// `mkdir -p`.
    private static func makeDirectories(_ path: String) throws(WALError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            guard mkdir(prefix, 0o755) == 0 || errno == EEXIST else {
                throw .system(call: "mkdir", path: prefix, errno: errno)
            }
        }
    }
}
