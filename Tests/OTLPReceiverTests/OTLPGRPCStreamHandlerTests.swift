import Foundation
import HTTPServerSupport
import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import Testing

@testable import OTLPReceiver

/// Hands the test's ingestor to the channel's initializer (the calls run one at a time).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// One OTLP/gRPC call's stream handler driven with HTTP/2 frame payloads
/// through `NIOAsyncTestingChannel`: exact statuses, trailers and messages.
@Suite("OTLP/gRPC stream handler")
struct OTLPGRPCStreamHandlerTests {
    static let exportPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"

    let processor: BatchProcessor
    /// One ingestor for all calls, as for the streams of one event loop.
    let ingestor: OTLPIngestor
    /// The same with span metrics (a traces pipeline), for `TraceService/Export`.
    let tracesIngestor: OTLPIngestor
    let health = HealthState()

    init() {
        processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(timeout: .seconds(60), ringCapacity: 4),
            settings: ExpositionSettings(), clock: ManualProcessorClock(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        ingestor = OTLPIngestor(processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(), counters: processor.receiverCounters)
        tracesIngestor = OTLPIngestor(
            processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(), counters: processor.receiverCounters,
            spanMetrics: SpanMetricsRules(SpanMetricsConfiguration(), cardinality: nil))
    }

    /// What came back on the stream.
    struct Answer {
        var headers: HPACKHeaders
        var message: [UInt8]?
        var trailers: HPACKHeaders?
        /// `grpc-status` from the trailers, or from the only header block.
        var status: Int32? { (trailers ?? headers).first(name: "grpc-status").flatMap { Int32($0) } }
        var grpcMessage: String? { (trailers ?? headers).first(name: "grpc-message") }
    }

    func call(
        _ path: String = Self.exportPath, message: [UInt8]?, compressed: Bool = false,
        headers extra: [(String, String)] = [], contentType: String = "application/grpc",
        maxMessageSize: Int = 4096, token: String? = nil, chunks: Int = 1, rawBody: [UInt8]? = nil, traces: Bool = false
    ) async throws -> Answer {
        let ingestor = UncheckedBox(traces ? tracesIngestor : self.ingestor)
        let health = self.health
        let rules = GRPCCallRules(maxMessageSize: maxMessageSize, bearerToken: token, servesTraces: traces)
        let channel = try await NIOAsyncTestingChannel {
            try $0.pipeline.syncOperations.addHandler(
                OTLPGRPCStreamHandler(ingestor: ingestor.value, rules: rules, health: health))
        }
        var headers: HPACKHeaders = [
            ":method": "POST", ":scheme": "http", ":path": path, "content-type": contentType, "te": "trailers",
        ]
        for (name, value) in extra { headers.add(name: name, value: value) }
        try await channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: headers)))
        var body = rawBody ?? []
        if let message {
            let length = UInt32(message.count)
            body += [compressed ? 1 : 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            body += message
        }
        let size = max(1, (body.count + chunks - 1) / chunks)
        var offset = 0
        repeat {
            let end = min(offset + size, body.count)
            let part = ByteBuffer(bytes: body[offset..<end])
            try await channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(part), endStream: end == body.count)))
            offset = end
        } while offset < body.count
        guard case .headers(let first) = try await channel.waitForOutboundWrite(as: HTTP2Frame.FramePayload.self) else {
            throw TestFailure("no headers")
        }
        var answer = Answer(headers: first.headers)
        if first.endStream { return answer }
        if case .data(let data) = try await channel.waitForOutboundWrite(as: HTTP2Frame.FramePayload.self),
            case .byteBuffer(let buffer) = data.data
        {
            answer.message = Array(buffer.readableBytesView.dropFirst(5))
        }
        if case .headers(let trailers) = try await channel.waitForOutboundWrite(as: HTTP2Frame.FramePayload.self) {
            #expect(trailers.endStream)
            answer.trailers = trailers.headers
        }
        return answer
    }

    @Test("with a traces pipeline, TraceService/Export is served: spans become span metrics, refused spans are in partial_success")
    func traces() async throws {
        let path = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"
        let answer = try await call(path, message: Fixtures.bytes("traces.pb"), maxMessageSize: 1 << 20, traces: true)
        #expect(answer.status == 0)
        #expect(answer.message == [])
        let invalid = OTLPTraceProtobuf.request([
            OTLPTraceProtobuf.span("late", start: 2_000, end: 1_000), OTLPTraceProtobuf.span("GET /", milliseconds: 3),
        ])
        let partial = try await call(path, message: invalid, traces: true)
        #expect(partial.status == 0)
        // ExportTraceServiceResponse { partial_success { rejected_spans: 1, error_message } }
        let reason = Array("span ends before it starts".utf8)
        #expect(partial.message == [0x0A, UInt8(reason.count + 4), 0x08, 0x01, 0x12, UInt8(reason.count)] + reason)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"opensre_traces_span_metrics_calls_total{http_request_method="POST",http_response_status_code="500",http_route="/pay",instance="pod-1",job="checkout",otel_scope_name="spanmetricsconnector",service_name="checkout",span_kind="SPAN_KIND_SERVER",span_name="POST /pay",status_code="STATUS_CODE_ERROR"} 1"#))
        #expect(page.contains(#"span_name="GET /",status_code="STATUS_CODE_UNSET"} 1"#))
        #expect(processor.receiverCounters.unsupportedRequests(.traces) == 0)
    }

    @Test("an export is answered OK with an empty ExportMetricsServiceResponse, and the points land")
    func accepted() async throws {
        let answer = try await call(message: Fixtures.bytes("mixed.pb"), maxMessageSize: 1 << 20, chunks: 3)
        #expect(answer.headers.first(name: ":status") == "200")
        #expect(answer.headers.first(name: "content-type") == "application/grpc")
        #expect(answer.message == [])
        #expect(answer.trailers?.first(name: "grpc-status") == "0")
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"otel_scope_name="fixture.meter",otel_scope_version="0.1.0"} 0.25"#))
        #expect(page.contains(#"opensre_collector_requests_total{code="OK",transport="grpc"} 1"#))
    }

    @Test("grpc-encoding gzip, deflate and zstd messages are decompressed", arguments: [
        ("gzip", "mixed.pb.gz"), ("deflate", "mixed.pb.deflate"), ("zstd", "mixed.pb.zst"),
    ])
    func compressed(encoding: String, fixture: String) async throws {
        let answer = try await call(
            message: Fixtures.bytes(fixture), compressed: true, headers: [("grpc-encoding", encoding)],
            maxMessageSize: 1 << 20)
        #expect(answer.status == 0)
        #expect(answer.message == [])
    }

    @Test("TraceService/Export takes grpc-encoding gzip, deflate and zstd as MetricsService does", arguments: [
        ("gzip", "traces.pb.gz"), ("deflate", "traces.pb.deflate"), ("zstd", "traces.pb.zst"),
    ])
    func compressedTraces(encoding: String, fixture: String) async throws {
        let answer = try await call(
            "/opentelemetry.proto.collector.trace.v1.TraceService/Export", message: Fixtures.bytes(fixture),
            compressed: true, headers: [("grpc-encoding", encoding)], maxMessageSize: 1 << 20, traces: true)
        #expect(answer.status == 0)
        #expect(answer.message == [])
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"span_name="POST /pay",status_code="STATUS_CODE_ERROR"} 1"#))
    }

    @Test("refused points come back in partial_success")
    func partialSuccess() async throws {
        let answer = try await call(message: Fixtures.bytes("unsupported.pb"))
        #expect(answer.status == 0)
        let text = String(decoding: answer.message ?? [], as: UTF8.self)
        #expect(text.contains("sum bad.sum has no aggregation temporality"))
    }

    @Test(
        "refusals get the OTLP/gRPC status codes, in one Trailers-Only header block",
        arguments: [
            ("/opentelemetry.proto.collector.metrics.v1.MetricsService/Nope", [(String, String)](), "application/grpc", Int32(12),
             "no such method: /opentelemetry.proto.collector.metrics.v1.MetricsService/Nope (metrics are accepted on /opentelemetry.proto.collector.metrics.v1.MetricsService/Export)"),
            ("/opentelemetry.proto.collector.trace.v1.TraceService/Export", [], "application/grpc", 12,
             "this collector takes metrics only (POST /v1/metrics); traces are not accepted: set OTEL_TRACES_EXPORTER=none in the application"),
            (exportPath, [("grpc-encoding", "snappy")], "application/grpc", 12,
             "unsupported grpc-encoding \"snappy\", use gzip, deflate, zstd or identity"),
            (exportPath, [], "application/grpc+json", 3, "unsupported content-type \"application/grpc+json\", use application/grpc (protobuf messages)"),
        ])
    func refused(path: String, headers: [(String, String)], contentType: String, status: Int32, message: String) async throws {
        let answer = try await call(path, message: Fixtures.bytes("mixed.pb"), headers: headers, contentType: contentType)
        #expect(answer.trailers == nil, "Trailers-Only")
        #expect(answer.status == status)
        #expect(answer.grpcMessage == GRPCAnswer.percentEncoded(message))
        #expect(answer.headers.first(name: "grpc-status-details-bin") == nil)
        if path.hasSuffix("/Nope") || contentType != "application/grpc" { return }
        if headers.isEmpty {
            #expect(processor.receiverCounters.unsupportedRequests(.traces) == 1)
        } else {
            #expect(answer.headers.first(name: "grpc-accept-encoding") == "identity,gzip,deflate,zstd")
        }
    }

    @Test("a content-type that is not gRPC's gets HTTP 415")
    func notGRPC() async throws {
        let answer = try await call(message: [], contentType: "application/json")
        #expect(answer.headers.first(name: ":status") == "415")
    }

    @Test("an undecodable message is INVALID_ARGUMENT with the decoder's reason")
    func undecodable() async throws {
        let answer = try await call(message: Fixtures.bytes("malformed.bin"))
        #expect(answer.status == 3)
        #expect(answer.grpcMessage == "request body is not a valid protobuf ExportMetricsServiceRequest")
    }

    @Test("framing errors are INVALID_ARGUMENT", arguments: [
        ([UInt8](), "the call carries no request message"),
        ([0, 0, 0, 0, 9, 1, 2], "the request message ends before its announced length"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "a unary call carries more than one request message"),
        ([2, 0, 0, 0, 0], "unknown message flags 2 (0 or 1 expected)"),
        ([1, 0, 0, 0, 0], "the message is flagged compressed but grpc-encoding is identity"),
    ])
    func framing(body: [UInt8], reason: String) async throws {
        let answer = try await call(message: nil, rawBody: body)
        #expect(answer.status == 3)
        #expect(answer.grpcMessage == GRPCAnswer.percentEncoded("malformed gRPC message: " + reason))
    }

    @Test("a message over max_recv_msg_size is RESOURCE_EXHAUSTED from its length prefix, without RetryInfo")
    func tooLarge() async throws {
        // Only the prefix and a little of the message are sent: the answer comes first.
        let answer = try await call(message: nil, rawBody: [0, 0, 0, 0x40, 0] + [UInt8](repeating: 7, count: 100))
        #expect(answer.status == 8)
        #expect(answer.grpcMessage == "request body exceeds the limit of 4096 bytes")
        #expect(answer.headers.first(name: "grpc-status-details-bin") == nil)
        let bomb = try await call(
            message: Fixtures.bytes("zeros-1mib.gz"), compressed: true, headers: [("grpc-encoding", "gzip")])
        #expect(bomb.status == 8)
        #expect(bomb.grpcMessage == "decompressed request body exceeds the limit of 4096 bytes")
    }

    @Test("a full ring is UNAVAILABLE with a RetryInfo of HTTP's Retry-After, and nothing acknowledged is lost")
    func overloaded() async throws {
        let body = try Fixtures.bytes("mixed.pb")
        var statuses: [Int32?] = []
        for _ in 0..<6 { statuses.append(try await call(message: body, maxMessageSize: 1 << 20).status) }
        #expect(statuses == [0, 0, 0, 0, 0, 14])
        let refused = try await call(message: body, maxMessageSize: 1 << 20)
        #expect(refused.grpcMessage == "collector is overloaded, retry later")
        let details = try #require(refused.headers.first(name: "grpc-status-details-bin"))
        let status = try #require(Data(base64Encoded: details).map { [UInt8]($0) })
        #expect(StatusBody.decode(status)?.code == 14)
        #expect(StatusBody.decode(status)?.message == "collector is overloaded, retry later")
        // details[0]: Any{type_url, value: RetryInfo{retry_delay: {seconds: 1}}}
        let typeURL = Array("type.googleapis.com/google.rpc.RetryInfo".utf8)
        let retryInfo: [UInt8] = [0x0A, 0x02, 0x08, 0x01]
        let detail: [UInt8] = [0x0A, UInt8(typeURL.count)] + typeURL + [0x12, UInt8(retryInfo.count)] + retryInfo
        #expect(Array(status.suffix(detail.count + 2)) == [0x1A, UInt8(detail.count)] + detail)
        #expect(
            OTLPReceiverError.overloaded.response().headers["Retry-After"] == ["\(OTLPReceiverError.overloaded.retryAfterSeconds!)"])
        _ = try await processor.scrape()
        #expect(await processor.statistics().acceptedPoints == 5 * 8)
    }

    @Test("bearer auth reads the authorization metadata: missing or wrong is UNAUTHENTICATED")
    func bearer() async throws {
        let body = try Fixtures.bytes("mixed.pb")
        let missing = try await call(message: body, maxMessageSize: 1 << 20, token: "s3cret")
        #expect(missing.status == 16)
        #expect(missing.grpcMessage == "missing or wrong bearer token")
        let wrong = try await call(message: body, headers: [("authorization", "Bearer nope")], maxMessageSize: 1 << 20, token: "s3cret")
        #expect(wrong.status == 16)
        let right = try await call(message: body, headers: [("authorization", "bearer s3cret")], maxMessageSize: 1 << 20, token: "s3cret")
        #expect(right.status == 0)
    }

    @Test("the memory_limiter refusing is UNAVAILABLE with RetryInfo")
    func memoryLimited() {
        let refusal = GRPCRefusal(.memoryLimited)
        #expect(refusal.headers.first(name: "grpc-status") == "14")
        #expect(refusal.headers.first(name: "grpc-status-details-bin") != nil)
        #expect(GRPCRefusal(.shuttingDown).headers.first(name: "grpc-status") == "14")
    }

    @Test("Health/Check: SERVING once ready, NOT_SERVING before, NOT_FOUND for other services; no token needed")
    func healthCheck() async throws {
        let path = "/grpc.health.v1.Health/Check"
        let before = try await call(path, message: [], token: "s3cret")
        #expect(before.status == 0)
        #expect(before.message == [0x08, 0x02])  // status: NOT_SERVING
        health.markReady()
        let whole = try await call(path, message: [], token: "s3cret")
        #expect(whole.message == [0x08, 0x01])  // status: SERVING
        let named = Array("opentelemetry.proto.collector.metrics.v1.MetricsService".utf8)
        let metrics = try await call(path, message: [0x0A, UInt8(named.count)] + named)
        #expect(metrics.message == [0x08, 0x01])
        let other = try await call(path, message: [0x0A, 0x03] + Array("foo".utf8))
        #expect(other.status == 5)
    }

    @Test("grpc-message is percent-encoded; -bin values are base64")
    func encodings() {
        #expect(GRPCAnswer.percentEncoded("a 100% ok\n\u{e9}") == "a 100%25 ok%0A%C3%A9")
        #expect(GRPCAnswer.base64([]) == "")
        #expect(GRPCAnswer.base64(Array("f".utf8)) == "Zg==")
        #expect(GRPCAnswer.base64(Array("fo".utf8)) == "Zm8=")
        #expect(GRPCAnswer.base64(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(GRPCAnswer.base64([0xFF, 0xEF, 0x3E]) == "/+8+")
    }
}
