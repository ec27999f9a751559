import Foundation
import OpenSRETestSupport
import Testing

/// Hostile span requests (issue 15) against the built executable with a
/// traces pipeline feeding a `spanmetrics` connector, written by
/// make_hostile.py with opentelemetry-proto: each gets a defined answer, the
/// spans that may count do, and the process keeps serving afterwards.
@Suite("Hardening: spans", .serialized)
struct SpanHardeningTests {
    static let protobuf = [("Content-Type", "application/x-protobuf")]

    /// The executable with `traces: { receivers: [otlp], exporters: [spanmetrics] }`
    /// (the connector's defaults), or without a traces pipeline when `spanMetrics` is nil.
    static func start(spanMetrics: String? = "") async throws -> CollectorProcess {
        let collector = try CollectorProcess(spanMetrics: spanMetrics)
        let ready = try await collector.waitUntilReady()
        #expect(ready, "\(collector.log)")
        return collector
    }

    static func post(_ collector: CollectorProcess, _ kind: String) async throws -> TestHTTPResponse {
        try await TestHTTPConnection.send(
            port: collector.receiverPort, .POST, "/v1/traces", headers: protobuf, body: HardeningTests.hostile(kind))
    }

    /// An `ExportTraceServiceResponse`'s `partial_success` (field 1), whose
    /// fields are numbered as `google.rpc.Status`'s: `rejected_spans` (1, a
    /// varint) and `error_message` (2). Nil for an empty answer.
    static func partialSuccess(_ body: [UInt8]) -> (rejected: Int32, message: String)? {
        guard body.count > 2, body[0] == 0x0A else { return nil }
        var length = 0
        var shift = 0
        var index = 1
        while index < body.count {
            length |= Int(body[index] & 0x7F) << shift
            shift += 7
            index += 1
            if body[index - 1] & 0x80 == 0 { break }
        }
        guard index + length == body.count else { return nil }
        return StatusBody.decode(Array(body[index...])).map { (rejected: $0.code, message: $0.message) }
    }

    /// The value of the first `traces.span.metrics.calls` series whose line contains `labels`.
    static func calls(_ page: String, _ labels: String = "") -> Double? {
        page.split(separator: "\n")
            .first { $0.hasPrefix("opensre_traces_span_metrics_calls_total{") && $0.contains(labels) }
            .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    /// Alive afterwards: the process runs, answers `/healthz`, takes another
    /// trace request (one more call of `GET /ok`) and serves a scrape.
    static func expectServing(_ collector: CollectorProcess) async throws {
        #expect(collector.process.isRunning, "\(collector.log)")
        #expect(try await TestHTTPConnection.send(port: collector.receiverPort, .GET, "/healthz").status == .ok)
        #expect(try await post(collector, "traces-fixture").status == .ok)
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics")
        #expect(page.status == .ok)
        #expect(calls(page.text, #"span_name="GET /ok""#) != nil, "\(page.text)")
    }

    @Test("a million spans in one request (37 MB: name, kind and times, one series) are answered 200 and counted exactly")
    func millionSpans() async throws {
        let collector = try await Self.start()
        let answer = try await Self.post(collector, "million-spans")
        #expect(answer.status == .ok, "\(StatusBody.decode(answer.body)?.message ?? answer.text)")
        #expect(answer.body.isEmpty, "\(answer.text)")
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics").text
        #expect(Self.calls(page, #"span_name="GET /checkout""#) == 1_000_000, "\(page)")
        #expect(page.contains("opensre_traces_span_metrics_duration_seconds_count{"), "\(page)")
        try await Self.expectServing(collector)
        #expect(try await collector.stop() == 0)
    }

    @Test("http.route nested 33 arrays deep (past the limit of 32) is refused whole with 400 and the reason")
    func deepRoute() async throws {
        let collector = try await Self.start()
        let answer = try await Self.post(collector, "deep-route")
        #expect(answer.status == .badRequest)
        #expect(
            StatusBody.decode(answer.body)?.message == "an attribute value nests arrays or maps more than 32 levels deep",
            "\(answer.text)")
        try await Self.expectServing(collector)
        #expect(try await collector.stop() == 0)
    }

    @Test("the same nesting in an attribute that is not a dimension is accepted: non-dimension attributes are never unpacked")
    func deepNonDimensionAttributeNeverUnpacked() async throws {
        let collector = try await Self.start()
        let answer = try await Self.post(collector, "deep-other-attribute")
        #expect(answer.status == .ok)
        #expect(answer.body.isEmpty, "\(answer.text)")
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics").text
        #expect(Self.calls(page, #"http_route="/ok""#) == 1, "\(page)")
        #expect(!page.contains("payload"))
        try await Self.expectServing(collector)
        #expect(try await collector.stop() == 0)
    }

    @Test(
        "a span refused in partial_success, the others of its request counted",
        arguments: [
            // A 1 MiB span name: its series key is over the 16 KiB bound.
            ("huge-span-name", "span series attributes take 1048", "bytes (at most 16384)", "attributes_too_large"),
            ("backwards-span", "span ends before it starts", "", "invalid_span"),
        ])
    func refusedSpan(kind: String, reason: String, bound: String, label: String) async throws {
        let collector = try await Self.start()
        let answer = try await Self.post(collector, kind)
        #expect(answer.status == .ok)
        let partial = try #require(Self.partialSuccess(answer.body), "\(answer.text)")
        #expect(partial.rejected == 1)
        #expect(partial.message.contains(reason) && (bound.isEmpty || partial.message.contains(bound)), "\(partial.message)")
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics").text
        // The two spans named GET /ok around it.
        #expect(Self.calls(page, #"span_name="GET /ok""#) == 2, "\(page)")
        let refused = page.split(separator: "\n").first {
            $0.hasPrefix("opensre_collector_points_refused_total{") && $0.contains(#"reason="\#(label)""#)
        }
        #expect(refused?.hasSuffix(" 1") == true, "\(page)")
        try await Self.expectServing(collector)
        #expect(try await collector.stop() == 0)
    }

    @Test("10,000 resources in one request are grouped in linear time: answered 200, each counted once")
    func manyResources() async throws {
        // No per-service cap: each instance's span is a series of its own (with the default
        // 1000, the other 9,000 would go to overflow series).
        let collector = try await Self.start(spanMetrics: "aggregation_cardinality_limit: 0")
        let answer = try await Self.post(collector, "many-resources")
        #expect(answer.status == .ok, "\(answer.text)")
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics").text
        let calls = page.split(separator: "\n")
            .filter { $0.hasPrefix("opensre_traces_span_metrics_calls_total{") && $0.contains(#"span_name="GET /many""#) }
        #expect(calls.count == 10_000)
        #expect(calls.allSatisfy { $0.hasSuffix(" 1") })
        // When each resource was compared with every earlier one, 20,000 took 9.5 s of an
        // event loop in a release build and 100,000 took 206 s; now 1.2 s and 4.3 s.
        try await Self.expectServing(collector)
        #expect(try await collector.stop() == 0)
    }

    @Test("span kinds and status codes outside the enums (-1 on the wire) are taken, not trapped on")
    func enumsOutOfRange() async throws {
        let collector = try await Self.start()
        let answer = try await Self.post(collector, "enums-out-of-range")
        #expect(answer.status == .ok)
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics").text
        // The SERVER span with status -1 counts (UNSET); the span of kind -1 does not.
        #expect(Self.calls(page, #"span_name="GET /ok""#) == 1, "\(page)")
        #expect(page.contains(#"status_code="STATUS_CODE_UNSET""#))
        try await Self.expectServing(collector)
        #expect(try await collector.stop() == 0)
    }

    @Test("/v1/traces without a traces pipeline keeps issue 7's answer: 404 saying metrics only, counted")
    func withoutTracesPipeline() async throws {
        let collector = try await Self.start(spanMetrics: nil)
        let answer = try await Self.post(collector, "traces-fixture")
        #expect(answer.status.code == 404)
        let status = StatusBody.decode(answer.body)
        #expect(status?.code == 5)
        #expect(
            status?.message
                == "this collector takes metrics only (POST /v1/metrics); traces are not accepted: set OTEL_TRACES_EXPORTER=none in the application")
        // The reason phrase, which Python's exporter logs (NIO's client keeps only the code).
        let raw = try await RawTCPConnection.connect(port: collector.receiverPort)
        try await raw.send(
            "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        let closed = await raw.waitForClose(timeout: .seconds(5))
        #expect(closed.text.hasPrefix("HTTP/1.1 404 Not Found: this collector takes metrics only\r\n"), "\(closed.text)")
        #expect(collector.process.isRunning)
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics").text
        #expect(page.contains(#"opensre_collector_unsupported_signal_requests_total{signal="traces"} 2"#), "\(page)")
        #expect(!page.contains("opensre_traces_span_metrics"))
        #expect(try await collector.stop() == 0)
    }
}
