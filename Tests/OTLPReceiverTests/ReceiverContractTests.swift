import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import OTLPDecoding
import Testing

@testable import OTLPReceiver

/// The receiver's answers for issue 10's HTTP cases: out-of-order points in
/// `partial_success`, the fast path kept for steady traffic, other signals,
/// early answers (413, 501, `Expect: 100-continue`), bearer scheme case,
/// empty JSON bodies.
@Suite("OTLP/HTTP receiver contract")
struct ReceiverContractTests {
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A processor that only folds in when asked (60 s batch timeout), so a
    /// request answered while its points are still queued took the fast path.
    static func processor(memoryLimiter: MemoryLimiterConfiguration? = nil) -> BatchProcessor {
        let processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(timeout: .seconds(60)), settings: ExpositionSettings(),
            memoryLimiter: memoryLimiter, clock: ManualProcessorClock(), logger: quiet)
        processor.start()
        return processor
    }

    static func channel(
        _ processor: BatchProcessor, configuration: OTLPHTTPConfiguration = OTLPHTTPConfiguration(maxRequestBodySize: 4096)
    ) async throws -> NIOAsyncTestingChannel {
        let channel = try await NIOAsyncTestingChannel {
            try $0.pipeline.syncOperations.addHandler(
                OTLPHTTPHandler(ingestor: OTLPIngestor(processor: processor, ring: 0, configuration: configuration, counters: processor.receiverCounters)))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4318)).get()
        return channel
    }

    static func head(_ headers: [(String, String)], uri: String = "/v1/metrics") -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: uri)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        return head
    }

    struct Answer {
        var head: HTTPResponseHead
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Reads one whole response from the channel's outbound side.
    static func answer(_ channel: NIOAsyncTestingChannel) async throws -> Answer {
        guard case .head(let head) = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) else {
            throw TestFailure("no response head")
        }
        var bytes: [UInt8] = []
        while true {
            switch try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) {
            case .body(.byteBuffer(let buffer)): bytes.append(contentsOf: buffer.readableBytesView)
            case .end: return Answer(head: head, body: bytes)
            default: break
            }
        }
    }

    /// The response already written, without waiting for one (nil if none).
    static func answerWritten(_ channel: NIOAsyncTestingChannel) async throws -> Answer? {
        guard case .head(let head) = try await channel.readOutbound(as: HTTPServerResponsePart.self) else { return nil }
        var bytes: [UInt8] = []
        while let part = try await channel.readOutbound(as: HTTPServerResponsePart.self) {
            switch part {
            case .body(.byteBuffer(let buffer)): bytes.append(contentsOf: buffer.readableBytesView)
            case .end: return Answer(head: head, body: bytes)
            default: break
            }
        }
        return nil
    }

    static func post(_ channel: NIOAsyncTestingChannel, _ head: HTTPRequestHead, _ body: [UInt8]) async throws -> Answer {
        try await channel.writeInbound(HTTPServerRequestPart.head(head))
        if !body.isEmpty { try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: body))) }
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        return try await answer(channel)
    }

    static func gauge(_ name: String, time: Int, value: Int, series: String = "a") -> [UInt8] {
        Array(
            #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"\#(name)","gauge":{"dataPoints":[{"asInt":"\#(value)","timeUnixNano":"\#(time)","attributes":[{"key":"s","value":{"stringValue":"\#(series)"}}]}]}}]}]}]}"#
                .utf8)
    }

    static func counter(time: Int, value: Int) -> [UInt8] {
        Array(
            #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"steady","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"asInt":"\#(value)","startTimeUnixNano":"1","timeUnixNano":"\#(time)"}]}}]}]}]}"#
                .utf8)
    }

    static let json = [("Content-Type", "application/json")]

    @Test("a gauge point older than its series' value is refused and reported exactly in partial_success")
    func outOfOrderReported() async throws {
        let processor = Self.processor()
        let channel = try await Self.channel(processor)
        #expect(try await Self.post(channel, Self.head(Self.json), Self.gauge("temperature", time: 200, value: 1)).text == "{}")
        let late = try await Self.post(channel, Self.head(Self.json), Self.gauge("temperature", time: 100, value: 2))
        #expect(late.head.status == .ok)
        #expect(
            late.text
                == #"{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"points older than the latest point of their series (out of order; the newer value is kept)"}}"#
        )
        // Equal and later times are accepted.
        #expect(try await Self.post(channel, Self.head(Self.json), Self.gauge("temperature", time: 200, value: 3)).text == "{}")
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains("opensre_temperature{s=\"a\"} 3\n"))
        #expect(page.contains(#"opensre_collector_points_refused_total{reason="out_of_order",stage="processor"} 1"#))
        await processor.stop()
    }

    @Test("steady cumulative traffic is answered before the processor applies it; an out-of-order point still waits")
    func fastPathKept() async throws {
        let processor = Self.processor()
        let channel = try await Self.channel(processor)
        // New stream: answered once applied.
        #expect(try await Self.post(channel, Self.head(Self.json), Self.counter(time: 10, value: 1)).text == "{}")
        #expect(processor.queuedPointCount == 0)
        // Known stream, later points: answered while still queued (the
        // processor folds in only every 60 s or on a scrape).
        for step in 1...3 {
            #expect(try await Self.post(channel, Self.head(Self.json), Self.counter(time: 10 + step, value: 1 + step)).text == "{}")
            #expect(processor.queuedPointCount == step)
        }
        // An older point than one this connection already sent cannot be
        // acknowledged before it is applied: it waits, and is reported.
        let late = try await Self.post(channel, Self.head(Self.json), Self.counter(time: 12, value: 9))
        #expect(late.text.contains(#""rejectedDataPoints":"1""#))
        #expect(processor.queuedPointCount == 0)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains("opensre_steady_total 4\n"))
        await processor.stop()
    }

    @Test("/v1/traces and /v1/logs: 404 saying metrics only and how to turn the exporter off; counted by signal")
    func otherSignals() async throws {
        let processor = Self.processor()
        let channel = try await Self.channel(processor)
        let traces = try await Self.post(
            channel, Self.head([("Content-Type", "application/x-protobuf")], uri: "/v1/traces"), [0x0A, 0x00])
        #expect(traces.head.status.code == 404)
        #expect(traces.head.status.reasonPhrase == "Not Found: this collector takes metrics only")
        #expect(
            StatusBody.decode(traces.body)?.message
                == "this collector takes metrics only (POST /v1/metrics); traces are not accepted: set OTEL_TRACES_EXPORTER=none in the application"
        )
        #expect(StatusBody.decode(traces.body)?.code == 5)
        let logs = try await Self.post(channel, Self.head(Self.json, uri: "/v1/logs"), Array("{}".utf8))
        #expect(logs.head.status.code == 404)
        #expect(
            logs.text
                == #"{"code":5,"message":"this collector takes metrics only (POST /v1/metrics); logs are not accepted: set OTEL_LOGS_EXPORTER=none in the application"}"#
        )
        #expect(channel.isActive)
        #expect(processor.receiverCounters.unsupportedRequests(.traces) == 1)
        #expect(processor.receiverCounters.unsupportedRequests(.logs) == 1)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"opensre_collector_unsupported_signal_requests_total{signal="traces"} 1"#))
        #expect(page.contains(#"opensre_collector_http_requests_total{code="404"} 2"#))
        await processor.stop()
    }

    @Test("a Content-Length over the limit is answered 413 from the head, before any body byte, and the output closed")
    func declaredTooLargeAnsweredEarly() async throws {
        let processor = Self.processor()
        let channel = try await Self.channel(processor)
        try await channel.writeInbound(
            HTTPServerRequestPart.head(Self.head([("Content-Type", "application/x-protobuf"), ("Content-Length", "999999")])))
        let early = try await channel.readOutbound(as: HTTPServerResponsePart.self)
        guard case .head(let head) = early else {
            Issue.record("no answer before the body: \(String(describing: early))")
            return
        }
        #expect(head.status == .payloadTooLarge)
        #expect(head.headers["Connection"] == ["close"])
        // The rest of the request is read and dropped; its end closes the connection.
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(repeating: 0, count: 1000)))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        try await Task.sleep(for: .milliseconds(50))
        #expect(!channel.isActive)
        await processor.stop()
    }

    @Test("Transfer-Encoding other than chunked (gzip, chunked) is refused with 501 and the connection closed")
    func transferCoding() async throws {
        let processor = Self.processor()
        let channel = try await Self.channel(processor)
        try await channel.writeInbound(
            HTTPServerRequestPart.head(
                Self.head([("Content-Type", "application/x-protobuf"), ("Transfer-Encoding", "gzip, chunked")])))
        // Answered from the head: the body is never read as plain chunked.
        let answer = try #require(try await Self.answerWritten(channel), "no answer from the head")
        #expect(answer.head.status == .notImplemented)
        #expect(answer.head.headers["Connection"] == ["close"])
        #expect(
            StatusBody.decode(answer.body)?.message
                == "unsupported Transfer-Encoding \"gzip, chunked\", use chunked or Content-Length (compress with Content-Encoding)")
        #expect(StatusBody.decode(answer.body)?.code == 12)
        await processor.stop()
        // Plain chunked is fine.
        let other = Self.processor()
        let plain = try await Self.channel(other)
        let accepted = try await Self.post(
            plain, Self.head([("Content-Type", "application/x-protobuf"), ("Transfer-Encoding", "Chunked")]),
            try Fixtures.bytes("delta-1.pb"))
        #expect(accepted.head.status == .ok)
        await other.stop()
    }

    @Test("Expect: 100-continue gets 100 Continue before the body when accepted, the final answer at once when refused")
    func expectContinue() async throws {
        let processor = Self.processor()
        let channel = try await Self.channel(processor)
        let body = try Fixtures.bytes("delta-1.pb")
        try await channel.writeInbound(
            HTTPServerRequestPart.head(
                Self.head([
                    ("Content-Type", "application/x-protobuf"), ("Content-Length", "\(body.count)"), ("Expect", "100-continue"),
                ])))
        guard case .head(let interim) = try await channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no 100 Continue")
            return
        }
        #expect(interim.status == .continue)
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: body)))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        #expect(try await Self.answer(channel).head.status == .ok)

        try await channel.writeInbound(
            HTTPServerRequestPart.head(
                Self.head([("Content-Type", "text/plain"), ("Content-Length", "10"), ("Expect", "100-Continue")])))
        guard case .head(let refused) = try await channel.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("no answer from the head")
            return
        }
        #expect(refused.status == .unsupportedMediaType)
        #expect(refused.headers["Connection"] == ["close"])
        await processor.stop()
    }

    @Test("the bearer scheme is case-insensitive (RFC 7235); the token is not")
    func bearerScheme() async throws {
        let processor = Self.processor()
        var configuration = OTLPHTTPConfiguration()
        configuration.bearerToken = "s3cret"
        let channel = try await Self.channel(processor, configuration: configuration)
        let body = try Fixtures.bytes("delta-1.pb")
        for (authorization, status) in [
            ("bearer s3cret", 200), ("BEARER s3cret", 200), ("Bearer  s3cret", 200), ("Bearer s3cret", 200),
            ("Bearer S3CRET", 401), ("Basic s3cret", 401), ("bearers3cret", 401), ("bearer", 401), ("", 401),
        ] {
            let answer = try await Self.post(
                channel, Self.head([("Content-Type", "application/x-protobuf"), ("Authorization", authorization)]), body)
            #expect(answer.head.status.code == UInt(status), "\(authorization)")
        }
        await processor.stop()
    }

    @Test("an empty body is an empty request in either encoding: 200 with an empty response")
    func emptyBodies() async throws {
        let processor = Self.processor()
        let channel = try await Self.channel(processor)
        let json = try await Self.post(channel, Self.head(Self.json), [])
        #expect(json.head.status == .ok)
        #expect(json.text == "{}")
        let protobuf = try await Self.post(channel, Self.head([("Content-Type", "application/x-protobuf")]), [])
        #expect(protobuf.head.status == .ok)
        #expect(protobuf.body.isEmpty)
        // A gzip body that inflates to nothing, as JSON.
        let gzipEmpty: [UInt8] = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        let inflated = try await Self.post(
            channel, Self.head([("Content-Type", "application/json"), ("Content-Encoding", "gzip")]), gzipEmpty)
        #expect(inflated.head.status == .ok)
        #expect(inflated.text == "{}")
        await processor.stop()
    }

    @Test("bodies in flight are accounted across connections as their bytes arrive: one that would cross the soft limit gets 503 from its head; a closed connection gives its share back")
    func bodiesInFlight() async throws {
        let resident = Int(MemoryLimiter.residentMemory() >> 20)
        // Soft limit = hard limit: about 64 MiB above what this process holds now.
        let processor = Self.processor(
            memoryLimiter: MemoryLimiterConfiguration(checkInterval: .seconds(3600), limitMiB: resident + 64, spikeLimitMiB: 0))
        let limiter = try #require(processor.memoryLimiter)
        limiter.check()
        let configuration = OTLPHTTPConfiguration(maxRequestBodySize: 64 << 20)
        // A plain body reserves itself and its decoding: 3 × 16 MiB.
        let size = 16 << 20
        let reservation = size * (1 + OTLPIngestor.decodeBytesPerByte)
        let head = Self.head([
            ("Content-Type", "application/x-protobuf"), ("Content-Length", "\(size)"), ("Expect", "100-continue"),
        ])
        let first = try await Self.channel(processor, configuration: configuration)
        try await first.writeInbound(HTTPServerRequestPart.head(head))
        guard case .head(let accepted) = try await first.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("first body not accepted")
            return
        }
        #expect(accepted.status == .continue)
        // Nothing is held for a head alone: bytes are reserved as they arrive.
        #expect(limiter.inFlightBytes == 0)
        try await first.writeInbound(HTTPServerRequestPart.body(ByteBuffer(repeating: 0x0A, count: size / 2)))
        #expect(limiter.inFlightBytes == reservation / 2)

        // 48 MiB more would cross the soft limit with the 24 MiB held: refused from its head.
        let second = try await Self.channel(processor, configuration: configuration)
        try await second.writeInbound(HTTPServerRequestPart.head(head))
        guard case .head(let refused) = try await second.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("second body not refused from its head")
            return
        }
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers["Retry-After"] == ["1"])
        #expect(limiter.inFlightBytes == reservation / 2)

        // The first sender goes away mid-body: its reservation is released.
        _ = try await first.finish()
        #expect(limiter.inFlightBytes == 0)
        let third = try await Self.channel(processor, configuration: configuration)
        try await third.writeInbound(HTTPServerRequestPart.head(head))
        guard case .head(let later) = try await third.readOutbound(as: HTTPServerResponsePart.self) else {
            Issue.record("third body not accepted")
            return
        }
        #expect(later.status == .continue)
        _ = try await third.finish()
        #expect(limiter.inFlightBytes == 0)
        await processor.stop()
    }

    @Test("two event loops racing on one series: the late point is counted, and both loops then wait for exact answers")
    func crossLoopRace() async throws {
        let processor = BatchProcessor(
            rings: 2, configuration: BatchingConfiguration(timeout: .seconds(60)), settings: ExpositionSettings(),
            clock: ManualProcessorClock(), logger: Self.quiet)
        processor.start()
        let configuration = OTLPHTTPConfiguration()
        var channels: [NIOAsyncTestingChannel] = []
        for ring in 0..<2 {
            let channel = try await NIOAsyncTestingChannel {
                try $0.pipeline.syncOperations.addHandler(
                    OTLPHTTPHandler(ingestor: OTLPIngestor(processor: processor, ring: ring, configuration: configuration, counters: processor.receiverCounters)))
            }
            channels.append(channel)
        }
        let (a, b) = (channels[0], channels[1])
        #expect(try await Self.post(a, Self.head(Self.json), Self.gauge("shared", time: 100, value: 1)).text == "{}")
        #expect(try await Self.post(b, Self.head(Self.json), Self.gauge("shared", time: 100, value: 1)).text == "{}")
        // Each loop knows the stream up to 100; neither can see the other's next point.
        #expect(try await Self.post(a, Self.head(Self.json), Self.gauge("shared", time: 300, value: 3)).text == "{}")
        #expect(try await Self.post(b, Self.head(Self.json), Self.gauge("shared", time: 200, value: 2)).text == "{}")
        #expect(processor.queuedPointCount == 2)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains("opensre_shared{s=\"a\"} 3\n"))
        #expect(page.contains(#"opensre_collector_points_refused_total{reason="out_of_order",stage="processor"} 1"#))
        #expect(processor.acknowledgementEpoch == 1)
        // Both loops forgot the stream: their next answers wait and are exact.
        let late = try await Self.post(b, Self.head(Self.json), Self.gauge("shared", time: 250, value: 4))
        #expect(late.text.contains(#""rejectedDataPoints":"1""#))
        #expect(try await Self.post(a, Self.head(Self.json), Self.gauge("shared", time: 400, value: 5)).text == "{}")
        #expect(processor.queuedPointCount == 0)
        await processor.stop()
    }
}
