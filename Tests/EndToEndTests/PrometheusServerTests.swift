import Foundation
import NIOHTTP1
import OpenSRETestSupport
import Testing

/// Debian's Prometheus server scrapes the collector (OpenMetrics negotiated,
/// `honor_labels: true`) while the Python SDK streams metrics into it; values
/// are read back through Prometheus's query API.
@Suite("Real Prometheus", .serialized)
struct PrometheusServerTests {
    static let rounds = 8

    @Test("counters, up-down counters, observable gauges and histograms, cumulative and delta, through Prometheus")
    func scrapeAndQuery() async throws {
        let prometheusBinary = try #require(ProgramRun.which("prometheus"), "prometheus missing: apt-get install prometheus")
        let collector = try await RunningCollector.start(batchTimeout: "200ms")
        defer { Task { await collector.stop() } }
        let prometheus = try PrometheusProcess.start(binary: prometheusBinary, target: collector.exporterPort)
        defer { prometheus.stop() }

        let client = Process()
        client.executableURL = URL(fileURLWithPath: EndToEndTests.python)
        client.arguments = [
            Fixtures.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/sdk_stream_client.py").path,
            "http://127.0.0.1:\(collector.receiverPort)/v1/metrics", String(Self.rounds),
        ]
        let clientOutput = Pipe()
        client.standardOutput = clientOutput
        client.standardError = clientOutput
        try client.run()

        // Wait until Prometheus has scraped the final values.
        let orders = #"opensre_orders_placed_total{job="stream-shop",instance="s-1",payment_method="card"}"#
        let final = try await prometheus.waitFor(orders, toEqual: Double(10 * Self.rounds), timeout: .seconds(60))
        client.waitUntilExit()
        let log = String(decoding: clientOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(client.terminationStatus == 0, "sdk_stream_client.py: \(log)")
        #expect(final == Double(10 * Self.rounds), "Prometheus log:\n\(prometheus.log())")

        // honor_labels keeps the job/instance derived from the resource; target_info joins on them.
        #expect(try await prometheus.value(#"opensre_cart_items{job="stream-shop",instance="s-1"}"#) == Double(Self.rounds))
        #expect(try await prometheus.value(#"opensre_process_memory_usage_bytes{job="stream-shop"}"#) == 1_048_576)
        #expect(try await prometheus.value(#"opensre_events_seen_total{job="stream-worker",instance="s-2"}"#) == Double(3 * Self.rounds))
        #expect(try await prometheus.value(#"opensre_checkout_duration_seconds_count{job="stream-shop"}"#) == Double(4 * Self.rounds))
        #expect(try await prometheus.value(#"opensre_checkout_duration_seconds_sum{job="stream-shop"}"#).map { abs($0 - 1.2 * Double(Self.rounds)) < 1e-9 } == true)
        #expect(try await prometheus.value(#"opensre_target_info{job="stream-shop",instance="s-1",telemetry_sdk_language="python"}"#) == 1)
        #expect(try await prometheus.value(#"count(opensre_orders_placed_total{exported_job!=""})"#) == nil)

        // PromQL over our series: rate() sees a growing counter; histogram_quantile
        // interpolates inside (0.25, 0.5], where every observation fell.
        let rate = try await prometheus.value(#"rate(opensre_orders_placed_total{payment_method="card"}[30s])"#)
        #expect((rate ?? 0) > 0, "rate: \(String(describing: rate))")
        let median = try await prometheus.value(
            #"histogram_quantile(0.5, sum by (le) (rate(opensre_checkout_duration_seconds_bucket{job="stream-shop"}[30s])))"#)
        #expect(median == 0.375)
        let p90 = try await prometheus.value(
            #"histogram_quantile(0.9, sum by (le) (rate(opensre_checkout_duration_seconds_bucket{job="stream-shop"}[30s])))"#)
        #expect(p90.map { abs($0 - 0.475) < 1e-9 } == true)
        // Prometheus's own health of the target: up, and it negotiated OpenMetrics without errors.
        #expect(try await prometheus.value(#"up{job="opensre-scrape"}"#) == 1)
    }
}

/// A Prometheus server on a free port scraping one target every second (or
/// none), with extra flags such as `--web.enable-remote-write-receiver`.
final class PrometheusProcess: @unchecked Sendable {
    // @unchecked: the process handle is only touched by the test that owns it.
    let port: Int
    private var process: Process
    private let directory: URL

    static func start(binary: String, target: Int?, arguments: [String] = []) throws -> PrometheusProcess {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-prometheus-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("prometheus.yml")
        let scrape =
            target.map {
                """
                scrape_configs:
                  - job_name: opensre-scrape
                    honor_labels: true
                    scrape_interval: 1s
                    static_configs:
                      - targets: ["127.0.0.1:\($0)"]
                """
            } ?? ""
        try """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        \(scrape)
        """.write(to: config, atomically: true, encoding: .utf8)
        let port = try ExecutableTests.freePort()
        FileManager.default.createFile(atPath: directory.appendingPathComponent("log").path, contents: nil)
        let process = try launch(binary: binary, config: config, directory: directory, port: port, arguments: arguments)
        return PrometheusProcess(port: port, process: process, directory: directory)
    }

    private static func launch(binary: String, config: URL, directory: URL, port: Int, arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(config.path)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ] + arguments
        let log = try FileHandle(forWritingTo: directory.appendingPathComponent("log"))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return process
    }

    private init(port: Int, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    /// Stops the server (SIGTERM), keeping its data for ``restart()``.
    func pause() {
        process.terminate()
        process.waitUntilExit()
    }

    /// Starts the server again after ``pause()``: same port, flags and data.
    func restart() throws {
        process = try Self.launch(
            binary: process.executableURL!.path, config: directory.appendingPathComponent("prometheus.yml"),
            directory: directory, port: port,
            arguments: Array((process.arguments ?? []).dropFirst(4)))
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    func log() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
    }

    /// The value of an instant query with one result, nil when it has none.
    func value(_ query: String) async throws -> Double? {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.addingPercentEncoding(withAllowedCharacters: allowed)!
        let response = try await TestHTTPConnection.send(port: port, .GET, "/api/v1/query?query=\(encoded)")
        guard response.status == .ok,
            let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]]
        else { throw PrometheusQueryError(query: query, body: response.text) }
        guard let first = result.first, let pair = first["value"] as? [Any], pair.count == 2,
            let text = pair[1] as? String
        else { return nil }
        return Double(text)
    }

    /// Polls `/-/ready` until Prometheus answers 200 (false after the timeout).
    func waitUntilReady(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let response = try? await TestHTTPConnection.send(port: port, .GET, "/-/ready"), response.status == .ok {
                return true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Polls `query` until it equals `expected` (or the timeout passes); returns the last value.
    func waitFor(_ query: String, toEqual expected: Double, timeout: Duration) async throws -> Double? {
        let deadline = ContinuousClock.now + timeout
        var last: Double?
        while ContinuousClock.now < deadline {
            last = try? await value(query)
            if last == expected { return last }
            try await Task.sleep(for: .milliseconds(250))
        }
        return last
    }
}

struct PrometheusQueryError: Error {
    var query: String
    var body: String
}
