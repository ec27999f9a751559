import Logging
import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import OTLPReceiver
import OpenSREPipeline

/// One export call through the receiver's handler, per transport: decode,
/// admission, ring push and the answer, plus the processor thread's share
/// (it folds the queued batches in; process CPU time and the allocation
/// counter cover every thread). HTTP/2 framing and HPACK, and HTTP/1 parsing,
/// are not included: the handlers get request parts, as the codecs hand them on.
extension Cases {
    var receiverCases: [BenchmarkCase] {
        [
            BenchmarkCase(name: "grpc.call.10points", unit: "call", items: 10) {
                let receiver = try ReceiverFixture(message: load("mixed-10.pb"))
                let loop = EmbeddedEventLoop()
                var headers: HPACKHeaders = [
                    ":method": "POST", ":scheme": "http", ":path": ReceiverFixture.exportPath,
                    "content-type": "application/grpc", "te": "trailers",
                ]
                headers.add(name: ":authority", value: "127.0.0.1:4317")
                let framed = ReceiverFixture.framed(receiver.message)
                return {
                    // A channel per call, as the server opens a stream channel per call.
                    let channel = EmbeddedChannel(
                        handler: OTLPReceiverHandlers.grpcCall(ingestor: receiver.ingestor, maxMessageSize: 4 << 20),
                        loop: loop)
                    try! channel.writeInbound(HTTP2Frame.FramePayload.headers(.init(headers: headers)))
                    try! channel.writeInbound(HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(framed), endStream: true)))
                    var status: String?
                    while let part = try! channel.readOutbound(as: HTTP2Frame.FramePayload.self) {
                        if case .headers(let block) = part, let value = block.headers.first(name: "grpc-status") {
                            status = value
                        }
                    }
                    guard status == "0" else { fatalError("grpc.call.10points: answered grpc-status \(status ?? "none")") }
                    _ = try? channel.finish(acceptAlreadyClosed: true)
                }
            },
            BenchmarkCase(name: "http.call.10points", unit: "call", items: 10) {
                let receiver = try ReceiverFixture(message: load("mixed-10.pb"))
                // One keep-alive connection for every call, as a client's.
                let channel = EmbeddedChannel(handler: OTLPReceiverHandlers.http(ingestor: receiver.ingestor))
                var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/v1/metrics")
                head.headers.add(name: "Host", value: "127.0.0.1:4318")
                head.headers.add(name: "Content-Type", value: "application/x-protobuf")
                head.headers.add(name: "Content-Length", value: String(receiver.message.count))
                let body = ByteBuffer(bytes: receiver.message)
                return {
                    try! channel.writeInbound(HTTPServerRequestPart.head(head))
                    try! channel.writeInbound(HTTPServerRequestPart.body(body))
                    try! channel.writeInbound(HTTPServerRequestPart.end(nil))
                    var status: UInt = 0
                    while let part = try! channel.readOutbound(as: HTTPServerResponsePart.self) {
                        if case .head(let response) = part { status = response.status.code }
                    }
                    guard status == 200 else { fatalError("http.call.10points: answered \(status)") }
                }
            },
        ]
    }
}

/// A started processor and an ingestor that already knows the payload's
/// streams, so calls are answered as soon as they are queued (the steady
/// state): a stream the ingestor has not seen waits for the processor's
/// report, which would complete on another thread than the embedded loop's.
final class ReceiverFixture {
    static let exportPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"

    let message: [UInt8]
    let processor: BatchProcessor
    let ingestor: OTLPIngestor

    init(message: [UInt8]) throws {
        self.message = message
        // A ring large enough that the processor, waking every send_batch_size
        // points or 200 ms, never finds it full at this rate.
        processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(ringCapacity: 1 << 16), settings: ExpositionSettings(),
            logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        ingestor = OTLPIngestor(
            processor: processor, ring: 0, configuration: OTLPHTTPConfiguration(), counters: processor.receiverCounters)
        try warmUp()
    }

    /// One call on a real event loop, waiting for the processor's report.
    private func warmUp() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let box = UncheckedBox((ingestor, ByteBuffer(bytes: message)))
        let answer = try loop.flatSubmit { () -> EventLoopFuture<OTLPIngestor.ExportAnswer> in
            let (ingestor, body) = box.value
            switch ingestor.ingest(body, encoding: .protobuf, coding: .identity, limit: 4 << 20, on: loop) {
            case .immediate(let answer): return loop.makeSucceededFuture(answer)
            case .deferred(let answer): return answer
            }
        }.wait()
        guard case .accepted = answer else { throw BenchmarkError("warm-up call refused: \(answer)") }
    }

    static func framed(_ message: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(message.count), endianness: .big)
        buffer.writeBytes(message)
        return buffer
    }
}

/// Hands the fixture to the warm-up's event loop (which runs while this thread waits).
private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
