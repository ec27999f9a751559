import Foundation
import OpenSRESLO
import Testing

/// Persisted SLO state belongs to an SLO by name, whatever its position in the
/// definition list: removing or reordering definitions disturbs no other SLO.
@Suite("SLO state keyed by SLO name")
struct SLOStateKeyingTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slo-keying-\(UUID())").path
    static let start: UInt64 = 1_700_000_000 * 1_000_000_000
    static let minute: UInt64 = 60_000_000_000

    /// Two SLOs fed by the same series (key 7): one counts bad events, one good.
    static let availability = SLODefinition(
        name: "availability", target: SLOTarget(decimal: "0.99")!, period: .seconds(86400), periodLabel: "1d",
        bad: SLOEventSource(metric: "m", match: [AttributeMatch(key: "code", pattern: "5..")]),
        total: SLOEventSource(metric: "m"))
    static let latency = SLODefinition(
        name: "latency", target: SLOTarget(decimal: "0.9")!, period: .seconds(86400), periodLabel: "1d",
        good: SLOEventSource(metric: "m", lessOrEqual: 0.25), total: SLOEventSource(metric: "m"))

    /// Saves `[availability, latency]` after 100 events (5 bad, 80 fast),
    /// restores into `definitions` a minute later, and feeds 100 more (5 bad, 80 fast).
    func restart(into definitions: [SLODefinition]) throws -> SLOEngine {
        let before = SLOEngine(definitions: [Self.availability, Self.latency], now: Self.start)
        before.observe(slo: 0, role: .total, series: 7, startTime: Self.start, cumulative: 100, now: Self.start)
        before.observe(slo: 0, role: .selected, series: 8, startTime: Self.start, cumulative: 5, now: Self.start)
        before.observe(slo: 1, role: .total, series: 7, startTime: Self.start, cumulative: 100, now: Self.start)
        before.observe(slo: 1, role: .selected, series: 7, startTime: Self.start, cumulative: 80, now: Self.start)
        let file = SLOStateFile(directory: directory)
        try file.save(before)

        let now = Self.start + Self.minute
        let after = SLOEngine(definitions: definitions, now: now)
        _ = try file.restore(into: after)
        for (index, definition) in definitions.enumerated() {
            after.observe(slo: index, role: .total, series: 7, startTime: Self.start, cumulative: 200, now: now)
            if definition.name == "availability" {
                after.observe(slo: index, role: .selected, series: 8, startTime: Self.start, cumulative: 10, now: now)
            } else {
                after.observe(slo: index, role: .selected, series: 7, startTime: Self.start, cumulative: 160, now: now)
            }
        }
        return after
    }

    @Test("reordered definitions: each SLO continues from its own baselines")
    func reordered() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try restart(into: [Self.latency, Self.availability])
        #expect(engine.lifetimeEvents(slo: 0) == (good: 160, bad: 40))
        #expect(engine.lifetimeEvents(slo: 1) == (good: 190, bad: 10))
    }

    @Test("a removed definition leaves the other exactly as it was")
    func removed() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try restart(into: [Self.latency])
        #expect(engine.lifetimeEvents(slo: 0) == (good: 160, bad: 40))
    }
}
