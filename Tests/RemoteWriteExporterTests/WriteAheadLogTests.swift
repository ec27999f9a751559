import Foundation
import RemoteWriteExporter
import Synchronization
import Testing

@Suite("Remote write: write-ahead log")
struct WriteAheadLogTests {
    /// A 100-byte body naming record `index`.
    static func body(_ index: Int) -> [UInt8] {
        let text = Array("record \(index) ".utf8)
        return text + [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 100 - text.count)
    }

    /// What a record with a 100-byte body takes on disk.
    static let recordBytes = WriteAheadLog.recordHeaderBytes + 100
    static let header = WriteAheadLog.segmentHeaderBytes

    /// Runs `body` with a new directory path (not created) under the
    /// temporary directory, removed afterwards.
    func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("opensre-wal-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory + "/shard-0")
    }

    /// Appends records `range`, each with `index` samples, stamped `1000 + index`.
    func append(_ range: ClosedRange<Int>, to wal: WriteAheadLog) throws {
        for index in range { try wal.append(body: Self.body(index), samples: index, time: 1000 + Int64(index)) }
    }

    /// Peeks and acknowledges up to `limit` records; their indexes.
    @discardableResult
    func consume(_ wal: WriteAheadLog, limit: Int = .max) throws -> [Int] {
        var indexes: [Int] = []
        while indexes.count < limit, let record = try wal.peek() {
            #expect(record.body == Self.body(record.samples))
            #expect(record.time == 1000 + Int64(record.samples))
            indexes.append(record.samples)
            try wal.acknowledge(record)
        }
        return indexes
    }

    func segmentFiles(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.allSatisfy(\.isNumber) }.sorted()
    }

    @Test("records come back in order across segment boundaries; counters and bytes are exact")
    func order() throws {
        try withDirectory { directory in
            // 256-byte segments hold two 120-byte records each.
            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(wal.bytes == Self.header)
            #expect(try wal.peek() == nil)
            try append(1...7, to: wal)
            #expect(try segmentFiles(directory) == ["0000000001", "0000000002", "0000000003", "0000000004"])
            #expect(wal.bytes == 4 * Self.header + 7 * Self.recordBytes)
            #expect(wal.pendingRecords == 7)
            #expect(wal.pendingSamples == 28)
            // Peeking twice gives the same record until it is acknowledged.
            let first = try #require(try wal.peek())
            #expect(try wal.peek() == first)
            #expect(first.position == .init(segment: 1, offset: Self.header))
            #expect(try consume(wal, limit: 3) == [1, 2, 3])
            #expect(wal.pendingRecords == 4)
            #expect(wal.pendingSamples == 22)
            try append(8...8, to: wal)
            #expect(try consume(wal) == [4, 5, 6, 7, 8])
            #expect(try wal.peek() == nil)
            #expect(wal.pendingRecords == 0)
            #expect(wal.pendingSamples == 0)
            #expect(wal.droppedSamples == 0)
            #expect(wal.recoveryWarnings.isEmpty)
        }
    }

    @Test("after a reopen every unacknowledged record is replayed in order, same bodies")
    func reopen() throws {
        try withDirectory { directory in
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
                try append(1...5, to: wal)
            }
            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(wal.recoveryWarnings.isEmpty)
            #expect(wal.pendingRecords == 5)
            #expect(wal.pendingSamples == 15)
            #expect(wal.bytes == 3 * Self.header + 5 * Self.recordBytes)
            // Appends go on after the recovered records.
            try append(6...6, to: wal)
            #expect(try consume(wal) == [1, 2, 3, 4, 5, 6])
        }
    }

    @Test("after a kill (no close, no sync) acknowledged records are not replayed; the one in flight is")
    func killAfterAcknowledgements() throws {
        try withDirectory { directory in
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
                try append(1...7, to: wal)
                // Three acknowledged: segment 1 whole, segment 2 half.
                #expect(try consume(wal, limit: 3) == [1, 2, 3])
                // Record 4 is being sent when the process dies.
                #expect(try wal.peek()?.samples == 4)
            }
            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(wal.recoveryWarnings.isEmpty)
            #expect(wal.pendingRecords == 4)
            #expect(wal.pendingSamples == 4 + 5 + 6 + 7)
            #expect(try consume(wal, limit: 2) == [4, 5])
            let again = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(try consume(again) == [6, 7])
            let drained = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(try drained.peek() == nil)
            #expect(drained.pendingRecords == 0)
        }
    }

    @Test("a torn tail (cut short) is cut off at the last good record; appending afterwards works")
    func tornTail() throws {
        try withDirectory { directory in
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20)
                try append(1...3, to: wal)
            }
            let segment = directory + "/0000000001"
            let handle = try #require(FileHandle(forUpdatingAtPath: segment))
            try handle.truncate(atOffset: UInt64(Self.header + 3 * Self.recordBytes - 5))
            try handle.close()

            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20)
            #expect(wal.recoveryWarnings.count == 1)
            #expect(wal.recoveryWarnings.first?.contains(segment) == true)
            #expect(wal.pendingRecords == 2)
            #expect(wal.pendingSamples == 3)
            #expect(wal.bytes == Self.header + 2 * Self.recordBytes)
            #expect(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int == wal.bytes)
            try append(4...4, to: wal)
            let reopened = try WriteAheadLog(directory: directory, maxBytes: 1 << 20)
            #expect(reopened.recoveryWarnings.isEmpty)
            #expect(try consume(reopened) == [1, 2, 4])
        }
    }

    @Test("garbage after the last record is cut off; the records before it survive")
    func garbageTail() throws {
        try withDirectory { directory in
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20)
                try append(1...3, to: wal)
            }
            let handle = try #require(FileHandle(forUpdatingAtPath: directory + "/0000000001"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]))
            try handle.close()

            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20)
            #expect(wal.recoveryWarnings.count == 1)
            #expect(wal.bytes == Self.header + 3 * Self.recordBytes)
            try append(4...4, to: wal)
            #expect(try consume(wal) == [1, 2, 3, 4])
        }
    }

    @Test("a newest segment cut short in its header (a crash as it was created) is started again")
    func tornSegmentHeader() throws {
        try withDirectory { directory in
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
                try append(1...2, to: wal)
            }
            try Data("OSR".utf8).write(to: URL(fileURLWithPath: directory + "/0000000002"))
            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(wal.recoveryWarnings.count == 1)
            #expect(wal.bytes == 2 * Self.header + 2 * Self.recordBytes)
            try append(3...3, to: wal)
            try wal.sync()
            #expect(try segmentFiles(directory) == ["0000000001", "0000000002"])
            #expect(try consume(wal) == [1, 2, 3])
        }
    }

    @Test("disk errors are thrown with the path and the errno text, never a crash")
    func errors() throws {
        try withDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: directory + "/file"))
            #expect {
                _ = try WriteAheadLog(directory: directory + "/file/wal", maxBytes: 1 << 20)
            } throws: { error in
                let text = "\(error)"
                return text.contains(directory + "/file/wal") && text.contains("Not a directory")
            }
        }
    }

    @Test("a corrupt record in an older segment: the rest of that segment is skipped and counted, the rest replayed")
    func corruptMiddle() throws {
        try withDirectory { directory in
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
                try append(1...5, to: wal)
            }
            // Flip a byte of record 2's body (the second record of segment 1).
            let handle = try #require(FileHandle(forUpdatingAtPath: directory + "/0000000001"))
            try handle.seek(toOffset: UInt64(Self.header + Self.recordBytes + WriteAheadLog.recordHeaderBytes + 50))
            try handle.write(contentsOf: Data([0xff]))
            try handle.close()

            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(wal.corruptRecords == 1)
            #expect(wal.recoveryWarnings.count == 1)
            #expect(wal.pendingRecords == 4)
            #expect(wal.pendingSamples == 1 + 3 + 4 + 5)
            #expect(wal.bytes == 3 * Self.header + 5 * Self.recordBytes)
            #expect(try consume(wal) == [1, 3, 4, 5])
        }
    }

    @Test("a corrupt or missing cursor replays everything still on disk, oldest first")
    func corruptCursor() throws {
        try withDirectory { directory in
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
                try append(1...5, to: wal)
                #expect(try consume(wal, limit: 3) == [1, 2, 3])
            }
            try Data("not a cursor at all, no".utf8).write(to: URL(fileURLWithPath: directory + "/cursor"))
            do {
                let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
                #expect(wal.recoveryWarnings.count == 1)
                #expect(wal.recoveryWarnings.first?.contains("cursor") == true)
                #expect(wal.pendingRecords == 5)
                #expect(wal.pendingSamples == 15)
                #expect(try consume(wal, limit: 1) == [1])
            }
            try FileManager.default.removeItem(atPath: directory + "/cursor")
            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(wal.recoveryWarnings.isEmpty)
            #expect(try consume(wal) == [1, 2, 3, 4, 5])
        }
    }

    @Test("truncate deletes only the segments wholly acknowledged, never the newest")
    func truncate() throws {
        try withDirectory { directory in
            let wal = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            try append(1...7, to: wal)
            try wal.truncate()
            #expect(try segmentFiles(directory).count == 4)
            try consume(wal, limit: 3)
            try wal.truncate()
            #expect(try segmentFiles(directory) == ["0000000002", "0000000003", "0000000004"])
            #expect(wal.bytes == 3 * Self.header + 5 * Self.recordBytes)
            try consume(wal, limit: 1)  // segment 2 done
            try wal.truncate()
            #expect(try segmentFiles(directory) == ["0000000003", "0000000004"])
            try consume(wal)
            try wal.truncate()
            #expect(try segmentFiles(directory) == ["0000000004"])
            #expect(wal.bytes == Self.header + Self.recordBytes)
            // What truncate left behind reopens as nothing pending.
            let reopened = try WriteAheadLog(directory: directory, maxBytes: 1 << 20, segmentBytes: 256)
            #expect(reopened.pendingRecords == 0)
            #expect(try reopened.peek() == nil)
            try append(8...8, to: reopened)
            #expect(try consume(reopened) == [8])
        }
    }

    @Test("the size bound drops the oldest segment, counts its unacknowledged samples exactly, keeps the newest")
    func sizeBound() throws {
        try withDirectory { directory in
            // 1 KiB segments hold eight 120-byte records (8 + 8 * 120 = 968).
            let wal = try WriteAheadLog(directory: directory, maxBytes: 4096, segmentBytes: 1024)
            try append(1...32, to: wal)
            #expect(wal.bytes == 4 * (Self.header + 8 * Self.recordBytes))
            #expect(try consume(wal, limit: 3) == [1, 2, 3])
            let inFlight = try #require(try wal.peek())
            #expect(inFlight.samples == 4)
            // Record 33 starts segment 5 and fits (4000 bytes); 34 does not:
            // segment 1 goes, with records 4 to 8 unacknowledged.
            try append(33...33, to: wal)
            #expect(wal.droppedSamples == 0)
            try append(34...34, to: wal)
            #expect(wal.droppedRecords == 5)
            #expect(wal.droppedSamples == 4 + 5 + 6 + 7 + 8)
            #expect(wal.bytes == 3 * (Self.header + 8 * Self.recordBytes) + Self.header + 2 * Self.recordBytes)
            #expect(wal.bytes <= 4096)
            #expect(try segmentFiles(directory) == ["0000000002", "0000000003", "0000000004", "0000000005"])
            #expect(wal.pendingRecords == 34 - 8)
            #expect(wal.pendingSamples == (9...34).reduce(0, +))
            // Acknowledging the dropped in-flight record does nothing.
            try wal.acknowledge(inFlight)
            #expect(wal.pendingRecords == 26)
            // The drop is remembered across a restart (the cursor moved).
            let reopened = try WriteAheadLog(directory: directory, maxBytes: 4096, segmentBytes: 1024)
            #expect(reopened.droppedSamples == 0)
            #expect(try consume(reopened) == Array(9...34))
        }
    }

    @Test("a record larger than the bound is accepted alone, and dropped first when more follow")
    func oversizedRecord() throws {
        try withDirectory { directory in
            let wal = try WriteAheadLog(directory: directory, maxBytes: 4096, segmentBytes: 1024)
            try append(1...2, to: wal)
            try wal.append(body: [UInt8](repeating: 7, count: 5000), samples: 50, time: 0)
            #expect(wal.droppedSamples == 3)
            #expect(wal.bytes == Self.header + WriteAheadLog.recordHeaderBytes + 5000)
            #expect(try wal.peek()?.body.count == 5000)
            try append(3...3, to: wal)
            #expect(wal.droppedSamples == 53)
            #expect(try consume(wal) == [3])
        }
    }

    @Test("a producer thread and a consumer thread see every record exactly once, in order")
    func concurrent() throws {
        try withDirectory { directory in
            let wal = try WriteAheadLog(directory: directory, maxBytes: 64 << 20, segmentBytes: 4096)
            let count = 3000
            let done = DispatchGroup()
            let seen = Mutex<[Int]>([])
            let failures = Mutex<[String]>([])
            DispatchQueue.global().async(group: done) {
                do { try append(1...count, to: wal) } catch { failures.withLock { $0.append("\(error)") } }
            }
            DispatchQueue.global().async(group: done) {
                var indexes: [Int] = []
                do {
                    while indexes.count < count {
                        guard let record = try wal.peek() else {
                            if failures.withLock({ !$0.isEmpty }) { break }
                            sched_yield()
                            continue
                        }
                        if record.body != Self.body(record.samples) { failures.withLock { $0.append("body \(record.samples)") } }
                        indexes.append(record.samples)
                        try wal.acknowledge(record)
                        if indexes.count % 500 == 0 { try wal.truncate() }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
                seen.withLock { $0 = indexes }
            }
            done.wait()
            #expect(failures.withLock { $0 } == [])
            #expect(seen.withLock { $0 } == Array(1...count))
            #expect(wal.pendingRecords == 0)
            try wal.truncate()
            #expect(try segmentFiles(directory).count == 1)
        }
    }
}
