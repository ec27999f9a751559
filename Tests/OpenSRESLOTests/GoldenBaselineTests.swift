import Foundation
import Testing

@testable import OpenSRESLO

@Suite("Golden baseline: 14 days per hour, persisted beside the SLO state")
struct GoldenBaselineTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("golden-baseline-\(UUID())").path
    static let first: Int64 = 472_222  // a Unix hour

    static func buckets(_ pairs: [Int: UInt64]) -> [UInt64] {
        (0..<15).map { pairs[$0] ?? 0 }
    }

    @Test("14 days kept: a slot 336 hours on is reused and cleared; an hour 336 or more before the newest is refused")
    func ring() throws {
        #expect(GoldenBaseline.hours == 336)
        var baseline = GoldenBaseline()
        let slot = baseline.slot(for: Self.first)!
        baseline.add(slot: slot, requests: 7, errors: 2)
        baseline.add(slot: slot, bucket: 4, count: 7)
        #expect(baseline.window(endingAt: Self.first, count: 1) == [
            GoldenBaseline.Hour(hour: Self.first, requests: 7, errors: 2, buckets: Self.buckets([4: 7]))
        ])
        // 335 hours later the first hour is still in the 14 days.
        let last = baseline.slot(for: Self.first + 335)!
        baseline.add(slot: last, requests: 1, errors: 0)
        #expect(baseline.window(endingAt: Self.first + 335, count: 336).map(\.requests).first == 7)
        #expect(baseline.occupied.map(\.hour) == [Self.first, Self.first + 335])
        // 336 hours later: the same slot, cleared for the new hour.
        let reused = baseline.slot(for: Self.first + 336)!
        #expect(reused == slot)
        baseline.add(slot: reused, requests: 3, errors: 0)
        #expect(baseline.window(endingAt: Self.first + 336, count: 1).first?.requests == 3)
        #expect(baseline.window(endingAt: Self.first, count: 1).first?.requests == 0, "overwritten 14 days on")
        #expect(baseline.slot(for: Self.first) == nil, "older than the ring")
        #expect(baseline.slot(for: Self.first + 1) != nil, "335 hours before the newest: kept")
        #expect(baseline.latest == Self.first + 336)
        #expect(baseline.occupied.map(\.hour) == [Self.first + 1, Self.first + 335, Self.first + 336])
        // Hours 336 or more before the newest are refused even in an empty slot.
        var fresh = GoldenBaseline()
        _ = fresh.slot(for: Self.first + 1000)
        #expect(fresh.slot(for: Self.first + 1000 - 336) == nil)
        #expect(fresh.slot(for: Self.first + 1000 - 335) != nil)
        let tooOld = fresh.add(GoldenBaseline.Hour(hour: Self.first, requests: 1, errors: 0, buckets: Self.buckets([:])))
        let misshapen = fresh.add(GoldenBaseline.Hour(hour: Self.first + 1000, requests: 1, errors: 0, buckets: [1]))
        #expect(!tooOld && !misshapen)
    }

    @Test("Unix hours of minutes round down, also before 1970")
    func hours() {
        #expect(GoldenBaseline.hour(ofMinute: 119) == 1)
        #expect(GoldenBaseline.hour(ofMinute: 120) == 2)
        #expect(GoldenBaseline.hour(ofMinute: -1) == -1)
        #expect(GoldenBaseline.hour(ofMinute: -60) == -1)
        #expect(GoldenBaseline.hour(ofMinute: -61) == -2)
    }

    @Test("the file round-trips every job's hours exactly, and the bytes are pinned")
    func roundTrip() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var api = GoldenBaseline()
        api.add(GoldenBaseline.Hour(hour: Self.first, requests: 10, errors: 1, buckets: Self.buckets([0: 4, 14: 6])))
        api.add(GoldenBaseline.Hour(hour: Self.first + 200, requests: UInt64.max, errors: 3, buckets: Self.buckets([7: 9])))
        var web = GoldenBaseline()
        web.add(GoldenBaseline.Hour(hour: Self.first + 5, requests: 2, errors: 0, buckets: Self.buckets([2: 2])))
        let file = GoldenBaselineFile(directory: directory)
        #expect(try file.load() == [:], "no file: nothing, no error")
        try file.save([("web", web), ("api", api)])
        let loaded = try file.load()
        #expect(loaded == ["api": api, "web": web])
        #expect(loaded["api"]?.occupied.map(\.hour) == [Self.first, Self.first + 200])
        // Header 8 + 4 + 4 + 4 + 8; payload 4 + per job (4 + 3 + 4) + hours × (8 × 18).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file.path))
        #expect(bytes.count == 28 + 4 + (11 + 2 * 144) + (11 + 144))
        #expect(Array(bytes.prefix(12)) == Array("OSREBAS1".utf8) + [1, 0, 0, 0])
    }

    @Test("a corrupt, truncated or foreign file is refused and, when the collector restores it, moved aside")
    func corrupt() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var api = GoldenBaseline()
        api.add(GoldenBaseline.Hour(hour: Self.first, requests: 10, errors: 1, buckets: Self.buckets([0: 10])))
        let file = GoldenBaselineFile(directory: directory)
        try file.save([("api", api)])
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file.path)))
        bytes[bytes.count - 3] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: SLOStateFile.LoadProblem.corrupt("checksum mismatch")) { try file.load() }
        #expect(FileManager.default.fileExists(atPath: file.path), "load() leaves it for the collector")
        #expect(throws: SLOStateFile.LoadProblem.corrupt("checksum mismatch")) { try file.restore() }
        #expect(!FileManager.default.fileExists(atPath: file.path))
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(aside.count == 1 && aside[0].hasPrefix("golden-baseline.bin.corrupt-"))

        try Data(bytes.prefix(30)).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: SLOStateFile.LoadProblem.corrupt("truncated")) { try file.load() }
        try Data("OSRESLO1 not this one".utf8).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: SLOStateFile.LoadProblem.corrupt("not an OpenSRE baseline file")) { try file.load() }
        var otherBuckets = GoldenBaselineFile.encode([("api", api)])
        otherBuckets[12] = 12
        try Data(otherBuckets).write(to: URL(fileURLWithPath: file.path))
        #expect(throws: SLOStateFile.LoadProblem.corrupt("12 latency buckets, not 15")) { try file.load() }
    }
}
