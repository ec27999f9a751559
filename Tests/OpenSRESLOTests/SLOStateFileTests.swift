import Foundation
import OpenSREModel
@testable import OpenSRESLO
import Testing

@Suite("SLO state persistence")
struct SLOStateFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slo-state-\(UUID())").path
    static let start: UInt64 = 1_700_000_000 * 1_000_000_000
    static let minute: UInt64 = 60_000_000_000

    func engine(target: String = "0.999") -> SLOEngine {
        let definition = SLODefinition(
            name: "api", target: SLOTarget(decimal: target)!, period: .seconds(86400), periodLabel: "1d",
            bad: SLOEventSource(metric: "m", match: [AttributeMatch(key: "code", pattern: "5..")]),
            total: SLOEventSource(metric: "m"))
        return SLOEngine(definitions: [definition], now: Self.start)
    }

    @Test("a restart continues counting exactly: slots, counters and baselines survive")
    func roundTrip() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let before = engine()
        before.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 1000, now: Self.start + Self.minute)
        before.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 3, now: Self.start + Self.minute)
        let file = SLOStateFile(directory: directory)
        try file.save(before)

        let after = engine()
        #expect(try file.restore(into: after) == .restored)
        #expect(after.countingSince == [Self.start])
        let now = Self.start + 2 * Self.minute
        #expect(after.budget(slo: 0, minutes: 60, now: now) == before.budget(slo: 0, minutes: 60, now: now))
        #expect(after.lifetimeEvents(slo: 0) == (good: 997, bad: 3))
        // The app's cumulative counters went on meanwhile: only the increase counts, nothing twice.
        after.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 1500, now: now)
        after.observe(slo: 0, role: .selected, series: 2, startTime: Self.start, cumulative: 4, now: now)
        #expect(after.lifetimeEvents(slo: 0) == (good: 1496, bad: 4))
    }

    @Test("a corrupt file is detected, moved aside and not trusted")
    func corrupt() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = SLOStateFile(directory: directory)
        let saved = engine()
        saved.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 10, now: Self.start)
        try file.save(saved)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file.path)))
        bytes[bytes.count - 5] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file.path))
        let fresh = engine()
        #expect(throws: SLOStateFile.LoadProblem.corrupt("checksum mismatch")) { try file.restore(into: fresh) }
        #expect(fresh.lifetimeEvents(slo: 0) == (good: 0, bad: 0))
        #expect(!FileManager.default.fileExists(atPath: file.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).contains { $0.hasPrefix("slo-state.bin.corrupt-") })

        try Data(bytes.prefix(20)).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: SLOStateFile.LoadProblem.corrupt("truncated")) { try file.restore(into: engine()) }
        try Data("not a state file".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: SLOStateFile.LoadProblem.corrupt("not an OpenSRE SLO state file")) { try file.restore(into: engine()) }
        #expect(try file.restore(into: engine()) == .noFile)  // nothing left to read
    }

    @Test("an SLO whose definition changed starts afresh")
    func changedDefinition() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = SLOStateFile(directory: directory)
        let saved = engine()
        saved.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 10, now: Self.start)
        try file.save(saved)
        let changed = SLOEngine(definitions: engine(target: "0.99").definitions, now: Self.start + Self.minute)
        #expect(try file.restore(into: changed) == .restored)
        #expect(changed.lifetimeEvents(slo: 0) == (good: 0, bad: 0))
        // Its series started before it (re)started counting: they only set baselines.
        changed.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 15, now: Self.start + Self.minute)
        #expect(changed.lifetimeEvents(slo: 0) == (good: 0, bad: 0))
    }

    @Test("the file names its format and series-key scheme in its header")
    func header() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = SLOStateFile(directory: directory)
        try file.save(engine())
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file.path)))
        #expect(Array(bytes[0..<8]) == Array("OSRESLO1".utf8))
        #expect(Array(bytes[8..<12]) == [2, 0, 0, 0])
        #expect(Array(bytes[12..<23]) == [7, 0, 0, 0] + Array("fnv1a64".utf8))
    }

    @Test("pinned hashes: FNV-1a 64 test vectors, and a series key and fingerprint that must never change")
    func pinnedHashes() {
        #expect(FNV1aHash.hash([]) == 0xcbf2_9ce4_8422_2325)
        #expect(FNV1aHash.hash(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(FNV1aHash.hash(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
        let identity: [UInt8] = [3, 0, 0, 0] + Array("api".utf8)
        let attributes = AttributeEncoder.encode([Attribute("code", .string("500"))])
        let key = identity.withUnsafeBytes { id in attributes.withUnsafeBytes { SLOSeriesKey.make(identity: id, attributes: $0) } }
        #expect(key == 0xcb8b_3509_0da6_4da9)
        #expect(SLOStateFile.fingerprint(engine().definitions[0]) == 0xb6b7_ed70_7ce5_0390)  // FNV-1a 64 of "999/1000|86400|-|m||code=5..|m|"
    }

    @Test("a format-1 file is migrated: counts by name, baselines dropped, running series become baselines")
    func migratesVersion1() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let definition = engine().definitions[0]
        // Written as format 1 did: global countingSince, per SLO counts and slots, then baselines keyed by position.
        var payload = StateWriter()
        payload.u64(Self.start)
        payload.u32(1)
        payload.string("api")
        payload.u64(SLOStateFile.version1Fingerprint(definition))
        payload.u64(1000)  // total
        payload.u64(3)  // selected (bad)
        payload.u64(3)  // exposed bad
        payload.u64(0)  // mismatches
        payload.u32(1)
        payload.u64(UInt64(Self.start / Self.minute))
        payload.u64(1000)
        payload.u64(3)
        payload.u32(1)
        for value in [UInt64(42), Self.start, 1000, UInt64(Self.start / Self.minute)] { payload.u64(value) }
        var bytes = StateWriter()
        bytes.bytes = Array("OSRESLO1".utf8)
        bytes.u32(1)
        bytes.u32(SLOStateFile.crc(payload.bytes))
        bytes.u64(UInt64(payload.bytes.count))
        bytes.bytes += payload.bytes
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = SLOStateFile(directory: directory)
        try Data(bytes.bytes).write(to: URL(fileURLWithPath: file.path))

        let now = Self.start + 10 * Self.minute
        let restored = SLOEngine(definitions: [definition], now: now)
        #expect(try file.restore(into: restored) == .migrated(fromVersion: 1))
        #expect(restored.lifetimeEvents(slo: 0) == (good: 997, bad: 3))
        #expect(restored.budget(slo: 0, minutes: 60, now: now).total == 1000)
        #expect(restored.countingSince == [now])
        // A series that ran through the upgrade is a baseline; its later increase counts.
        restored.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 1200, now: now)
        restored.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 1250, now: now)
        #expect(restored.lifetimeEvents(slo: 0) == (good: 1047, bad: 3))
        // Saved again, it is format 2.
        try file.save(restored)
        #expect(try file.restore(into: SLOEngine(definitions: [definition], now: now)) == .restored)
    }
}
