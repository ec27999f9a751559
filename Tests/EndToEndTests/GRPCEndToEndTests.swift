import Foundation
import Logging
import NIOPosix
import OpenSRECollector
import OpenSREConfig
import OpenSRETestSupport
import Testing

/// OTLP/gRPC with clients we did not write: the Python SDK's gRPC exporter,
/// a Flask app under `opentelemetry-instrument` with its defaults, and grpcio
/// as a raw client for every status code.
@Suite("OTLP/gRPC end to end", .serialized)
struct GRPCEndToEndTests {
    static let python = RealClientTests.python
    static let scripts = RealClientTests.scripts
    static let client = scripts.appendingPathComponent("grpc_client.py").path

    static func grpcClient(_ arguments: [String]) async throws -> ProgramRun {
        try await ProgramRun.run(python, [client] + arguments)
    }

    @Test("the Python SDK over gRPC (cumulative with gzip, and delta) gives exactly the series the HTTP round trip gives")
    func sdkSameAsHTTP() async throws {
        let overHTTP = try await RunningCollector.start(batchTimeout: "10s")
        let http = try await ProgramRun.run(
            Self.python, [EndToEndTests.sdkClient, "http://127.0.0.1:\(overHTTP.receiverPort)/v1/metrics"])
        #expect(http.status == 0, "\(http.output)")
        let overGRPC = try await RunningCollector.start(batchTimeout: "10s", grpc: "")
        let grpc = try await ProgramRun.run(Self.python, [EndToEndTests.sdkClient, "127.0.0.1:\(overGRPC.grpcPort)", "grpc"])
        #expect(grpc.status == 0, "\(grpc.output)")
        let httpFull = try await overHTTP.scrapeText()
        let httpPage = SelfMetricsFilter.withoutSelfMetrics(httpFull)
        let grpcPage = try await overGRPC.scrapeText()
        #expect(SelfMetricsFilter.withoutSelfMetrics(grpcPage) == httpPage)
        #expect(httpPage.contains(#"opensre_events_seen_total{instance="sdk-2",job="e2e-worker",otel_scope_name="e2e.worker",otel_scope_version="2.0"} 10"#))
        // As many exports answered OK over gRPC as 200 over HTTP (the SDK's flushes and its exit).
        let exports = RealClientTests.total(of: #"opensre_collector_requests_total{code="200",transport="http"}"#, in: httpFull)
        #expect(exports >= 3)
        #expect(RealClientTests.total(of: #"opensre_collector_requests_total{code="OK",transport="grpc"}"#, in: grpcPage) == exports)
        await overHTTP.stop()
        await overGRPC.stop()
    }

    @Test("the wrong port still lands: gRPC on the HTTP port, OTLP/HTTP on the gRPC port")
    func wrongPort() async throws {
        let collector = try await RunningCollector.start(batchTimeout: "10s", grpc: "")
        let grpc = try await ProgramRun.run(Self.python, [EndToEndTests.sdkClient, "127.0.0.1:\(collector.receiverPort)", "grpc"])
        #expect(grpc.status == 0, "\(grpc.output)")
        let http = try await TestHTTPConnection.send(
            port: collector.grpcPort, .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")],
            body: Fixtures.bytes("mixed.pb"))
        #expect(http.status == .ok)
        let page = try await collector.scrapeText()
        #expect(RealClientTests.total(of: #"opensre_collector_requests_total{code="OK",transport="grpc"}"#, in: page) >= 3)
        #expect(page.contains(#"opensre_collector_requests_total{code="200",transport="http"} 1"#))
        #expect(page.contains(#"opensre_orders_placed_total{instance="sdk-1",job="e2e-shop",otel_scope_name="e2e.meter",otel_scope_version="1.0",payment_method="card"} 3"#))
        await collector.stop()

        // Without `grpc:` in the file there is no 4317, but gRPC to the HTTP port still lands.
        let httpOnly = try await RunningCollector.start(batchTimeout: "10s")
        let run = try await ProgramRun.run(Self.python, [EndToEndTests.sdkClient, "127.0.0.1:\(httpOnly.receiverPort)", "grpc"])
        #expect(run.status == 0, "\(run.output)")
        #expect(try await httpOnly.scrapeText().contains(#"opensre_events_seen_total{instance="sdk-2",job="e2e-worker",otel_scope_name="e2e.worker",otel_scope_version="2.0"} 10"#))
        await httpOnly.stop()
    }

    @Test("grpcio raw: every refusal gets its status code; the collector keeps serving and keeps what it accepted")
    func statuses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = directory.appendingPathComponent("token").path
        try "raw-token\n".write(toFile: token, atomically: true, encoding: .utf8)
        let collector = try await RunningCollector.start(
            grpc: "        max_recv_msg_size_mib: 1\n        auth: { bearer_token_file: \(token) }")
        let run = try await Self.grpcClient(["statuses", "127.0.0.1:\(collector.grpcPort)", "raw-token"])
        #expect(
            run.output == """
                ok OK rejected=0
                ok-gzip OK rejected=0
                no-token UNAUTHENTICATED no-retry-info
                wrong-token UNAUTHENTICATED no-retry-info
                undecodable INVALID_ARGUMENT no-retry-info
                too-large RESOURCE_EXHAUSTED no-retry-info
                unknown-method UNIMPLEMENTED no-retry-info
                unknown-service UNIMPLEMENTED no-retry-info
                traces UNIMPLEMENTED no-retry-info
                gzip-bomb RESOURCE_EXHAUSTED no-retry-info

                """)
        let page = try await collector.scrapeText()
        #expect(page.contains(#"opensre_grpc_raw_calls_total{job="grpc-raw"} 7"#), "earlier data intact:\n\(page)")
        #expect(page.contains(#"opensre_collector_requests_total{code="UNAUTHENTICATED",transport="grpc"} 2"#))
        #expect(page.contains(#"opensre_collector_requests_total{code="UNIMPLEMENTED",transport="grpc"} 3"#))
        #expect(page.contains(#"opensre_collector_unsupported_signal_requests_total{signal="traces"} 1"#))
        // Still serving after all of it.
        #expect(try await Self.grpcClient(["health", "127.0.0.1:\(collector.grpcPort)"]).output == "SERVING\n")
        await collector.stop()
    }

    @Test("the memory_limiter refusing: UNAVAILABLE with a RetryInfo of 1 s, parsed by google.rpc protos")
    func unavailable() async throws {
        let collector = try await RunningCollector.start(grpc: "", memoryLimitMiB: 1)
        try await Task.sleep(for: .milliseconds(300))  // the limiter's first check
        let run = try await Self.grpcClient(["unavailable", "127.0.0.1:\(collector.grpcPort)"])
        #expect(run.output == "UNAVAILABLE code=14 retry=1.0s\n")
        await collector.stop()
    }

    @Test("grpc.health.v1.Health/Check answers for the server and the metrics service, NOT_FOUND for others")
    func health() async throws {
        let collector = try await RunningCollector.start(grpc: "")
        let target = "127.0.0.1:\(collector.grpcPort)"
        #expect(try await Self.grpcClient(["health", target]).output == "SERVING\n")
        #expect(
            try await Self.grpcClient(["health", target, "opentelemetry.proto.collector.metrics.v1.MetricsService"]).output
                == "SERVING\n")
        #expect(try await Self.grpcClient(["health", target, "acme.Widgets"]).output == "NOT_FOUND\n")
        await collector.stop()
    }
}

extension GRPCEndToEndTests {
    @Test("Flask under opentelemetry-instrument with only the endpoint and service name: gRPC by default, golden signals exact")
    func flaskDefaults() async throws {
        let collector = try await RunningCollector.start(batchTimeout: "200ms", grpc: "")
        // Only the endpoint and the service name, as a new user sets them; the
        // export interval is shortened from 60 s so the test is quick.
        let app = try FlaskApp.start(environment: [
            "OTEL_SERVICE_NAME": "flask-grpc",
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collector.grpcPort)",
            "OTEL_METRIC_EXPORT_INTERVAL": "1000",
        ])
        defer { app.stop() }
        for (path, times) in RealClientTests.traffic {
            for _ in 0..<times {
                _ = try await TestHTTPConnection.send(port: app.port, .GET, path)
            }
        }
        let job = #"{job="flask-grpc"}"#
        let settled = try await RealClientTests.waitForLine("opensre_golden_requests_total\(job) 11", collector)
        try await Task.sleep(for: .milliseconds(2500))
        let page = try await collector.scrapeText()
        #expect(settled, "golden requests never reached 11:\n\(page)")
        let lines = Set(page.split(separator: "\n").map(String.init))
        for line in [
            "opensre_golden_requests_total\(job) 11",
            "opensre_golden_errors_total\(job) 3",
            #"opensre_golden_request_duration_seconds_bucket{job="flask-grpc",le="0.25"} 9"#,
            "opensre_golden_request_duration_seconds_count\(job) 11",
        ] {
            #expect(lines.contains(line), "missing \(line)\n\(page)")
        }
        // The app's default exporters are OTLP/gRPC for all three signals; its
        // metrics came that way, its traces were refused with a reason.
        #expect(RealClientTests.total(of: "opensre_http_server_duration_milliseconds_count", in: page) == 11)
        #expect(RealClientTests.total(of: #"opensre_collector_requests_total{code="OK",transport="grpc"}"#, in: page) >= 1)
        #expect(!page.contains(#"transport="http""#), "nothing came over OTLP/HTTP")
        await collector.stop()
    }

    @Test("TLS (ALPN h2) and bearer auth over gRPC")
    func tlsAndToken() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = try SelfSignedCertificate.make(in: directory)
        let token = directory.appendingPathComponent("token").path
        try "tls-token\n".write(toFile: token, atomically: true, encoding: .utf8)
        let collector = try await RunningCollector.start(
            grpc: "        tls: { cert_file: \(certificate), key_file: \(key) }\n        auth: { bearer_token_file: \(token) }")
        let run = try await Self.grpcClient(["tls", "127.0.0.1:\(collector.grpcPort)", certificate, "tls-token"])
        #expect(run.output == "no-token UNAUTHENTICATED no-retry-info\ntoken OK rejected=0\n")
        let page = try await collector.scrapeText()
        #expect(page.contains(#"opensre_grpc_tls_calls_total{job="grpc-raw"} 3"#))
        await collector.stop()
    }

    @Test("SIGTERM with calls in flight: GOAWAY, in-flight calls finish, every call answered OK is in the final scrape")
    func sigterm() async throws {
        let grpcPort = try ExecutableTests.freePort()
        let exporterPort = try ExecutableTests.freePort()
        let config = try ExecutableTests.writeConfig(
            """
            receivers: { otlp: { protocols: { grpc: { endpoint: "127.0.0.1:\(grpcPort)" }, http: { endpoint: "127.0.0.1:0" } } } }
            processors: { batch: { timeout: 50ms } }
            exporters: { prometheus: { endpoint: "127.0.0.1:\(exporterPort)", shutdown_grace_period: 20s } }
            service: { pipelines: { metrics: { receivers: [otlp], processors: [batch], exporters: [prometheus] } } }
            """)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = Process()
        collector.executableURL = URL(fileURLWithPath: ExecutableTests.binary)
        collector.arguments = ["--config", config]
        collector.standardOutput = FileHandle.nullDevice
        collector.standardError = FileHandle.nullDevice
        try collector.run()
        defer { if collector.isRunning { kill(collector.processIdentifier, SIGKILL) } }
        var ready = false
        for _ in 0..<200 where !ready {
            ready = (try? await TestHTTPConnection.send(port: exporterPort, .GET, "/readyz"))?.status == .ok
            if !ready { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(ready)

        let client = Process()
        client.executableURL = URL(fileURLWithPath: Self.python)
        client.arguments = [Self.client, "sigterm", "127.0.0.1:\(grpcPort)"]
        let output = Pipe()
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        defer { if client.isRunning { kill(client.processIdentifier, SIGKILL) } }
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") {
            line.append(byte)
        }
        #expect(String(decoding: line, as: UTF8.self) == "started")
        try await Task.sleep(for: .milliseconds(700))
        kill(collector.processIdentifier, SIGTERM)
        let rest = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        client.waitUntilExit()
        let words = rest.split(whereSeparator: { $0 == " " || $0 == "\n" })
        #expect(words.first == "acknowledged", "\(rest)")
        let acknowledged = try #require(words.dropFirst().first.flatMap { Double($0) })
        #expect(acknowledged > 0)

        // The exporter waits for this final scrape (shutdown_grace_period).
        let page = try await TestHTTPConnection.send(port: exporterPort, .GET, "/metrics").text
        #expect(RealClientTests.total(of: "opensre_grpc_sigterm_calls_total", in: page) == acknowledged, "\(rest)\n\(page)")
        for _ in 0..<200 where collector.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!collector.isRunning)
        #expect(collector.terminationStatus == 0)
    }
}
