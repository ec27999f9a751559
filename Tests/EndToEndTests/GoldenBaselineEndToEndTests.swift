import Foundation
import OpenSRESLO
import OpenSRETestSupport
import Testing

/// The 14-day golden baseline through the built executable: restored from the
/// state file into `GET /api/v1/golden`, drafted into SLOs by
/// `opensre slo suggest`, and grown by a real SDK's requests.
@Suite("Golden baseline end to end", .serialized)
struct GoldenBaselineEndToEndTests {
    /// A collector whose slo processor has no definitions: it persists the baseline only.
    static func config(receiver: Int, exporter: Int, stateDirectory: String) throws -> String {
        try ExecutableTests.writeConfig(
            """
            receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:\(receiver)" } } } }
            processors:
              batch:
              slo:
                state_dir: \(stateDirectory)
                persist_interval: 1s
            exporters: { prometheus: { endpoint: "127.0.0.1:\(exporter)", shutdown_grace_period: 0s } }
            service: { pipelines: { metrics: { receivers: [otlp], processors: [batch, slo], exporters: [prometheus] } } }
            """)
    }

    static func golden(_ port: Int) async throws -> [[String: Any]] {
        let response = try await TestHTTPConnection.send(port: port, .GET, "/api/v1/golden")
        #expect(response.status == .ok)
        let body = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try #require(body?["jobs"] as? [[String: Any]])
    }

    @Test("a known 14-day baseline in the state file: slo suggest drafts the expected SLOs, the API shows the same baseline")
    func injected() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-baseline-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // 300 hours up to the last full one, 1,000 requests each: 600 ≤ 50 ms, 300 ≤ 75 ms, 90 ≤ 100 ms,
        // 8 ≤ 250 ms, 2 ≤ 500 ms; 30 errors in all. (Inside the 14 days even if the hour turns meanwhile.)
        let now = Int64(Date().timeIntervalSince1970) / 3600
        let hours = (now - 300)...(now - 1)
        var baseline = GoldenBaseline()
        for hour in hours {
            baseline.add(
                GoldenBaseline.Hour(
                    hour: hour, requests: 1000, errors: hour > now - 31 ? 1 : 0,
                    buckets: [0, 0, 0, 600, 300, 90, 8, 2] + Array(repeating: 0, count: 7)))
        }
        try GoldenBaselineFile(directory: directory).save([("checkout", baseline)])

        let receiver = try ExecutableTests.freePort()
        let exporter = try ExecutableTests.freePort()
        let config = try Self.config(receiver: receiver, exporter: exporter, stateDirectory: directory)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = try await RunningExecutable.start(config: config, readyPort: exporter)

        let jobs = try await Self.golden(exporter)
        #expect(jobs.map { $0["job"] as? String } == ["checkout"])
        let api = try #require(jobs.first?["baseline"] as? [String: Any])
        let start = try #require(api["start"] as? Int)
        #expect(api["step"] as? Int == 3600)
        let requests = try #require(api["requests"] as? [Int])
        #expect(requests.count == 336)
        #expect(requests == (0..<336).map { hours.contains(Int64(start / 3600 + $0)) ? 1000 : 0 })
        #expect((api["errors"] as? [Int])?.reduce(0, +) == 30)
        #expect(api["requestsTotal"] as? Int == 300_000 && api["errorsTotal"] as? Int == 30)
        #expect(api["availability"] as? Double == 1 - 30.0 / 300_000)
        // Over all: 180,000 ≤ 50 ms, 90,000 ≤ 75 ms, 27,000 ≤ 100 ms: p99 (rank 297,000) ends the 100 ms bucket.
        #expect(api["latencyP99Seconds"] as? Double == 0.075 + (0.1 - 0.075) * 27_000 / 27_000)
        #expect(api["latencyP50Seconds"] as? Double == 0.025 + (0.05 - 0.025) * 150_000 / 180_000)
        #expect((api["p50"] as? [Any])?.last is NSNull, "the current hour has no requests")
        let lastHour = Int64(start / 3600 + 335)
        let covered: Double = Double(lastHour - (now - 300) + 1) / 24
        #expect(api["days"] as? Double == covered)

        // Drafted from the state directory, and from the configuration naming it.
        let expected = [
            "# 14 days (", "): 300,000 requests, 30 errors.",
            "# Availability: observed 99.9900%. Target 99.95%: the highest of 99.99, 99.95, 99.9, 99.5, 99, 98, 95, 90%",
            "It used 20.00% of it.", "target: 0.9995",
            "# requests within 250 ms. Target 99% within 250 ms (le: 0.25)",
            "# 600 requests were slower: 20.00% of the budget.", "le: 0.25",
            "name: checkout-availability", "name: checkout-latency", "service.name: checkout",
        ]
        for arguments in [["--state-dir", directory], ["--config", config]] {
            let run = try await ProgramRun.run(ExecutableTests.binary, ["slo", "suggest", "--service", "checkout"] + arguments)
            #expect(run.status == 0, "\(run.output)")
            for line in expected { #expect(run.output.contains(line), "missing \(line) in:\n\(run.output)") }
            // What it prints loads as SLOs, and a collector accepts it.
            let file = directory + "/suggested.yaml"
            try run.output.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try OpenSLOLoader.load(patterns: [file]).map(\.name) == ["checkout-availability", "checkout-latency"])
            let withSLOs = try ExecutableTests.writeConfig(
                try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
                    of: "    state_dir:", with: "    definitions: [\(file)]\n    state_dir:"))
            defer { try? FileManager.default.removeItem(atPath: withSLOs) }
            let validate = try await ProgramRun.run(ExecutableTests.binary, ["validate", "--config", withSLOs])
            #expect(validate.status == 0, "\(validate.output)")
        }
        let unknown = try await ProgramRun.run(ExecutableTests.binary, ["slo", "suggest", "--service", "payments", "--state-dir", directory])
        #expect(unknown.status == 2)
        #expect(unknown.output.contains("no baseline for service payments; services with a baseline: checkout"))
        let empty = try await ProgramRun.run(
            ExecutableTests.binary, ["slo", "suggest", "--service", "checkout", "--state-dir", directory + "/none"])
        #expect(empty.status == 2 && empty.output.contains("no golden baseline in"))

        #expect(try await collector.stop() == 0)
        #expect(try GoldenBaselineFile(directory: directory).load()["checkout"]?.occupied == baseline.occupied, "saved back unchanged")
    }

    @Test("real SDK requests grow the baseline: the current hour holds what was sent, and it is persisted")
    func grows() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-baseline-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let receiver = try ExecutableTests.freePort()
        let exporter = try ExecutableTests.freePort()
        let config = try Self.config(receiver: receiver, exporter: exporter, stateDirectory: directory)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = try await RunningExecutable.start(config: config, readyPort: exporter)
        let sentAt = Int64(Date().timeIntervalSince1970) / 3600
        try await SLOEndToEndTests().sendRequests(port: receiver, fast: 985, errors: 10, slow: 5)

        let api = try #require(try await Self.golden(exporter).first { $0["job"] as? String == "checkout" }?["baseline"] as? [String: Any])
        let start = try #require(api["start"] as? Int)
        let requests = try #require(api["requests"] as? [Int])
        let index = Int(sentAt) - start / 3600  // the hour the requests arrived in (the last, unless it has just turned)
        #expect(index == 335 || index == 334)
        #expect(requests[index] == 1000 && requests.reduce(0, +) == 1000)
        #expect((api["errors"] as? [Int])?[index] == 10)
        #expect(api["availability"] as? Double == 0.99)

        #expect(try await collector.stop() == 0)
        let saved = try #require(try GoldenBaselineFile(directory: directory).load()["checkout"]?.occupied)
        #expect(saved.map(\.requests) == [1000] && saved.map(\.errors) == [10])
        // 0.05 s → the 0.1 bucket, 0.75 s → the 1 s bucket (the SDK's bounds 0.1/0.25/0.5/1).
        #expect(saved.first?.buckets == [0, 0, 0, 0, 0, 995, 0, 0, 0, 5, 0, 0, 0, 0, 0])

        // One day of 1,000 requests is enough for a draft: 1% errors is half of 98%'s budget, 0.5% over 100 ms half of 99%'s.
        let run = try await ProgramRun.run(
            ExecutableTests.binary, ["slo", "suggest", "--service", "checkout", "--days", "1", "--state-dir", directory])
        #expect(run.status == 0, "\(run.output)")
        for line in ["target: 0.98", "It used 50.00% of it.", "le: 0.1", "# 5 requests were slower: 50.00% of the budget."] {
            #expect(run.output.contains(line), "missing \(line) in:\n\(run.output)")
        }
    }
}
