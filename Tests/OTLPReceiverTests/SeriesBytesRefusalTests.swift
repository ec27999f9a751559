import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OTLPDecoding
@testable import OTLPReceiver
import OpenSREPipeline
import OpenSRETestSupport
import Testing

/// `max_series_bytes` refusals reach the sender in `partial_success`, exactly.
@Suite("OTLP/HTTP: series bytes limit")
struct SeriesBytesRefusalTests {
    static func body(_ ids: [Int]) -> String {
        let points = ids.map { id in
            let value = String(UnicodeScalar(UInt8(65 + id))) + String(repeating: "x", count: 14_999)
            return #"{"asInt":"1","attributes":[{"key":"v","value":{"stringValue":"\#(value)"}}]}"#
        }
        return #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","gauge":{"dataPoints":[\#(points.joined(separator: ","))]}}]}]}]}"#
    }

    @Test("series refused by max_series_bytes are reported in partial_success with their reason")
    func refused() async throws {
        // Room for exactly two of these series.
        let reference = SeriesStore()
        reference.apply(try Array(Self.body([1, 2]).utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch)
        let processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(timeout: .seconds(60)),
            settings: ExpositionSettings(maxSeriesBytes: reference.seriesBytes),
            clock: ManualProcessorClock(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        let channel = try await NIOAsyncTestingChannel {
            try $0.pipeline.syncOperations.addHandler(
                OTLPHTTPHandler(
                    ingestor: OTLPIngestor(processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(), counters: processor.receiverCounters)))
        }
        func post(_ ids: [Int]) async throws -> String {
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/metrics")
            head.headers.add(name: "Content-Type", value: "application/json")
            try await channel.writeInbound(HTTPServerRequestPart.head(head))
            try await channel.writeInbound(HTTPServerRequestPart.body(ByteBuffer(string: Self.body(ids))))
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
        #expect(
            try await post([2, 3])
                == #"{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"new series refused: the collector's series memory bound (max_series_bytes) is reached"}}"#
        )
        #expect(try await post([1, 2]) == "{}")
        await processor.stop()
    }
}
