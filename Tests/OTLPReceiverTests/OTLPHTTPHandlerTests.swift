import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OpenSREPipeline
import OpenSRETestSupport
import OTLPDecoding
import OpenSREModel
import Testing

@testable import OTLPReceiver

/// The receiver's channel handler driven through `NIOAsyncTestingChannel`: no
/// sockets, exact status codes, headers and bodies. (Its event loop is
/// thread-safe, which answers completed by the processor thread need.)
@Suite("OTLP/HTTP handler")
struct OTLPHTTPHandlerTests {
    let processor: BatchProcessor
    let channel: NIOAsyncTestingChannel

    init() async throws {
        processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(timeout: .seconds(60), ringCapacity: 4),
            settings: ExpositionSettings(), clock: ManualProcessorClock(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        let processor = self.processor
        channel = try await NIOAsyncTestingChannel {
            try $0.pipeline.syncOperations.addHandler(
                OTLPHTTPHandler(
                    ingestor: OTLPIngestor(processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(maxRequestBodySize: 4096), counters: processor.receiverCounters)))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4318)).get()
    }

    struct Answer {
        var head: HTTPResponseHead
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The `google.rpc.Status` of an error answer.
        var status: (code: Int32, message: String)? { StatusBody.decode(body) }
    }

    func send(
        _ method: HTTPMethod = .POST, _ uri: String = "/v1/metrics",
        headers: [(String, String)] = [("Content-Type", "application/x-protobuf")], body: [UInt8] = [],
        chunks: Int = 1
    ) async throws -> Answer {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        try await channel.writeInbound(HTTPServerRequestPart.head(head))
        let size = max(1, (body.count + chunks - 1) / chunks)
        var offset = 0
        while offset < body.count {
            let end = min(offset + size, body.count)
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: body[offset..<end])))
            offset = end
        }
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let responseHead) = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self)
        else {
            throw TestFailure("no response head")
        }
        var bytes: [UInt8] = []
        while true {
            switch try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) {
            case .body(.byteBuffer(let buffer)): bytes.append(contentsOf: buffer.readableBytesView)
            case .end: return Answer(head: responseHead, body: bytes)
            default: break
            }
        }
    }

    func scrape() async throws -> String {
        String(decoding: try await processor.scrape(), as: UTF8.self)
    }

    @Test("a protobuf request is accepted with 200 and an empty ExportMetricsServiceResponse")
    func accepted() async throws {
        let answer = try await send(body: Fixtures.bytes("delta-1.pb"), chunks: 3)
        #expect(answer.head.status == .ok)
        #expect(answer.head.headers["Content-Type"] == ["application/x-protobuf"])
        #expect(answer.head.headers["Content-Length"] == ["0"])
        #expect(answer.body == [])
        #expect(try await scrape().contains("queue=\"emails\"} 5\n"))
    }

    @Test("a gzip body and a lenient media type are accepted")
    func gzip() async throws {
        let answer = try await send(
            headers: [("Content-Type", "Application/X-Protobuf; charset=utf-8"), ("Content-Encoding", "GZIP")],
            body: Fixtures.bytes("mixed.pb.gz"))
        #expect(answer.head.status == .ok)
        #expect(try await scrape().contains("opensre_http_server_requests_total{"))
    }

    @Test("deflate and zstd bodies are accepted; an empty compressed body is an empty request")
    func codings() async throws {
        for (coding, fixture) in [("deflate", "mixed.pb.deflate"), ("deflate", "mixed.pb.rawdeflate"), ("zstd", "mixed.pb.zst"), ("x-gzip", "mixed.pb.gz")] {
            let answer = try await send(
                headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", coding)], body: Fixtures.bytes(fixture))
            #expect(answer.head.status == .ok, "\(fixture)")
        }
        let bomb = try await send(
            headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "zstd")], body: Fixtures.bytes("zeros-1mib.zst"))
        #expect(bomb.head.status == .payloadTooLarge)
        let empty = try await send(headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "zstd")], body: [])
        #expect(empty.head.status == .ok)
        #expect(try await scrape().contains("opensre_http_server_requests_total{"))
    }

    @Test("OTLP/JSON is accepted and answered in JSON (media type parsed leniently)")
    func json() async throws {
        let body = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"ok","gauge":{"dataPoints":[{"asInt":"4"}]}},{"name":"bad","sum":{"dataPoints":[{"asInt":1}]}}]}]}]}"#
        let answer = try await send(headers: [("Content-Type", "application/JSON; charset=utf-8")], body: Array(body.utf8))
        #expect(answer.head.status == .ok)
        #expect(answer.head.headers["Content-Type"] == ["application/json"])
        #expect(answer.text == #"{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"sum bad has no aggregation temporality"}}"#)
        #expect(try await scrape().contains("opensre_ok{otel_scope_name=\"\"} 4\n") == false)
        #expect(try await scrape().contains("opensre_ok 4\n"))
        let malformed = try await send(headers: [("Content-Type", "application/json")], body: Array("{\"resourceMetrics\":7}".utf8))
        #expect(malformed.head.status == .badRequest)
        #expect(malformed.head.headers["Content-Type"] == ["application/json"])
        #expect(malformed.text == #"{"code":3,"message":"request body is not valid OTLP/JSON: resourceMetrics: expected an array"}"#)
    }

    @Test("rejected points come back as partial_success")
    func partialSuccess() async throws {
        let answer = try await send(body: Fixtures.bytes("unsupported.pb"))
        #expect(answer.head.status == .ok)
        #expect(answer.body.count > 10)
        #expect(answer.text.contains("sum bad.sum has no aggregation temporality"))
    }

    @Test(
        "requests that are not for us get the right 4xx and a reason",
        arguments: [
            (HTTPMethod.POST, "/v1/metric", [("Content-Type", "application/x-protobuf")], 404, "no such endpoint: /v1/metric"),
            (.GET, "/v1/metrics", [], 405, "method GET not allowed, use POST"),
            (.POST, "/v1/metrics", [("Content-Type", "text/plain")], 415, "unsupported Content-Type \"text/plain\""),
            (.POST, "/v1/metrics", [], 415, "unsupported Content-Type (none)"),
            (.POST, "/v1/metrics", [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "br")], 415,
             "unsupported Content-Encoding \"br\""),
        ])
    func refused(method: HTTPMethod, uri: String, headers: [(String, String)], status: Int, reason: String) async throws {
        let answer = try await send(method, uri, headers: headers, body: [1, 2, 3])
        #expect(answer.head.status.code == UInt(status))
        #expect(answer.status?.message.hasPrefix(reason) == true)
        #expect(answer.status?.code == (status == 404 ? 5 : status == 405 ? 12 : 3))
        #expect(answer.head.headers["Content-Type"] == ["application/x-protobuf"])
        if status == 405 { #expect(answer.head.headers["Allow"] == ["POST"]) }
    }

    @Test("undecodable bodies get 400 with a reason and the channel keeps serving")
    func malformed() async throws {
        let answer = try await send(body: Fixtures.bytes("malformed.bin"))
        #expect(answer.head.status == .badRequest)
        #expect(answer.status?.message == "request body is not a valid protobuf ExportMetricsServiceRequest")
        #expect(answer.status?.code == 3)
        let gzipped = try await send(
            headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "gzip")], body: [1, 2, 3, 4])
        #expect(gzipped.head.status == .badRequest)
        #expect(gzipped.status?.message.hasPrefix("request body could not be decompressed") == true)
        #expect(try await send(body: Fixtures.bytes("delta-1.pb")).head.status == .ok)
        #expect(channel.isActive)
    }

    @Test("a body over the limit gets 413 and the connection is closed")
    func tooLarge() async throws {
        let answer = try await send(body: [UInt8](repeating: 0x0A, count: 5000), chunks: 4)
        #expect(answer.head.status == .payloadTooLarge)
        #expect(answer.status?.message == "request body exceeds the limit of 4096 bytes")
        #expect(answer.head.headers["Connection"] == ["close"])
        #expect(!channel.isActive)
    }

    @Test("a declared Content-Length over the limit is refused before any body is buffered")
    func declaredTooLarge() async throws {
        let declared = try await send(headers: [("Content-Type", "application/x-protobuf"), ("Content-Length", "999999")])
        #expect(declared.head.status == .payloadTooLarge)
    }

    @Test("a gzip body that inflates past the limit gets 413")
    func gzipBomb() async throws {
        // 1 MiB of zeros compresses to about 1 KiB: under the wire limit, far over it inflated.
        let bomb = try Fixtures.bytes("zeros-1mib.gz")
        #expect(bomb.count < 4096)
        let answer = try await send(
            headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "gzip")], body: bomb)
        #expect(answer.head.status == .payloadTooLarge)
        #expect(answer.status?.message == "decompressed request body exceeds the limit of 4096 bytes")
    }

    @Test("a full ring answers 503 with Retry-After, and nothing acknowledged is lost")
    func overloaded() async throws {
        let body = try Fixtures.bytes("mixed.pb")
        // The first request waits for the processor (its streams are new); after
        // that the same cumulative streams are acknowledged at once and queue up,
        // since the processor only wakes after its 60 s batch timeout.
        var statuses: [UInt] = []
        for _ in 0..<6 { statuses.append(try await send(body: body).head.status.code) }
        #expect(statuses == [200, 200, 200, 200, 200, 503])
        let refused = try await send(body: body)
        #expect(refused.head.headers["Retry-After"] == ["1"])
        #expect(refused.status?.message == "collector is overloaded, retry later")
        #expect(refused.status?.code == 14)
        #expect(processor.queuedPointCount == 4 * 8)
        _ = try await scrape()
        #expect(await processor.statistics().acceptedPoints == 5 * 8)
    }

    @Test("points the processor refuses (delta overlap, type conflict) are reported in partial_success")
    func processorRefusals() async throws {
        #expect(try await send(body: Fixtures.bytes("delta-1.pb")).body.isEmpty)
        #expect(try await send(body: Fixtures.bytes("delta-2.pb")).body.isEmpty)
        let overlap = try await send(body: Fixtures.bytes("delta-overlap.pb"))
        #expect(overlap.head.status == .ok)
        #expect(overlap.body == OTLPResponseEncoder.exportResponse(rejected: {
            var expected = RejectedPoints()
            expected.add(1, reason: "delta points overlap data already accumulated (start time before the previous point's end)")
            return expected
        }()))
        let conflict = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"jobs.processed_total","gauge":{"dataPoints":[{"asInt":"1"}]}}]}]}]}"#
        let answer = try await send(headers: [("Content-Type", "application/json")], body: Array(conflict.utf8))
        #expect(
            answer.text
                == #"{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"metric opensre_jobs_processed_total conflicts with the type of the existing family of that name"}}"#
        )
    }

    @Test("series refused by the cardinality limit are reported in partial_success, even on known streams")
    func cardinality() async throws {
        let processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(timeout: .seconds(60)),
            settings: ExpositionSettings(maxSeries: 100, maxSeriesPerMetric: 2),
            clock: ManualProcessorClock(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        let channel = try await NIOAsyncTestingChannel {
            try $0.pipeline.syncOperations.addHandler(
                OTLPHTTPHandler(
                    ingestor: OTLPIngestor(processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(), counters: processor.receiverCounters)))
        }
        func post(_ ids: [Int]) async throws -> String {
            let points = ids.map { #"{"asInt":"1","attributes":[{"key":"id","value":{"stringValue":"\#($0)"}}]}"# }
            let body = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[\#(points.joined(separator: ","))]}}]}]}]}"#
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/metrics")
            head.headers.add(name: "Content-Type", value: "application/json")
            try await channel.writeInbound(HTTPServerRequestPart.head(head))
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: body)))
            try await channel.writeInbound(HTTPServerRequestPart.end(nil))
            var text = ""
            while true {
                switch try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) {
                case .body(.byteBuffer(let buffer)): text += String(buffer: buffer)
                case .end: return text
                default: continue
                }
            }
        }
        #expect(try await post([1]) == "{}")
        // The stream is known now, but this request could create more series than the
        // limit leaves room for: the answer waits for the processor and is exact.
        #expect(try await post([2, 3]) == #"{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"new series refused: the collector's series limit is reached"}}"#)
        #expect(try await post([1, 2]) == "{}")
    }

    @Test("an empty request is a success")
    func empty() async throws {
        let answer = try await send(body: [])
        #expect(answer.head.status == .ok)
        #expect(answer.body.isEmpty)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
