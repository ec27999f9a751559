import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import Testing

@testable import OTLPReceiver

/// `POST /v1/traces` with a traces pipeline: accepted, turned into span
/// metrics, `partial_success` counting spans (`rejectedSpans` in JSON).
@Suite("OTLP/HTTP traces into span metrics")
struct TracesReceiverTests {
    static func channel(_ processor: BatchProcessor, limit: Int = 1 << 20) async throws -> NIOAsyncTestingChannel {
        let channel = try await NIOAsyncTestingChannel {
            try $0.pipeline.syncOperations.addHandler(
                OTLPHTTPHandler(
                    ingestor: OTLPIngestor(
                        processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(maxRequestBodySize: limit),
                        counters: processor.receiverCounters,
                        spanMetrics: SpanMetricsRules(SpanMetricsConfiguration(), cardinality: nil))))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4318)).get()
        return channel
    }

    @Test("protobuf traces: 200 with an empty response, the spans counted; /v1/metrics still served")
    func accepted() async throws {
        let processor = ReceiverContractTests.processor()
        let channel = try await Self.channel(processor)
        let protobuf = [("Content-Type", "application/x-protobuf")]
        let answer = try await ReceiverContractTests.post(
            channel, ReceiverContractTests.head(protobuf, uri: "/v1/traces"), Fixtures.bytes("traces.pb"))
        #expect(answer.head.status == .ok)
        #expect(answer.body.isEmpty)
        let metrics = try await ReceiverContractTests.post(
            channel, ReceiverContractTests.head(protobuf), Fixtures.bytes("mixed.pb"))
        #expect(metrics.head.status == .ok)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"opensre_golden_requests_total{job="checkout"} 2"#))
        #expect(page.contains(#"opensre_golden_errors_total{job="checkout"} 1"#))
        #expect(processor.receiverCounters.unsupportedRequests(.traces) == 0)
        await processor.stop()
    }

    @Test("OTLP/JSON traces: 200 with {}, refused spans as rejectedSpans")
    func json() async throws {
        let processor = ReceiverContractTests.processor()
        let channel = try await Self.channel(processor)
        let body = #"""
            {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"cart"}}]},
             "scopeSpans":[{"spans":[
              {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0101010101010101","name":"GET /cart","kind":2,
               "startTimeUnixNano":"1000000000","endTimeUnixNano":"1020000000",
               "attributes":[{"key":"http.route","value":{"stringValue":"/cart"}}]},
              {"name":"late","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"2000","endTimeUnixNano":"1000"}]}]}]}
            """#
        let answer = try await ReceiverContractTests.post(
            channel, ReceiverContractTests.head(ReceiverContractTests.json, uri: "/v1/traces"), Array(body.utf8))
        #expect(answer.head.status == .ok)
        #expect(answer.text == #"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span ends before it starts"}}"#)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"opensre_traces_span_metrics_calls_total{http_route="/cart",job="cart",otel_scope_name="spanmetricsconnector",service_name="cart",span_kind="SPAN_KIND_SERVER",span_name="GET /cart",status_code="STATUS_CODE_UNSET"} 1"#))
        await processor.stop()
    }

    @Test("refused spans: partial_success counts spans, rejectedSpans in JSON")
    func partial() async throws {
        let processor = ReceiverContractTests.processor()
        let channel = try await Self.channel(processor)
        let body = OTLPTraceProtobuf.request([
            OTLPTraceProtobuf.span("late", start: 2_000, end: 1_000),
            OTLPTraceProtobuf.span("GET /", milliseconds: 3, name: Array(repeating: UInt8(ascii: "x"), count: 20_000)),
            OTLPTraceProtobuf.span("GET /ok", milliseconds: 3),
        ])
        let answer = try await ReceiverContractTests.post(
            channel, ReceiverContractTests.head([("Content-Type", "application/x-protobuf")], uri: "/v1/traces"), body)
        #expect(answer.head.status == .ok)
        let reasons = "span ends before it starts; span series attributes take 20118 bytes (at most 16384)"
        let text = Array(reasons.utf8)
        #expect(answer.body == [0x0A, UInt8(text.count + 4), 0x08, 0x02, 0x12, UInt8(text.count)] + text)
        var rejected = RejectedPoints()
        rejected.add(1, .invalidSpan, reason: "span ends before it starts")
        #expect(
            String(decoding: OTLPResponseEncoder.exportResponseJSON(rejected: rejected, spans: true), as: UTF8.self)
                == #"{"partialSuccess":{"rejectedSpans":"1","errorMessage":"span ends before it starts"}}"#)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"span_name="GET /ok",status_code="STATUS_CODE_UNSET"} 1"#))
        #expect(page.contains(#"opensre_collector_points_refused_total{reason="invalid_span",stage="receiver"} 1"#))
        await processor.stop()
    }

    @Test("compressed traces (gzip, x-gzip, deflate, zstd) are decompressed as metrics are, every span counted")
    func compressed() async throws {
        let processor = ReceiverContractTests.processor()
        let channel = try await Self.channel(processor)
        let codings = [("gzip", "traces.pb.gz"), ("x-gzip", "traces.pb.gz"), ("deflate", "traces.pb.deflate"), ("zstd", "traces.pb.zst")]
        for (coding, fixture) in codings {
            let head = ReceiverContractTests.head(
                [("Content-Type", "application/x-protobuf"), ("Content-Encoding", coding)], uri: "/v1/traces")
            let answer = try await ReceiverContractTests.post(channel, head, Fixtures.bytes(fixture))
            #expect(answer.head.status == .ok, "\(coding)")
        }
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        let calls = page.split(separator: "\n").filter { $0.hasPrefix("opensre_traces_span_metrics_calls_total{") }
        #expect(calls.count == 2)
        #expect(calls.filter { $0.contains(#"status_code="STATUS_CODE_OK""#) && $0.hasSuffix("} 4") }.count == 1)
        #expect(calls.filter { $0.contains(#"status_code="STATUS_CODE_ERROR""#) && $0.hasSuffix("} 4") }.count == 1)
        await processor.stop()
    }

    /// One request on a fresh connection (limit 4096 bytes), its status and body.
    private static func refusal(_ path: String, _ headers: [(String, String)], _ body: [UInt8]) async throws -> (UInt, String) {
        let processor = ReceiverContractTests.processor()
        let channel = try await Self.channel(processor, limit: 4096)
        let answer = try await ReceiverContractTests.post(channel, ReceiverContractTests.head(headers, uri: path), body)
        await processor.stop()
        return (answer.head.status.code, String(decoding: answer.body, as: UTF8.self))
    }

    @Test("limits and refusals answer /v1/traces as /v1/metrics: same status, same reason")
    func sameRefusals() async throws {
        let protobuf = ("Content-Type", "application/x-protobuf")
        let cases: [(String, [(String, String)], [UInt8], UInt)] = [
            ("declared too large", [protobuf, ("Content-Length", "999999")], [], 413),
            ("body too large", [protobuf], [UInt8](repeating: 0x0A, count: 5000), 413),
            ("inflates too large", [protobuf, ("Content-Encoding", "gzip")], try Fixtures.bytes("zeros-1mib.gz"), 413),
            ("not gzip", [protobuf, ("Content-Encoding", "gzip")], [1, 2, 3, 4], 400),
            ("unknown coding", [protobuf, ("Content-Encoding", "br")], [1], 415),
            ("unknown type", [("Content-Type", "text/plain")], [1], 415),
        ]
        for (name, headers, body, status) in cases {
            let metrics = try await Self.refusal("/v1/metrics", headers, body)
            let traces = try await Self.refusal("/v1/traces", headers, body)
            #expect(metrics.0 == status, "\(name)")
            #expect(traces.0 == metrics.0, "\(name)")
            #expect(traces.1 == metrics.1, "\(name)")
        }
        let malformed = try await Self.refusal("/v1/traces", [protobuf], Fixtures.bytes("malformed.bin"))
        #expect(malformed.0 == 400)
        #expect(malformed.1.contains("request body is not a valid protobuf ExportTraceServiceRequest"))
    }
}
