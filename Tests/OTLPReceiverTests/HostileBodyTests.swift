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

/// Issue 10 through the receiver: hostile bodies get exact answers (400 with
/// a reason, or 200 with `partial_success`) and are counted, never a crash.
@Suite("OTLP/HTTP handler: hostile bodies")
struct HostileBodyTests {
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
                    ingestor: OTLPIngestor(processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(maxRequestBodySize: 1 << 20), counters: processor.receiverCounters)))
        }
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4318)).get()
    }

    func send(_ body: [UInt8], headers: [(String, String)]) async throws -> (status: HTTPResponseStatus, body: [UInt8]) {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/metrics")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        try await channel.writeInbound(HTTPServerRequestPart.head(head))
        try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(bytes: body)))
        try await channel.writeInbound(HTTPServerRequestPart.end(nil))
        guard case .head(let responseHead) = try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self)
        else { throw TestFailure("no response head") }
        var bytes: [UInt8] = []
        while true {
            switch try await channel.waitForOutboundWrite(as: HTTPServerResponsePart.self) {
            case .body(.byteBuffer(let buffer)): bytes.append(contentsOf: buffer.readableBytesView)
            case .end: return (responseHead.status, bytes)
            default: break
            }
        }
    }

    static let protobuf = [("Content-Type", "application/x-protobuf")]
    static let tooDeep = "an attribute value nests arrays or maps more than 32 levels deep"

    static func deep(_ depth: Int, arrays: Bool) -> [UInt8] {
        OTLPProtobuf.request([
            OTLPProtobuf.gauge(
                "g",
                points: [
                    OTLPProtobuf.numberPoint(
                        1, attributes: [OTLPProtobuf.keyValue(Array("deep".utf8), OTLPProtobuf.nested(depth: depth, arrays: arrays))])
                ])
        ])
    }

    @Test("5,000 nested arrays (35 KB), maps, and the gzip'd maps get 400 with the reason; the loop keeps serving")
    func deepNesting() async throws {
        let arrays = Self.deep(5_000, arrays: true)
        #expect(arrays.count < 40_000)
        for (body, headers) in [
            (arrays, Self.protobuf), (Self.deep(5_000, arrays: false), Self.protobuf),
            (try Fixtures.bytes("deep-nesting-5000.pb.gz"), Self.protobuf + [("Content-Encoding", "gzip")]),
        ] {
            let answer = try await send(body, headers: headers)
            #expect(answer.status == .badRequest)
            #expect(StatusBody.decode(answer.body)?.message == Self.tooDeep)
        }
        let json = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"asDouble":1,"attributes":[{"key":"deep","value":"#
            + String(repeating: #"{"arrayValue":{"values":["#, count: 5_000) + #"{"stringValue":"x"}"#
            + String(repeating: "]}}", count: 5_000) + "}]}]}}]}]}]}"
        let answer = try await send(Array(json.utf8), headers: [("Content-Type", "application/json")])
        #expect(answer.status == .badRequest)
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"code":3,"message":"\#(Self.tooDeep)"}"#)
        #expect(try await send(Self.deep(32, arrays: true), headers: Self.protobuf).status == .ok)
    }

    @Test("a point stamped 2^64-1 is refused in partial_success and counted as future_timestamp")
    func futureTimestamp() async throws {
        let body = OTLPProtobuf.request([
            OTLPProtobuf.gauge("g", points: [OTLPProtobuf.numberPoint(1, time: .max), OTLPProtobuf.numberPoint(2, time: 1_000)])
        ])
        let answer = try await send(body, headers: Self.protobuf)
        #expect(answer.status == .ok)
        let reason = Array("point timestamp is more than 10 minutes past the receiver's clock".utf8)
        // ExportMetricsServiceResponse { partial_success { rejected_data_points: 1, error_message } }
        #expect(answer.body == [0x0A, UInt8(4 + reason.count), 0x08, 0x01, 0x12, UInt8(reason.count)] + reason)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"opensre_collector_points_refused_total{reason="future_timestamp",stage="receiver"} 1"#))
    }
}
