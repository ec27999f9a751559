import Foundation
import OpenSRESLO
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
        #expect(try file.restore(into: after))
        #expect(after.countingSince == Self.start)
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
        #expect(try file.restore(into: engine()) == false)  // nothing left to read
    }

    @Test("an SLO whose definition changed starts afresh")
    func changedDefinition() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = SLOStateFile(directory: directory)
        let saved = engine()
        saved.observe(slo: 0, role: .total, series: 1, startTime: Self.start, cumulative: 10, now: Self.start)
        try file.save(saved)
        let changed = engine(target: "0.99")
        #expect(try file.restore(into: changed))
        #expect(changed.lifetimeEvents(slo: 0) == (good: 0, bad: 0))
    }
}
