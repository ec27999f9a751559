import HTTPServerSupport
import NIOCore
import NIOEmbedded
import NIOHTTP1
import OpenSREPipeline
import PrometheusExporter
import Synchronization
import Testing

/// A socket that takes writes only while the channel is writable: while it
/// is not, writes (and their promises) wait here, as bytes wait in a kernel
/// send buffer that is full; when writability comes back they go out.
final class SlowSocket: ChannelOutboundHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
    private var held: [(NIOAny, EventLoopPromise<Void>?)] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if context.channel.isWritable && held.isEmpty {
            context.write(data, promise: promise)
        } else {
            held.append((data, promise))
        }
    }

    func flush(context: ChannelHandlerContext) {
        if held.isEmpty { context.flush() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable else { return }
        for (data, promise) in held { context.write(data, promise: promise) }
        held.removeAll()
        context.flush()
        context.fireChannelWritabilityChanged()
    }
}

extension SlowSocket: ChannelInboundHandler {
    typealias InboundIn = Never
}

/// Stands where `MetricsHTTPHandler` stands: the sink writes from its context.
final class ScrapeEndpoint: ChannelInboundHandler {
    typealias InboundIn = Never
}

/// The exporter's streaming sink on an `EmbeddedChannel`: what it writes,
/// and how its backlog follows the socket's writability. The test thread
/// plays the processor thread; `run()` plays the event loop.
@Suite("Streaming scrape sink")
struct StreamingScrapeSinkTests {
    static let head = HTTPResponseHead(version: .http1_1, status: .ok, headers: ["Content-Type": "text/plain"])

    func makeSink(keepAlive: Bool = true) throws -> (EmbeddedChannel, StreamingScrapeSink) {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(SlowSocket())
        // The sink writes from the handler after the socket, as the metrics handler does.
        try channel.pipeline.syncOperations.addHandler(ScrapeEndpoint())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8889)).wait()
        let context = try channel.pipeline.syncOperations.context(handlerType: ScrapeEndpoint.self)
        return (channel, StreamingScrapeSink(context: context, head: Self.head, keepAlive: keepAlive))
    }

    /// Everything written to the "socket" so far.
    func written(_ channel: EmbeddedChannel) throws -> (head: HTTPResponseHead?, body: [UInt8], ended: Bool) {
        var head: HTTPResponseHead?
        var body: [UInt8] = []
        var ended = false
        while let part = try channel.readOutbound(as: HTTPServerResponsePart.self) {
            switch part {
            case .head(let value): head = value
            case .body(.byteBuffer(let buffer)): body += buffer.readableBytesView
            case .body: Issue.record("file regions are not used")
            case .end: ended = true
            }
        }
        return (head, body, ended)
    }

    func slice(_ size: Int, _ byte: UInt8) -> [UInt8] { Array(repeating: byte, count: size) }

    @Test("writable: slices go out as they are written, the backlog stays at zero, the end closes the body")
    func writable() throws {
        let (channel, sink) = try makeSink()
        let first = slice(256 << 10, 0x61)
        first.withUnsafeBytes { sink.write($0) }
        #expect(sink.backlog == 256 << 10)
        channel.embeddedEventLoop.run()
        #expect(sink.backlog == 0)
        var page = try written(channel)
        #expect(page.head?.status == .ok)
        #expect(page.body == first)
        #expect(!page.ended)
        let tail = slice(100, 0x62)
        tail.withUnsafeBytes { sink.write($0) }
        sink.finish(.success(())) { HTTPResponse.text(.internalServerError, "unused") }
        channel.embeddedEventLoop.run()
        page = try written(channel)
        #expect(page.head == nil)
        #expect(page.body == tail)
        #expect(page.ended)
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test("not writable: the backlog holds and the waiter is not woken; writable again: it drains and wakes the waiter once")
    func writabilityOffAndOn() throws {
        let (channel, sink) = try makeSink()
        channel.isWritable = false
        let before = sink.lastProgress
        let wakes = Atomic<Int>(0)
        slice(512 << 10, 0x63).withUnsafeBytes { sink.write($0) }
        channel.embeddedEventLoop.run()
        #expect(sink.backlog == 512 << 10)
        sink.notifyWhenBacklog(atMost: 4 << 10) { wakes.add(1, ordering: .relaxed) }
        channel.embeddedEventLoop.run()
        #expect(wakes.load(ordering: .relaxed) == 0)
        #expect(try written(channel).body.isEmpty)
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.run()
        #expect(sink.backlog == 0)
        #expect(wakes.load(ordering: .relaxed) == 1)
        #expect(sink.lastProgress >= before)
        #expect(try written(channel).body == slice(512 << 10, 0x63))
        // Registered while already drained: woken at once.
        sink.notifyWhenBacklog(atMost: 0) { wakes.add(1, ordering: .relaxed) }
        #expect(wakes.load(ordering: .relaxed) == 2)
        _ = try channel.finish()
    }

    @Test("an abandoned reader's connection is closed and later writes are dropped")
    func abandon() throws {
        let (channel, sink) = try makeSink()
        channel.isWritable = false
        slice(256 << 10, 0x64).withUnsafeBytes { sink.write($0) }
        sink.abandon()
        #expect(sink.backlog == 0)
        slice(256 << 10, 0x65).withUnsafeBytes { sink.write($0) }
        sink.finish(.success(())) { HTTPResponse.text(.internalServerError, "unused") }
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }

    @Test("a failure before any byte is the error response; after bytes went out, the connection is closed mid-body")
    func failures() throws {
        let (early, earlySink) = try makeSink()
        earlySink.finish(.failure(.compressionFailed)) { HTTPResponse.text(.internalServerError, "compression failed") }
        early.embeddedEventLoop.run()
        let page = try written(early)
        #expect(page.head?.status == .internalServerError)
        #expect(String(decoding: page.body, as: UTF8.self) == "compression failed\n")
        #expect(page.ended)
        _ = try early.finish()

        let (late, lateSink) = try makeSink()
        slice(256 << 10, 0x66).withUnsafeBytes { lateSink.write($0) }
        lateSink.finish(.failure(.compressionFailed)) { HTTPResponse.text(.internalServerError, "unused") }
        late.embeddedEventLoop.run()
        #expect(try written(late).ended == false)
        #expect(!late.isActive)
    }

    @Test("without keep-alive the response says Connection: close and the connection closes after the end")
    func closeAfterEnd() throws {
        let (channel, sink) = try makeSink(keepAlive: false)
        slice(10, 0x67).withUnsafeBytes { sink.write($0) }
        sink.finish(.success(())) { HTTPResponse.text(.internalServerError, "unused") }
        channel.embeddedEventLoop.run()
        let page = try written(channel)
        #expect(page.head?.headers["Connection"] == ["close"])
        #expect(page.body == slice(10, 0x67))
        #expect(page.ended)
        #expect(!channel.isActive)
    }
}
