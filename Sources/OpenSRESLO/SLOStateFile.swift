import CZlib
import Foundation
import OpenSREModel

/// Persists the SLO engine's state (slots, lifetime counters, baselines) to
/// `state_dir/slo-state.bin`.
///
/// Written atomically (a temporary file, fsync, rename), so a crash leaves
/// either the previous file or the new one. The file starts with a magic
/// number, a version, the series-key scheme and a CRC-32 of its payload: a
/// truncated or corrupt file is detected, reported, moved aside and not
/// trusted. Everything is stored per SLO under its name, baselines included,
/// so adding, removing or reordering definitions never disturbs another SLO;
/// an SLO whose definition changed (target, period or indicator) starts
/// afresh, the others continue.
///
/// Format 2, integers little-endian, strings as a u32 length and UTF-8:
/// ```
/// file     := "OSRESLO1" version:u32=2 keyScheme:string="fnv1a64" crc32:u32 length:u64 payload
/// payload  := count:u32 slo*
/// slo      := name:string fingerprint:u64 countingSince:u64 total:u64 selected:u64 exposedBad:u64
///             mismatches:u64 count:u32 slot* count:u32 baseline*
/// slot     := minute:i64 total:u64 selected:u64
/// baseline := series:u64 role:u8 startTime:u64 value:u64 lastSeenMinute:i64
/// ```
/// `series` is the ``SLOSeriesKey`` and `fingerprint` the FNV-1a 64 of the
/// definition's text (see ``fingerprint(_:)``): both pinned, unlike the
/// in-memory hashes, so they mean the same to every later build.
///
/// Format 1 (baselines keyed by the SLO's position in the list and
/// by a hash that was stable only within one build) is migrated: counts and
/// windows are restored by name, baselines are dropped, and each restored SLO
/// counts from the restart on (series already running become baselines, so
/// nothing is counted twice; what they counted between the last save and the
/// restart is lost). ``restore(into:)`` says so, and the collector logs it.
package struct SLOStateFile: Sendable {
    package let path: String
    static let magic: [UInt8] = Array("OSRESLO1".utf8)
    static let version: UInt32 = 2
    /// How series keys are made (``SLOSeriesKey``), recorded in the header.
    static let keyScheme = "fnv1a64"

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

    /// What ``restore(into:)`` found.
    package enum RestoreOutcome: Equatable, Sendable, CustomStringConvertible {
        /// No state file: every SLO starts afresh.
        case noFile
        case restored
        /// An older format, converted: what was kept is in ``description``.
        case migrated(fromVersion: UInt32)

        package var description: String {
            switch self {
            case .noFile: return "no SLO state file"
            case .restored: return "restored SLO state"
            case .migrated(let version):
                return "SLO state file is format \(version): counts and windows restored by SLO name, "
                    + "per-series baselines dropped (their keys were not stable across builds); "
                    + "increases between the last save and this restart are not counted"
            }
        }
    }

    /// Writes the engine's state.
    package func save(_ engine: SLOEngine) throws {
        var payload = StateWriter()
        payload.u32(UInt32(engine.definitions.count))
        for (index, definition) in engine.definitions.enumerated() {
            payload.string(definition.name)
            payload.u64(Self.fingerprint(definition))
            payload.u64(engine.countingSince[index])
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
            let baselines = engine.baselines[index].sorted {
                ($0.key.series, $0.key.role.rawValue) < ($1.key.series, $1.key.role.rawValue)
            }
            payload.u32(UInt32(baselines.count))
            for (key, baseline) in baselines {
                payload.u64(key.series)
                payload.u8(key.role.rawValue)
                payload.u64(baseline.startTime)
                payload.u64(baseline.value)
                payload.u64(UInt64(bitPattern: baseline.lastSeenMinute))
            }
        }
        var file = StateWriter()
        file.bytes.append(contentsOf: Self.magic)
        file.u32(Self.version)
        file.string(Self.keyScheme)
        file.u32(Self.crc(payload.bytes))
        file.u64(UInt64(payload.bytes.count))
        file.bytes.append(contentsOf: payload.bytes)
        try Self.writeAtomically(file.bytes, to: path)
    }

    /// Restores what the file holds into `engine` (fresh, as created). Throws
    /// ``LoadProblem`` when the file is corrupt (after moving it aside).
    @discardableResult
    package func restore(into engine: SLOEngine) throws(LoadProblem) -> RestoreOutcome {
        guard let data = FileManager.default.contents(atPath: path) else { return .noFile }
        do {
            return try Self.decode(Array(data), into: engine)
        } catch {
            // Keep it for inspection, under a name no later problem will collide with.
            let aside = path + ".corrupt-\(Int(Date().timeIntervalSince1970))-\(UInt32.random(in: 0...UInt32.max))"
            if (try? FileManager.default.moveItem(atPath: path, toPath: aside)) == nil { unlink(path) }
            throw error
        }
    }

    /// One SLO's state as read from a file, before it is handed to the engine.
    private struct Restored {
        var countingSince: UInt64?
        var lifetime: (total: UInt64, selected: UInt64)
        var bad: UInt64
        var mismatches: UInt64
        var slots: SLOSlots
        var baselines: [SLOEngine.BaselineKey: SLOEngine.Baseline] = [:]
    }

    private static func decode(_ bytes: [UInt8], into engine: SLOEngine) throws(LoadProblem) -> RestoreOutcome {
        var reader = StateReader(bytes: bytes)
        guard try reader.bytes(magic.count) == magic else { throw .corrupt("not an OpenSRE SLO state file") }
        let fileVersion = try reader.u32()
        guard fileVersion == 1 || fileVersion == version else { throw .corrupt("unknown version \(fileVersion)") }
        if fileVersion == version {
            let scheme = try reader.string()
            guard scheme == keyScheme else { throw .corrupt("unknown series key scheme \(scheme)") }
        }
        let checksum = try reader.u32()
        let length = try reader.u64()
        guard length == UInt64(bytes.count - reader.offset) else { throw .corrupt("truncated") }
        guard crc(Array(bytes[reader.offset...])) == checksum else { throw .corrupt("checksum mismatch") }
        // Decode everything before touching the engine, so a bad file changes nothing.
        let restored = fileVersion == 1 ? try decodeVersion1(&reader, for: engine) : try decodeSLOs(&reader, for: engine)
        guard reader.offset == bytes.count else { throw .corrupt("unexpected trailing data") }
        for (index, state) in restored {
            if let since = state.countingSince { engine.countingSince[index] = since }
            engine.lifetime[index] = state.lifetime
            engine.exposedBad[index] = state.bad
            engine.thresholdMismatches[index] = state.mismatches
            engine.slots[index] = state.slots
            engine.baselines[index] = state.baselines
        }
        return fileVersion == version ? .restored : .migrated(fromVersion: fileVersion)
    }

    /// Format 2: the state of the SLOs still defined, unchanged, by index in `engine`.
    private static func decodeSLOs(_ reader: inout StateReader, for engine: SLOEngine) throws(LoadProblem) -> [Int: Restored] {
        var restored: [Int: Restored] = [:]
        for _ in 0..<(try reader.u32()) {
            let name = try reader.string()
            let fingerprint = try reader.u64()
            let index = engine.definitions.firstIndex { $0.name == name }
                .flatMap { fingerprint == Self.fingerprint(engine.definitions[$0]) ? $0 : nil }
            var state = Restored(
                countingSince: try reader.u64(), lifetime: (try reader.u64(), try reader.u64()), bad: try reader.u64(),
                mismatches: try reader.u64(), slots: SLOSlots(minutes: index.map { engine.slots[$0].count } ?? 1))
            try readSlots(&reader, into: &state.slots)
            for _ in 0..<(try reader.u32()) {
                let series = try reader.u64()
                guard let role = SLOEngine.Role(rawValue: try reader.u8()) else { throw .corrupt("unknown role") }
                state.baselines[SLOEngine.BaselineKey(series: series, role: role)] = SLOEngine.Baseline(
                    startTime: try reader.u64(), value: try reader.u64(),
                    lastSeenMinute: Int64(bitPattern: try reader.u64()))
            }
            if let index { restored[index] = state }
        }
        return restored
    }

    /// Format 1: counts and slots by name; its baselines cannot be matched to
    /// series any more and are skipped, so restored SLOs count from now on.
    private static func decodeVersion1(_ reader: inout StateReader, for engine: SLOEngine) throws(LoadProblem) -> [Int: Restored] {
        _ = try reader.u64()  // the former global countingSince
        var restored: [Int: Restored] = [:]
        for _ in 0..<(try reader.u32()) {
            let name = try reader.string()
            let fingerprint = try reader.u64()
            let index = engine.definitions.firstIndex { $0.name == name }
                .flatMap { fingerprint == Self.version1Fingerprint(engine.definitions[$0]) ? $0 : nil }
            var state = Restored(
                countingSince: nil, lifetime: (try reader.u64(), try reader.u64()), bad: try reader.u64(),
                mismatches: try reader.u64(), slots: SLOSlots(minutes: index.map { engine.slots[$0].count } ?? 1))
            try readSlots(&reader, into: &state.slots)
            if let index { restored[index] = state }
        }
        for _ in 0..<(try reader.u32()) {
            _ = try reader.bytes(32)  // key, start time, value, last minute
        }
        return restored
    }

    private static func readSlots(_ reader: inout StateReader, into slots: inout SLOSlots) throws(LoadProblem) {
        for _ in 0..<(try reader.u32()) {
            let minute = Int64(bitPattern: try reader.u64())
            let total = try reader.u64()
            let selected = try reader.u64()
            slots.add(minute: minute, total: total, selected: selected)
        }
    }

    /// What must not change for old counts to stay meaningful: FNV-1a 64 of
    /// the target, period and sources written out as text.
    static func fingerprint(_ definition: SLODefinition) -> UInt64 {
        FNV1aHash.hash(fingerprintText(definition).utf8)
    }

    /// Format 1's fingerprint: the same text, through the in-process hash of that time.
    static func version1Fingerprint(_ definition: SLODefinition) -> UInt64 {
        Array(fingerprintText(definition).utf8).withUnsafeBytes { ByteHasher.hash($0, seed: 7) }
    }

    private static func fingerprintText(_ definition: SLODefinition) -> String {
        var text = "\(definition.target.numerator)/\(definition.target.denominator)|\(definition.period.components.seconds)"
        for source in [definition.good, definition.bad, definition.total] {
            guard let source else {
                text += "|-"
                continue
            }
            text += "|\(source.metric)|\(source.lessOrEqual.map { "\($0)" } ?? "")"
            for match in source.match { text += "|\(match.key)=\(match.pattern)" }
        }
        return text
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
