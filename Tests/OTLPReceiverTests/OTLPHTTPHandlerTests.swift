import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OpenSREPipeline
import OpenSRETestSupport
import Testing

@testable import OTLPReceiver

/// The receiver's channel handler driven through `EmbeddedChannel`: no sockets,
/// exact status codes, headers and bodies.
@Suite("OTLP/HTTP handler")
struct OTLPHTTPHandlerTests {
    let processor: BatchProcessor
    let channel: EmbeddedChannel

    init() throws {
        processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(timeout: .seconds(60), ringCapacity: 4),
            settings: ExpositionSettings(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        let ingestor = OTLPIngestor(
            processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(maxRequestBodySize: 4096))
        channel = EmbeddedChannel(handler: OTLPHTTPHandler(ingestor: ingestor))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4318)).wait()
    }

    struct Answer {
        var head: HTTPResponseHead
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(
        _ method: HTTPMethod = .POST, _ uri: String = "/v1/metrics",
        headers: [(String, String)] = [("Content-Type", "application/x-protobuf")], body: [UInt8] = [],
        chunks: Int = 1
    ) throws -> Answer {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: uri)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        try channel.writeInbound(HTTPServerRequestPart.head(head))
        let size = max(1, (body.count + chunks - 1) / chunks)
        var offset = 0
        while offset < body.count {
            let end = min(offset + size, body.count)
            try channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: body[offset..<end])))
            offset = end
        }
        try channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let responseHead) = try channel.readOutbound(as: HTTPServerResponsePart.self) else {
            throw TestFailure("no response head")
        }
        var bytes: [UInt8] = []
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
            switch part {
            case .body(.byteBuffer(let buffer)): bytes.append(contentsOf: buffer.readableBytesView)
            case .end: return Answer(head: responseHead, body: bytes)
            default: break
            }
        }
        throw TestFailure("no response end")
    }

    func scrape() async throws -> String {
        String(decoding: try await processor.scrape(), as: UTF8.self)
    }

    @Test("a protobuf request is accepted with 200 and an empty ExportMetricsServiceResponse")
    func accepted() async throws {
        let answer = try send(body: Fixtures.bytes("delta-1.pb"), chunks: 3)
        #expect(answer.head.status == .ok)
        #expect(answer.head.headers["Content-Type"] == ["application/x-protobuf"])
        #expect(answer.head.headers["Content-Length"] == ["0"])
        #expect(answer.body == [])
        #expect(try await scrape().contains("queue=\"emails\"} 5\n"))
    }

    @Test("a gzip body and a lenient media type are accepted")
    func gzip() async throws {
        let answer = try send(
            headers: [("Content-Type", "Application/X-Protobuf; charset=utf-8"), ("Content-Encoding", "GZIP")],
            body: Fixtures.bytes("mixed.pb.gz"))
        #expect(answer.head.status == .ok)
        #expect(try await scrape().contains("opensre_http_server_requests_total{"))
    }

    @Test("OTLP/JSON is accepted and answered in JSON (media type parsed leniently)")
    func json() async throws {
        let body = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"ok","gauge":{"dataPoints":[{"asInt":"4"}]}},{"name":"bad","sum":{"dataPoints":[{"asInt":1}]}}]}]}]}"#
        let answer = try send(headers: [("Content-Type", "application/JSON; charset=utf-8")], body: Array(body.utf8))
        #expect(answer.head.status == .ok)
        #expect(answer.head.headers["Content-Type"] == ["application/json"])
        #expect(answer.text == #"{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"sum bad has no aggregation temporality"}}"#)
        #expect(try await scrape().contains("opensre_ok{otel_scope_name=\"\"} 4\n") == false)
        #expect(try await scrape().contains("opensre_ok 4\n"))
        let malformed = try send(headers: [("Content-Type", "application/json")], body: Array("{\"resourceMetrics\":7}".utf8))
        #expect(malformed.head.status == .badRequest)
        #expect(malformed.text == "request body is not valid OTLP/JSON: resourceMetrics: expected an array\n")
    }

    @Test("rejected points come back as partial_success")
    func partialSuccess() throws {
        let answer = try send(body: Fixtures.bytes("unsupported.pb"))
        #expect(answer.head.status == .ok)
        #expect(answer.body.count > 10)
        #expect(answer.text.contains("sum bad.sum has no aggregation temporality"))
    }

    @Test(
        "requests that are not for us get the right 4xx and a reason",
        arguments: [
            (HTTPMethod.POST, "/v1/traces", [("Content-Type", "application/x-protobuf")], 404, "no such endpoint: /v1/traces"),
            (.GET, "/v1/metrics", [], 405, "method GET not allowed, use POST"),
            (.POST, "/v1/metrics", [("Content-Type", "text/plain")], 415, "unsupported Content-Type \"text/plain\""),
            (.POST, "/v1/metrics", [], 415, "unsupported Content-Type (none)"),
            (.POST, "/v1/metrics", [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "br")], 415,
             "unsupported Content-Encoding \"br\""),
        ])
    func refused(method: HTTPMethod, uri: String, headers: [(String, String)], status: Int, reason: String) throws {
        let answer = try send(method, uri, headers: headers, body: [1, 2, 3])
        #expect(answer.head.status.code == UInt(status))
        #expect(answer.text.hasPrefix(reason))
        #expect(answer.head.headers["Content-Type"] == ["text/plain; charset=utf-8"])
        if status == 405 { #expect(answer.head.headers["Allow"] == ["POST"]) }
    }

    @Test("undecodable bodies get 400 with a reason and the channel keeps serving")
    func malformed() throws {
        let answer = try send(body: Fixtures.bytes("malformed.bin"))
        #expect(answer.head.status == .badRequest)
        #expect(answer.text == "request body is not a valid protobuf ExportMetricsServiceRequest\n")
        let gzipped = try send(
            headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "gzip")], body: [1, 2, 3, 4])
        #expect(gzipped.head.status == .badRequest)
        #expect(gzipped.text.hasPrefix("request body could not be decompressed"))
        #expect(try send(body: Fixtures.bytes("delta-1.pb")).head.status == .ok)
        #expect(channel.isActive)
    }

    @Test("a body over the limit gets 413 and the connection is closed")
    func tooLarge() throws {
        let answer = try send(body: [UInt8](repeating: 0x0A, count: 5000), chunks: 4)
        #expect(answer.head.status == .payloadTooLarge)
        #expect(answer.text == "request body exceeds the limit of 4096 bytes\n")
        #expect(answer.head.headers["Connection"] == ["close"])
        #expect(!channel.isActive)
    }

    @Test("a declared Content-Length over the limit is refused before any body is buffered")
    func declaredTooLarge() throws {
        let declared = try send(headers: [("Content-Type", "application/x-protobuf"), ("Content-Length", "999999")])
        #expect(declared.head.status == .payloadTooLarge)
    }

    @Test("a gzip body that inflates past the limit gets 413")
    func gzipBomb() throws {
        // 1 MiB of zeros compresses to about 1 KiB: under the wire limit, far over it inflated.
        let bomb = try Fixtures.bytes("zeros-1mib.gz")
        #expect(bomb.count < 4096)
        let answer = try send(
            headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "gzip")], body: bomb)
        #expect(answer.head.status == .payloadTooLarge)
        #expect(answer.text == "decompressed request body exceeds the limit of 4096 bytes\n")
    }

    @Test("a full ring answers 503 with Retry-After, and nothing acknowledged is lost")
    func overloaded() async throws {
        let body = try Fixtures.bytes("delta-1.pb")
        var statuses: [UInt] = []
        for _ in 0..<5 { statuses.append(try send(body: body).head.status.code) }
        #expect(statuses == [200, 200, 200, 200, 503])
        let refused = try send(body: body)
        #expect(refused.head.headers["Retry-After"] == ["1"])
        #expect(refused.text == "collector is overloaded, retry later\n")
        // Only the first delta of a series starts it; the other three overlap and are counted.
        _ = try await scrape()
        let statistics = await processor.statistics()
        #expect(statistics.acceptedPoints + statistics.rejectedOverlap == 4)
    }

    @Test("an empty request is a success")
    func empty() throws {
        let answer = try send(body: [])
        #expect(answer.head.status == .ok)
        #expect(answer.body.isEmpty)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
