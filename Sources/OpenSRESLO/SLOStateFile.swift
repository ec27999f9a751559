import CZlib
import Foundation
import OpenSREModel

/// Persists the SLO engine's state (slots, lifetime counters, baselines) to
/// `state_dir/slo-state.bin`.
///
/// Written atomically (a temporary file, fsync, rename), so a crash leaves
/// either the previous file or the new one. The file starts with a magic
/// number, a version and a CRC-32 of its payload: a truncated or corrupt file
/// is detected, reported, moved aside and not trusted. An SLO whose
/// definition changed (target, period or indicator) starts afresh; the
/// others continue.
package struct SLOStateFile: Sendable {
    package let path: String
    static let magic: [UInt8] = Array("OSRESLO1".utf8)
    static let version: UInt32 = 1

    package init(directory: String) {
        path = directory + "/slo-state.bin"
    }

    /// Why a state file was not used.
    package enum LoadProblem: Error, Equatable, CustomStringConvertible {
        case corrupt(String)
        package var description: String {
            switch self {
            case .corrupt(let reason): return "SLO state file is corrupt (\(reason)); starting afresh"
            }
        }
    }

    /// Writes the engine's state.
    package func save(_ engine: SLOEngine) throws {
        var payload = StateWriter()
        payload.u64(engine.countingSince)
        payload.u32(UInt32(engine.definitions.count))
        for (index, definition) in engine.definitions.enumerated() {
            payload.string(definition.name)
            payload.u64(Self.fingerprint(definition))
            payload.u64(engine.lifetime[index].total)
            payload.u64(engine.lifetime[index].selected)
            payload.u64(engine.exposedBad[index])
            payload.u64(engine.thresholdMismatches[index])
            let occupied = engine.slots[index].occupied
            payload.u32(UInt32(occupied.count))
            for slot in occupied {
                payload.u64(UInt64(bitPattern: slot.minute))
                payload.u64(slot.total)
                payload.u64(slot.selected)
            }
        }
        payload.u32(UInt32(engine.baselines.count))
        for (key, baseline) in engine.baselines.sorted(by: { $0.key < $1.key }) {
            payload.u64(key)
            payload.u64(baseline.startTime)
            payload.u64(baseline.value)
            payload.u64(UInt64(bitPattern: baseline.lastSeenMinute))
        }
        var file = StateWriter()
        file.bytes.append(contentsOf: Self.magic)
        file.u32(Self.version)
        file.u32(Self.crc(payload.bytes))
        file.u64(UInt64(payload.bytes.count))
        file.bytes.append(contentsOf: payload.bytes)
        try Self.writeAtomically(file.bytes, to: path)
    }

    /// Restores what the file holds into `engine`. Returns false when there
    /// is no file; throws ``LoadProblem`` when it is corrupt (after moving it aside).
    @discardableResult
    package func restore(into engine: SLOEngine) throws(LoadProblem) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        do {
            try Self.decode(Array(data), into: engine)
            return true
        } catch {
            // Keep it for inspection, under a name no later problem will collide with.
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))-\(UInt32.random(in: 0...UInt32.max))"
            if (try? FileManager.default.moveItem(atPath: path, toPath: aside)) == nil { unlink(path) }
            throw error
        }
    }

    private static func decode(_ bytes: [UInt8], into engine: SLOEngine) throws(LoadProblem) {
        var reader = StateReader(bytes: bytes)
        guard try reader.bytes(magic.count) == magic else { throw .corrupt("not an OpenSRE SLO state file") }
        guard try reader.u32() == version else { throw .corrupt("unknown version") }
        let checksum = try reader.u32()
        let length = try reader.u64()
        guard length == UInt64(bytes.count - reader.offset) else { throw .corrupt("truncated") }
        guard crc(Array(bytes[reader.offset...])) == checksum else { throw .corrupt("checksum mismatch") }
        // Decode everything before touching the engine, so a bad file changes nothing.
        let countingSince = try reader.u64()
        var restored: [Int: (lifetime: (UInt64, UInt64), bad: UInt64, mismatches: UInt64, slots: SLOSlots)] = [:]
        for _ in 0..<(try reader.u32()) {
            let name = try reader.string()
            let fingerprint = try reader.u64()
            let lifetime = (try reader.u64(), try reader.u64())
            let bad = try reader.u64()
            let mismatches = try reader.u64()
            let index = engine.definitions.firstIndex { $0.name == name }
            var slots = index.map { SLOSlots(minutes: engine.slots[$0].count) }
            for _ in 0..<(try reader.u32()) {
                let minute = Int64(bitPattern: try reader.u64())
                let total = try reader.u64()
                let selected = try reader.u64()
                slots?.add(minute: minute, total: total, selected: selected)
            }
            if let index, let slots, fingerprint == Self.fingerprint(engine.definitions[index]) {
                restored[index] = (lifetime, bad, mismatches, slots)
            }
        }
        var baselines: [UInt64: SLOEngine.Baseline] = [:]
        for _ in 0..<(try reader.u32()) {
            let key = try reader.u64()
            baselines[key] = SLOEngine.Baseline(
                startTime: try reader.u64(), value: try reader.u64(),
                lastSeenMinute: Int64(bitPattern: try reader.u64()))
        }
        guard reader.offset == bytes.count else { throw .corrupt("unexpected trailing data") }
        engine.countingSince = countingSince
        for (index, state) in restored {
            engine.lifetime[index] = state.lifetime
            engine.exposedBad[index] = state.bad
            engine.thresholdMismatches[index] = state.mismatches
            engine.slots[index] = state.slots
        }
        engine.baselines = baselines
    }

    /// What must not change for old counts to stay meaningful.
    static func fingerprint(_ definition: SLODefinition) -> UInt64 {
        var text = "\(definition.target.numerator)/\(definition.target.denominator)|\(definition.period.components.seconds)"
        for source in [definition.good, definition.bad, definition.total] {
            guard let source else {
                text += "|-"
                continue
            }
            text += "|\(source.metric)|\(source.lessOrEqual.map { "\($0)" } ?? "")"
            for match in source.match { text += "|\(match.key)=\(match.pattern)" }
        }
        return Array(text.utf8).withUnsafeBytes { ByteHasher.hash($0, seed: 7) }
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var written = 0
        let failed: Bool = bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let result = write(descriptor, raw.baseAddress! + written, raw.count - written)
                if result <= 0 { return true }
                written += result
            }
            return fsync(descriptor) != 0
        }
        close(descriptor)
        guard !failed, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw POSIXError(.EIO)
        }
    }
}

struct StateWriter {
    var bytes: [UInt8] = []
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ value: String) {
        u32(UInt32(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }
}

struct StateReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func bytes(_ count: Int) throws(SLOStateFile.LoadProblem) -> [UInt8] {
        guard count >= 0, offset + count <= bytes.count else { throw .corrupt("truncated") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func u32() throws(SLOStateFile.LoadProblem) -> UInt32 {
        let raw = try bytes(4)
        return raw.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
    }

    mutating func u64() throws(SLOStateFile.LoadProblem) -> UInt64 {
        let raw = try bytes(8)
        return raw.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    }

    mutating func string() throws(SLOStateFile.LoadProblem) -> String {
        let length = Int(try u32())
        guard length <= 1024 else { throw .corrupt("implausible name length") }
        return String(decoding: try bytes(length), as: UTF8.self)
    }
}
