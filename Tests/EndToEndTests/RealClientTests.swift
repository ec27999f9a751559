import Foundation
import OpenSRETestSupport
import Testing

/// Real apps as their users run them: the Python SDK with delta temporality and
/// idle intervals, and a Flask service under `opentelemetry-instrument` during
/// the HTTP semantic-convention migration.
@Suite("Real clients", .serialized)
struct RealClientTests {
    static let python = ProgramRun.which("python3") ?? "/usr/bin/python3"
    static let scripts = Fixtures.repositoryRoot.appendingPathComponent("Tests/EndToEndTests")

    @Test("delta temporality with idle export intervals: totals add across the gaps and across an app restart")
    func deltaIdleIntervals() async throws {
        let collector = try await RunningCollector.start(batchTimeout: "10s")
        let run = try await ProgramRun.run(
            Self.python,
            [
                Self.scripts.appendingPathComponent("sdk_delta_idle_client.py").path,
                "http://127.0.0.1:\(collector.receiverPort)/v1/metrics",
                "http://127.0.0.1:\(collector.exporterPort)/metrics",
            ])
        #expect(run.status == 0, "sdk_delta_idle_client.py: \(run.output)")
        // <step> <counter total> <histogram count> <histogram le="0.5">
        #expect(
            run.output == """
                first 5 1 1
                idle1 5 1 1
                idle2 5 1 1
                idle3 5 1 1
                after-gap 6 2 1
                next 7 3 2
                restarted 9 4 3

                """)
        let page = try await collector.scrapeText()
        let refusals = page.split(separator: "\n").filter { $0.hasPrefix("opensre_collector_points_refused_total{") }
        #expect(!refusals.isEmpty && refusals.allSatisfy { $0.hasSuffix(" 0") }, "nothing refused:\n\(page)")
        await collector.stop()
    }

    /// 6 × 200, 3 × 500 and 2 slow (300 ms) requests to a Flask app whose
    /// auto-instrumentation exports every second.
    static let traffic: [(path: String, times: Int)] = [("/ok", 6), ("/fail", 3), ("/slow", 2)]

    @Test(
        "Flask under opentelemetry-instrument: golden signals exact with the stable and with both HTTP conventions",
        arguments: ["http", "http/dup"])
    func flaskGoldenSignals(semconv: String) async throws {
        let collector = try await RunningCollector.start(batchTimeout: "200ms")
        let app = try FlaskApp.start(collectorPort: collector.receiverPort, semconv: semconv)
        defer { app.stop() }
        for (path, times) in Self.traffic {
            for _ in 0..<times {
                _ = try await TestHTTPConnection.send(port: app.port, .GET, path)
            }
        }
        let job = #"{job="flask-shop"}"#
        let settled = try await Self.waitForLine("opensre_golden_requests_total\(job) 11", collector)
        // Two more export intervals: a second stream counting the same
        // requests would have shown up by now.
        try await Task.sleep(for: .milliseconds(2500))
        let page = try await collector.scrapeText()
        #expect(settled, "golden requests never reached 11:\n\(page)")
        let lines = Set(page.split(separator: "\n").map(String.init))
        let expected = [
            "opensre_golden_requests_total\(job) 11",
            "opensre_golden_errors_total\(job) 3",
            #"opensre_golden_request_duration_seconds_bucket{job="flask-shop",le="0.25"} 9"#,
            #"opensre_golden_request_duration_seconds_bucket{job="flask-shop",le="0.5"} 11"#,
            #"opensre_golden_request_duration_seconds_bucket{job="flask-shop",le="+Inf"} 11"#,
            "opensre_golden_request_duration_seconds_count\(job) 11",
        ]
        for line in expected {
            #expect(lines.contains(line), "\(semconv): missing \(line)\n\(page)")
        }
        // The stable histogram is exported as its own family in both modes,
        // the old one (in ms) too under http/dup.
        #expect(Self.total(of: "opensre_http_server_request_duration_seconds_count", in: page) == 11)
        let old = Self.total(of: "opensre_http_server_duration_milliseconds_count", in: page)
        #expect(old == (semconv == "http/dup" ? 11 : 0), "\(semconv): old-convention count \(old)")
        await collector.stop()
    }

    /// Sum of every sample of `name` in `page`.
    static func total(of name: String, in page: String) -> Double {
        page.split(separator: "\n")
            .filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }

    static func waitForLine(_ line: String, _ collector: RunningCollector) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if try await collector.scrapeText().split(separator: "\n").contains(Substring(line)) { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

/// `flask_app.py` under `opentelemetry-instrument`, exporting metrics over
/// OTLP/HTTP protobuf every second (traces and logs off).
final class FlaskApp: Sendable {
    let port: Int
    private let process: Process

    private init(port: Int, process: Process) {
        self.port = port
        self.process = process
    }

    static func start(collectorPort: Int, semconv: String) throws -> FlaskApp {
        try start(environment: [
            "OTEL_SERVICE_NAME": "flask-shop",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collectorPort)",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_METRIC_EXPORT_INTERVAL": "1000",
            "OTEL_TRACES_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "none",
            "OTEL_SEMCONV_STABILITY_OPT_IN": semconv,
        ])
    }

    /// The app (`script`, in this directory) under `opentelemetry-instrument`
    /// with these `OTEL_*` settings (and none inherited from the test's environment).
    static func start(environment settings: [String: String], script: String = "flask_app.py") throws -> FlaskApp {
        let instrument = try #require(
            ProgramRun.which("opentelemetry-instrument"),
            "opentelemetry-instrument missing: pip install opentelemetry-distro opentelemetry-instrumentation-flask")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: instrument)
        process.arguments = [RealClientTests.python, RealClientTests.scripts.appendingPathComponent(script).path]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("OTEL_") }
        environment.merge(settings, uniquingKeysWith: { $1 })
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw FlaskAppError.noPort(String(decoding: line, as: UTF8.self))
        }
        return FlaskApp(port: port, process: process)
    }

    /// SIGKILL: children of Foundation's `Process` inherit the test
    /// runner's blocked SIGTERM, and the app has nothing to flush. Once only.
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    enum FlaskAppError: Error { case noPort(String) }
}
