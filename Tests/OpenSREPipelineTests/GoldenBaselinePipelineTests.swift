import Foundation
import Logging
import OpenSREModel
import OpenSRESLO
import OpenSRETestSupport
import Testing

@testable import OpenSREPipeline

@Suite("Golden signals: the 14-day hourly baseline and the per-minute saturation (GET /api/v1/golden)")
struct GoldenBaselinePipelineTests {
    static let second: UInt64 = 1_000_000_000
    static let minute: UInt64 = 60 * second
    static let hour: UInt64 = 3600 * second
    /// 2023-11-14T22:00:00Z, an hour boundary.
    static let start: UInt64 = 1_700_000_000 / 3600 * 3600 * second

    static func latency(_ ok: [Int], errors: Int, start: UInt64 = 1) -> String {
        JSONRequests.histogram(
            "http.server.request.duration", start: start, bounds: [0.1, 0.5],
            points: [
                (JSONRequests.attributes(("http.response.status_code", "200")), ok),
                (JSONRequests.attributes(("http.response.status_code", "500")), [errors, 0, 0]),
            ])
    }

    static func cpu(_ points: [(mode: String, value: Double)], metric: String = "process.cpu.utilization", time: UInt64) -> String {
        let rendered = points.map {
            #"{"asDouble":\#($0.value),"timeUnixNano":"\#(time)","attributes":\#(JSONRequests.attributes(("cpu.mode", $0.mode)))}"#
        }
        return #"{"name":"\#(metric)","gauge":{"dataPoints":[\#(rendered.joined(separator: ","))]}}"#
    }

    @Test("requests, errors and buckets land in the hour of arrival; the API's baseline fields, exactly")
    func hourly() throws {
        let store = SeriesStore()
        try store.apply(JSONRequests.batch(JSONRequests.request(service: "api", Self.latency([8, 2, 0], errors: 1))), wallClock: Self.start + 5 * Self.minute)
        // Cumulative: 4 more (3 fast, 1 in (0.1, 0.5]) two hours later; the 500 series sends nothing new.
        try store.apply(
            JSONRequests.batch(JSONRequests.request(service: "api", Self.latency([11, 3, 0], errors: 1))), wallClock: Self.start + 2 * Self.hour + 1)
        let status = try #require(store.golden?.statuses(now: Self.start + 2 * Self.hour + 30 * Self.minute).first)
        let baseline = status.baseline
        let hour = Int64(Self.start / Self.hour) + 2
        #expect(baseline.step == 3600 && baseline.requests.count == 336)
        #expect(baseline.start == (hour - 335) * 3600)
        #expect(Array(baseline.requests.suffix(3)) == [11, 0, 4])
        #expect(Array(baseline.errors.suffix(3)) == [1, 0, 0])
        #expect(baseline.requests.dropLast(3).allSatisfy { $0 == 0 })
        // Hour 0: 9 in (0, 0.1] (8 + the error), 2 in (0.25, 0.5] (0.5 → the 0.5 bucket); rank 5.5 of 11.
        #expect(Array(baseline.p50.suffix(3)) == [0.075 + (0.1 - 0.075) * 5.5 / 9, nil, 0.075 + (0.1 - 0.075) * 2 / 3])
        #expect(baseline.p99.last! == 0.25 + (0.5 - 0.25) * (0.99 * 4 - 3) / 1)
        #expect(baseline.days == 3.0 / 24)
        #expect(baseline.requestsTotal == 15 && baseline.errorsTotal == 1)
        #expect(baseline.availability == 1 - 1.0 / 15)
        // All 15: 12 in (0.075, 0.1], 3 in (0.25, 0.5]; p50 rank 7.5, p90 rank 13.5, p99 rank 14.85.
        #expect(baseline.latencyP50Seconds == 0.075 + (0.1 - 0.075) * (0.5 * 15) / 12)
        #expect(baseline.latencyP90Seconds == 0.25 + (0.5 - 0.25) * (0.9 * 15 - 12) / 3)
        #expect(baseline.latencyP99Seconds == 0.25 + (0.5 - 0.25) * (0.99 * 15 - 12) / 3)

        // The JSON: stable names, nulls where there is nothing.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try #require(JSONSerialization.jsonObject(with: encoder.encode(status)) as? [String: Any])
        #expect(json.keys.sorted() == ["baseline", "errors", "history", "job", "requests"])
        let encoded = try #require(json["baseline"] as? [String: Any])
        #expect(encoded.keys.sorted() == [
            "availability", "days", "errors", "errorsTotal", "latencyP50Seconds", "latencyP90Seconds", "latencyP99Seconds",
            "p50", "p90", "p99", "requests", "requestsTotal", "start", "step",
        ])
        #expect((encoded["p50"] as? [Any])?.dropLast(1).last is NSNull)
        let history = try #require(json["history"] as? [String: Any])
        #expect(history.keys.sorted() == ["errors", "p50", "p90", "p99", "requests", "saturation", "start", "step"])
        #expect((history["saturation"] as? [Any])?.allSatisfy { $0 is NSNull } == true)

        let empty = GoldenStatus.Baseline(hours: GoldenBaseline().window(endingAt: hour, count: 336))
        #expect(empty.availability == nil && empty.latencyP99Seconds == nil && empty.days == 0 && empty.requestsTotal == 0)
        let text = String(decoding: try encoder.encode(empty), as: UTF8.self)
        #expect(text.contains(#""availability":null"#) && text.contains(#""latencyP50Seconds":null"#))
    }

    @Test("saturation: the job's highest CPU (idle and host CPU left out) per minute; null without a value")
    func saturation() throws {
        let store = SeriesStore()
        let minute = Self.start + 10 * Self.minute
        func send(_ metrics: String..., at wallClock: UInt64) throws {
            store.apply(try JSONRequests.batch(JSONRequests.request(service: "api", instance: "i1", metrics)), wallClock: wallClock)
        }
        try send(Self.latency([1, 0, 0], errors: 0), at: minute)
        try send(Self.cpu([("user", 0.25), ("system", 0.125), ("idle", 0.5)], time: 10), at: minute + 1)
        try send(Self.cpu([("user", 0.5), ("system", 0.25), ("idle", 0.25)], time: 20), at: minute + 2)
        try send(Self.cpu([("user", 0.0625), ("system", 0.0625)], time: 30), at: minute + 3)
        try send(Self.cpu([("user", 0.9)], metric: "system.cpu.utilization", time: 30), at: minute + 4)  // host_cpu
        try send(Self.cpu([("user", 0.0625), ("system", 0.0625)], time: 40), at: minute + 2 * Self.minute)
        // A second instance of the job adds to its CPU, as in opensre_golden_saturation_ratio.
        store.apply(
            try JSONRequests.batch(JSONRequests.request(service: "api", instance: "i2", [Self.cpu([("user", 0.5)], time: 50)])),
            wallClock: minute + 2 * Self.minute + 1)
        let status = try #require(store.golden?.statuses(now: minute + 2 * Self.minute).first)
        #expect(Array(status.history.saturation.suffix(4)) == [nil, 0.75, nil, 0.625])
        #expect(status.history.saturation.dropLast(3).allSatisfy { $0 == nil })
        let scrape = String(decoding: ScrapeSources.render(store), as: UTF8.self)
        #expect(scrape.contains(#"opensre_golden_saturation_ratio{job="api",resource="cpu"} 0.625"#))
    }

    @Test("a saved baseline from a clock that ran ahead (or before 1970) is not restored: it would refuse every real hour")
    func implausibleHours() {
        let golden = GoldenSignals(configuration: GoldenSignalsConfiguration(), countingSince: 0)
        let hour: Int64 = 500_000
        func baseline(at hour: Int64) -> GoldenBaseline {
            var baseline = GoldenBaseline()
            baseline.add(GoldenBaseline.Hour(hour: hour, requests: 1, errors: 0, buckets: [1] + Array(repeating: 0, count: 14)))
            return baseline
        }
        golden.restoreBaselines(
            ["now": baseline(at: hour), "ahead": baseline(at: hour + 1), "ancient": baseline(at: Int64.min + 1)], hour: hour)
        #expect(golden.jobs.keys.sorted() == ["now"] && golden.baselineJobs == 1)
        // Hours far apart compare without overflow: the ancient hour is refused, not a trap.
        var far = baseline(at: Int64.max - 1)
        #expect(far.slot(for: Int64.min + 1) == nil)
    }

    @Test("at most 256 jobs keep a baseline: a new one takes the least recently active one's, not one active this hour")
    func bound() throws {
        let golden = GoldenSignals(configuration: GoldenSignalsConfiguration(), countingSince: 0)
        let hour: Int64 = 500_000
        var saved: [String: GoldenBaseline] = [:]
        for index in 0..<GoldenSignals.maxBaselineJobs {
            var baseline = GoldenBaseline()
            baseline.add(GoldenBaseline.Hour(hour: hour - 1 - Int64(index), requests: 1, errors: 0, buckets: [1] + Array(repeating: 0, count: 14)))
            saved["job\(index)"] = baseline
        }
        var extra = GoldenBaseline()
        extra.add(GoldenBaseline.Hour(hour: hour - 300, requests: 1, errors: 0, buckets: [1] + Array(repeating: 0, count: 14)))
        saved["old"] = extra
        golden.restoreBaselines(saved, hour: hour)
        #expect(golden.baselineJobs == 256)
        #expect(golden.jobs["old"] == nil, "the least recently active of 257 is not restored")
        let newcomer = golden.job("new")
        golden.allocateBaseline(for: newcomer, hour: hour)
        #expect(newcomer.baseline != nil && golden.baselineJobs == 256)
        #expect(golden.jobs["job255"]?.baseline == nil, "job255, active longest ago, gave its baseline up")
        // With every baseline active this hour, a newcomer waits for the next hour.
        for (_, job) in golden.jobs { if job.baseline != nil { _ = job.baseline!.slot(for: hour) } }
        let late = golden.job("late")
        golden.allocateBaseline(for: late, hour: hour)
        #expect(late.baseline == nil && late.baselineRefusedHour == hour)
        // Saved at an hour 14 days after job0's last: only the newest remain, the others are dropped.
        #expect(golden.baselinesToSave(hour: hour + 335).count == 256)
        #expect(golden.baselinesToSave(hour: hour + 336).isEmpty)
        #expect(golden.baselineJobs == 0)
    }

    @Test("persisted with the SLO state (slo processor without definitions), restored at start; a corrupt file is not trusted")
    func persistence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("golden-persist-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let wallClock = Self.start + 7 * Self.hour + 59 * Self.minute
        func processor() -> BatchProcessor {
            BatchProcessor(
                rings: 1, configuration: BatchingConfiguration(), settings: ExpositionSettings(),
                slo: SLOProcessorConfiguration(stateDirectory: directory),
                clock: ManualProcessorClock(wallClock: wallClock),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        }
        func statuses(_ processor: BatchProcessor) async -> [GoldenStatus] {
            await withCheckedContinuation { continuation in processor.goldenStatuses { continuation.resume(returning: $0) } }
        }
        let first = processor()
        first.start()
        let batch = try JSONRequests.batch(JSONRequests.request(service: "api", Self.latency([8, 2, 0], errors: 1, start: wallClock)))
        await withCheckedContinuation { continuation in
            _ = first.submit(batch, ring: 0) { _ in continuation.resume() }
        }
        let before = await statuses(first)
        #expect(before.first?.baseline.requests.last == 11)
        await first.stop()
        let file = GoldenBaselineFile(directory: directory)
        #expect(try file.load()["api"]?.occupied == [
            GoldenBaseline.Hour(hour: Int64(wallClock / Self.hour), requests: 11, errors: 1, buckets: [0, 0, 0, 0, 0, 9, 0, 2] + Array(repeating: 0, count: 7))
        ])
        #expect(!FileManager.default.fileExists(atPath: directory + "/slo-state.bin"), "no SLOs: no SLO state")

        let second = processor()
        second.start()
        let after = await statuses(second)
        #expect(after.map(\.job) == ["api"])
        #expect(after.first?.baseline == before.first?.baseline)
        #expect(after.first?.requests == 0, "totals are since the start; the baseline survives")
        await second.stop()

        // Corrupt: logged, moved aside, the processor starts with no baseline (and does not crash).
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file.path)))
        bytes[40] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: file.path))
        let third = processor()
        third.start()
        #expect(await statuses(third).isEmpty)
        await third.stop()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(names.contains { $0.hasPrefix("golden-baseline.bin.corrupt-") })
        #expect(try file.load().isEmpty, "saved afresh, with no baseline")
    }
}
