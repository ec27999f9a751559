import Foundation
import NIOHTTP1
import OpenSRETestSupport
import Testing

/// The whole collector on real sockets, fed by payloads and clients we did not write.
@Suite("End to end", .serialized)
struct EndToEndTests {
    static let python = ProgramRun.which("python3") ?? "/usr/bin/python3"
    static let sdkClient = Fixtures.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/sdk_client.py").path

    @Test("opentelemetry-proto payloads over one keep-alive connection render the golden exposition")
    func goldenOverKeepAlive() async throws {
        let collector = try await RunningCollector.start()
        let connection = try await TestHTTPConnection.connect(port: collector.receiverPort)
        let headers = [("Content-Type", "application/x-protobuf")]
        let first = try await connection.request(.POST, "/v1/metrics", headers: headers, body: Fixtures.bytes("mixed.pb"))
        let second = try await connection.request(
            .POST, "/v1/metrics", headers: headers + [("Content-Encoding", "gzip")], body: Fixtures.bytes("mixed.pb.gz"))
        #expect(first.status == .ok && second.status == .ok)
        #expect(connection.isActive)
        let scrape = try await collector.scrape()
        #expect(scrape.status == .ok)
        #expect(scrape.headers["Content-Type"] == ["text/plain; version=0.0.4; charset=utf-8"])
        #expect(
            SelfMetricsFilter.withoutSelfMetrics(scrape.text)
                == SelfMetricsFilter.withoutSelfMetrics(String(decoding: try Fixtures.bytes("mixed.expected.prom"), as: UTF8.self)))
        await connection.close()
        await collector.stop()
    }

    @Test("the exporter negotiates OpenMetrics and gzip, and counts what it refused")
    func negotiation() async throws {
        let collector = try await RunningCollector.start()
        let posted = try await TestHTTPConnection.send(
            port: collector.receiverPort, .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")],
            body: Fixtures.bytes("unsupported.pb"))
        #expect(posted.status == .ok)
        let text = try await collector.scrape()
        let openMetrics = try await TestHTTPConnection.send(
            port: collector.exporterPort, .GET, "/metrics",
            headers: [("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")])
        #expect(openMetrics.headers["Content-Type"] == ["application/openmetrics-text; version=1.0.0; charset=utf-8"])
        #expect(openMetrics.text.hasSuffix("# EOF\n"))
        #expect(openMetrics.text.contains("# TYPE opensre_collector_points_accepted counter\n"))
        let gzip = try await TestHTTPConnection.send(
            port: collector.exporterPort, .GET, "/metrics", headers: [("Accept-Encoding", "gzip, deflate")])
        #expect(gzip.headers["Content-Encoding"] == ["gzip"])
        let inflated = try gzip.body.withUnsafeBytes { compressed in
            try GzipInflaterForTests.inflate(compressed)
        }
        #expect(
            SelfMetricsFilter.withoutSelfMetrics(String(decoding: inflated, as: UTF8.self))
                == SelfMetricsFilter.withoutSelfMetrics(text.text))
        #expect(text.text.contains(#"opensre_collector_points_accepted_total 2"#))
        #expect(text.text.contains(#"opensre_collector_points_refused_total{reason="missing_temporality",stage="receiver"} 1"#))
        #expect(text.text.contains(#"opensre_collector_points_refused_total{reason="invalid_histogram",stage="receiver"} 1"#))
        #expect(text.text.contains(#"opensre_collector_points_refused_total{reason="invalid_exponential_histogram",stage="receiver"} 1"#))
        await collector.stop()
    }

    @Test("error bodies are google.rpc.Status, as googleapis-common-protos reads them")
    func statusBodies() async throws {
        let collector = try await RunningCollector.start()
        let answer = try await TestHTTPConnection.send(
            port: collector.receiverPort, .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")],
            body: Fixtures.bytes("malformed.bin"))
        #expect(answer.status == .badRequest)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("status-\(UUID()).bin")
        try Data(answer.body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let parsed = try await ProgramRun.run(
            Self.python,
            ["-c", "import sys; from google.rpc import status_pb2; s = status_pb2.Status(); s.ParseFromString(open(sys.argv[1], 'rb').read()); print(s.code, s.message)", file.path])
        #expect(parsed.output == "3 request body is not a valid protobuf ExportMetricsServiceRequest\n")
        await collector.stop()
    }

    @Test("read-your-writes: every scrape after a 200 includes that request (batch timeout 10s)")
    func readYourWrites() async throws {
        let collector = try await RunningCollector.start(batchTimeout: "10s")
        let connection = try await TestHTTPConnection.connect(port: collector.receiverPort)
        var total = 0
        for index in 0..<20 {
            let body = try Fixtures.bytes(String(format: "sequence-%02d.pb", index))
            let answer = try await connection.request(
                .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")], body: body)
            #expect(answer.status == .ok)
            total += index + 1
            let page = try await collector.scrapeText()
            #expect(
                page.contains(
                    "opensre_jobs_processed_total{instance=\"pod-1\",job=\"shop/checkout\",otel_scope_name=\"fixture.meter\",otel_scope_version=\"0.1.0\",queue=\"emails\"} \(total)\n"
                ), "after request \(index)")
        }
        await connection.close()
        await collector.stop()
    }

    @Test("the Python OpenTelemetry SDK exports (cumulative + gzip, delta) and the scrape has exact series")
    func pythonSDK() async throws {
        let collector = try await RunningCollector.start(batchTimeout: "10s")
        let run = try await ProgramRun.run(
            Self.python, [Self.sdkClient, "http://127.0.0.1:\(collector.receiverPort)/v1/metrics"])
        #expect(run.status == 0, "sdk_client.py: \(run.output)")
        let page = try await collector.scrapeText()
        let shop = #"instance="sdk-1",job="e2e-shop",otel_scope_name="e2e.meter",otel_scope_version="1.0""#
        let expected = [
            "# HELP opensre_orders_placed_total Orders placed",
            "# TYPE opensre_orders_placed_total counter",
            #"opensre_orders_placed_total{\#(shop),payment_method="card"} 3"#,
            #"opensre_orders_placed_total{\#(shop),payment_method="cash"} 2"#,
            "# TYPE opensre_cart_items gauge",
            "opensre_cart_items{\(shop)} 3",
            "# TYPE opensre_checkout_duration_seconds histogram",
            #"opensre_checkout_duration_seconds_bucket{\#(shop),le="0.1"} 0"#,
            #"opensre_checkout_duration_seconds_bucket{\#(shop),le="0.5"} 3"#,
            #"opensre_checkout_duration_seconds_bucket{\#(shop),le="1"} 3"#,
            #"opensre_checkout_duration_seconds_bucket{\#(shop),le="+Inf"} 4"#,
            "opensre_checkout_duration_seconds_sum{\(shop)} 3",
            "opensre_checkout_duration_seconds_count{\(shop)} 4",
            "# TYPE opensre_inventory_level gauge",
            "opensre_inventory_level{\(shop)} 42.5",
            "# TYPE opensre_events_seen_total counter",
            #"opensre_events_seen_total{instance="sdk-2",job="e2e-worker",otel_scope_name="e2e.worker",otel_scope_version="2.0"} 10"#,
        ]
        let lines = Set(page.split(separator: "\n").map(String.init))
        for line in expected {
            #expect(lines.contains(line), "missing: \(line)\n--- scrape ---\n\(page)")
        }
        // 11 series lines of the SDK's metrics, two target_info series, nothing else.
        let samples = SelfMetricsFilter.withoutSelfMetrics(page).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(samples.count == 13)

        // Prometheus's own linter accepts the exposition.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-e2e-\(UUID()).prom")
        try page.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let promtool = try #require(ProgramRun.which("promtool"), "promtool missing: apt-get install prometheus")
        let lint = try await ProgramRun.run("/bin/sh", ["-c", "\(promtool) check metrics < \(file.path)"])
        #expect(lint.status == 0, "promtool: \(lint.output)")
        await collector.stop()
    }
}
