import NIOCore
import NIOEmbedded
import NIOHPACK
import NIOHTTP2
import Testing

@testable import HTTPServerSupport
@testable import OTLPReceiver

/// Keepalive, connection age and idleness, and GOAWAY on shutdown, with the
/// embedded event loop's clock advanced by hand (no sleeping).
@Suite("OTLP/gRPC connection management")
struct GRPCConnectionHandlerTests {
    static func with(_ configure: (inout GRPCKeepalive) -> Void) throws -> Harness {
        try Harness(configure)
    }
}

/// Holds writes until they are flushed and fails the unflushed ones when the
/// connection closes, as a socket channel does (an embedded channel keeps them).
final class SocketWriteBuffer: ChannelOutboundHandler {
    typealias OutboundIn = HTTP2Frame
    private var unflushed: [(NIOAny, EventLoopPromise<Void>?)] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        unflushed.append((data, promise))
    }

    func flush(context: ChannelHandlerContext) {
        for (data, promise) in unflushed { context.write(data, promise: promise) }
        unflushed.removeAll()
        context.flush()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        for (_, promise) in unflushed { promise?.fail(ChannelError.ioOnClosedChannel) }
        unflushed.removeAll()
        context.close(mode: mode, promise: promise)
    }
}

/// One connection handler on an embedded channel and loop.
struct Harness {
    let loop = EmbeddedEventLoop()
    let channel: EmbeddedChannel
    /// How the HTTP/2 handler tells the connection handler of its streams.
    let streams: any NIOHTTP2StreamDelegate

    init(_ configure: (inout GRPCKeepalive) -> Void) throws {
        var keepalive = GRPCKeepalive()
        configure(&keepalive)
        let handler = GRPCConnectionHandler(keepalive: keepalive)
        streams = handler.streamDelegate(on: loop)
        channel = EmbeddedChannel(handler: handler, loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4317)).wait()
    }

    func open(_ id: Int) throws {
        streams.streamCreated(HTTP2StreamID(id), channel: channel)
    }

    func close(_ id: Int) {
        streams.streamClosed(HTTP2StreamID(id), channel: channel)
    }

    /// The next frame written, summarised (`GOAWAY 3`, `PING`), or nil.
    func written() throws -> String? {
        switch try channel.readOutbound(as: HTTP2Frame.self)?.payload {
        case nil: return nil
        case .goAway(let last, .noError, nil)?: return "GOAWAY \(Int(last))"
        case .ping(let data, ack: false)? where data == GRPCConnectionHandler.pingData: return "PING"
        case let other?: return "\(other)"
        }
    }

    func goAway(lastStream id: Int) -> String { "GOAWAY \(id)" }
}

extension GRPCConnectionHandlerTests {

    @Test("max_connection_idle: no calls for that long sends GOAWAY and closes")
    func idle() throws {
        let test = try Self.with { $0.maxConnectionIdle = .seconds(5) }
        try test.open(1)
        test.loop.advanceTime(by: .seconds(10))
        #expect(test.channel.isActive, "a call is open: not idle")
        test.close(1)
        test.loop.advanceTime(by: .seconds(4))
        #expect(test.channel.isActive)
        test.loop.advanceTime(by: .seconds(1))
        #expect(try test.written() == test.goAway(lastStream: 1))
        #expect(!test.channel.isActive)
    }

    @Test("max_connection_age: GOAWAY naming the last call, the open call finishes, then close")
    func age() throws {
        let test = try Self.with { $0.maxConnectionAge = .seconds(30) }
        try test.open(1)
        try test.open(3)
        test.close(1)
        test.loop.advanceTime(by: .seconds(30))
        #expect(try test.written() == test.goAway(lastStream: 3))
        #expect(test.channel.isActive, "call 3 is still in flight")
        test.loop.advanceTime(by: .hours(1))
        #expect(test.channel.isActive, "no grace set: the call may run to its end")
        test.close(3)
        test.loop.run()
        #expect(!test.channel.isActive)
    }

    @Test("max_connection_age_grace: calls still running after the grace are cut off")
    func grace() throws {
        let test = try Self.with {
            $0.maxConnectionAge = .seconds(30)
            $0.maxConnectionAgeGrace = .seconds(5)
        }
        try test.open(1)
        test.loop.advanceTime(by: .seconds(30))
        #expect(try test.written() == test.goAway(lastStream: 1))
        test.loop.advanceTime(by: .seconds(4))
        #expect(test.channel.isActive)
        test.loop.advanceTime(by: .seconds(1))
        #expect(!test.channel.isActive)
    }

    @Test("keepalive: a silent connection is pinged after `time` and closed when `timeout` passes without the ack")
    func keepaliveTimeout() throws {
        let test = try Self.with {
            $0.time = .seconds(10)
            $0.timeout = .seconds(2)
        }
        test.loop.advanceTime(by: .seconds(10))
        #expect(try test.written() == "PING")
        test.loop.advanceTime(by: .seconds(2))
        #expect(!test.channel.isActive)
    }

    @Test("keepalive: an answered ping keeps the connection; reads postpone the ping")
    func keepaliveAnswered() throws {
        let test = try Self.with {
            $0.time = .seconds(10)
            $0.timeout = .seconds(2)
        }
        test.loop.advanceTime(by: .seconds(9))
        try test.channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .settings(.ack)))
        test.loop.advanceTime(by: .seconds(1))
        #expect(try test.written() == nil, "something was read in the last 10 s")
        test.loop.advanceTime(by: .seconds(10))
        #expect(try test.written() == "PING")
        try test.channel.writeInbound(HTTP2Frame(streamID: .rootStream, payload: .ping(GRPCConnectionHandler.pingData, ack: true)))
        test.loop.advanceTime(by: .seconds(5))
        #expect(test.channel.isActive)
    }

    @Test("shutdown (quiescing): GOAWAY, calls in flight finish, then the connection closes")
    func quiesce() throws {
        let test = try Self.with { _ in }
        try test.open(5)
        test.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(try test.written() == test.goAway(lastStream: 5))
        #expect(test.channel.isActive)
        test.close(5)
        test.loop.run()
        #expect(!test.channel.isActive)
        let idle = try Self.with { _ in }
        idle.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(try idle.written() == idle.goAway(lastStream: 0))
        #expect(!idle.channel.isActive)
    }

    @Test("shutdown: the last call's final frame, written before its stream closed and flushed after, still goes out")
    func lastFrameFlushedBeforeClose() throws {
        let test = try Self.with { _ in }
        try test.channel.pipeline.syncOperations.addHandler(SocketWriteBuffer(), position: .first)
        try test.open(7)
        test.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(try test.written() == test.goAway(lastStream: 7))
        // As the HTTP/2 handler does: the trailers are written, the stream is
        // reported closed, and only then is the connection flushed.
        let trailers = HTTP2Frame(streamID: 7, payload: .headers(.init(headers: ["grpc-status": "0"], endStream: true)))
        let written = test.channel.write(trailers)
        test.close(7)
        test.channel.flush()
        test.loop.run()
        #expect(throws: Never.self) { try written.wait() }
        if case .headers(let headers)? = try test.channel.readOutbound(as: HTTP2Frame.self)?.payload {
            #expect(headers.headers.first(name: "grpc-status") == "0")
        } else {
            Issue.record("the trailers were not written")
        }
        #expect(!test.channel.isActive)
    }

    @Test("the HTTP/2 preface is told from HTTP/1.x at the first differing byte")
    func sniffing() {
        #expect(ProtocolSniffer.decide(ByteBuffer(string: "P")) == nil)
        #expect(ProtocolSniffer.decide(ByteBuffer(string: "POST /v1/metrics HTTP/1.1\r\n")) == .http1)
        #expect(ProtocolSniffer.decide(ByteBuffer(string: "PRI * HTTP/2.0\r\n")) == nil)
        #expect(ProtocolSniffer.decide(ByteBuffer(string: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")) == .http2)
        #expect(ProtocolSniffer.decide(ByteBuffer(string: "GET /metrics HTTP/1.1\r\n")) == .http1)
    }
}

/// The connection handler on the library's real HTTP/2 pipeline (inline
/// stream multiplexer), a client HTTP/2 handler on the other end: calls
/// reach the handler through the stream delegate, not through events the
/// synthetic harness above fires.
@Suite("OTLP/gRPC connection management on the real HTTP/2 pipeline")
struct GRPCConnectionPipelineTests {
    /// A call handler that never answers: the call stays in flight.
    final class Silent: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = HTTP2Frame.FramePayload
    }

    /// Collects what the client's HTTP/2 handler reads.
    final class Frames: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame
        var received: [HTTP2Frame.FramePayload] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { received.append(unwrapInboundIn(data).payload) }
    }

    /// Moves bytes both ways until neither side has anything to send.
    static func exchange(_ client: EmbeddedChannel, _ server: EmbeddedChannel) throws {
        var moved = true
        while moved {
            moved = false
            while let bytes = try client.readOutbound(as: ByteBuffer.self) {
                try server.writeInbound(bytes)
                moved = true
            }
            while let bytes = try server.readOutbound(as: ByteBuffer.self) {
                try client.writeInbound(bytes)
                moved = true
            }
        }
    }

    /// A server connection (keepalive as given) and a client, with a call
    /// opened (stream 1) and left in flight.
    static func connectionWithCall(_ keepalive: GRPCKeepalive = GRPCKeepalive()) throws -> (
        server: EmbeddedChannel, client: EmbeddedChannel, frames: Frames
    ) {
        let service = HTTP2Service(
            connection: .init(), stream: .init(),
            makeConnectionHandler: { channel in
                let handler = GRPCConnectionHandler(keepalive: keepalive)
                return (handler, handler.streamDelegate(on: channel.eventLoop))
            },
            makeStreamHandler: { _ in Silent() })
        let server = EmbeddedChannel()
        try service.configure(server) { _ in Silent() }
        try server.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4317)).wait()
        let frames = Frames()
        let client = EmbeddedChannel(handlers: [NIOHTTP2Handler(mode: .client), frames])
        try client.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4317)).wait()
        try Self.exchange(client, server)

        let headers: HPACKHeaders = [
            ":method": "POST", ":scheme": "http", ":path": "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export",
            ":authority": "localhost", "content-type": "application/grpc", "te": "trailers",
        ]
        try client.writeOutbound(HTTP2Frame(streamID: 1, payload: .headers(.init(headers: headers))))
        try Self.exchange(client, server)
        return (server, client, frames)
    }

    static func goAways(_ frames: Frames) -> [HTTP2StreamID] {
        frames.received.compactMap { payload -> HTTP2StreamID? in
            if case .goAway(let last, _, _) = payload { return last }
            return nil
        }
    }

    @Test("shutdown with a call in flight: GOAWAY names the call, the connection stays open until it ends")
    func quiesceWithCallInFlight() throws {
        let (server, client, frames) = try Self.connectionWithCall()
        server.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        try Self.exchange(client, server)
        #expect(Self.goAways(frames) == [1], "GOAWAY names the call in flight")
        #expect(server.isActive, "the call in flight may finish")
        _ = try? server.finish()
        _ = try? client.finish()
    }

    @Test("max_connection_idle does not close a connection with a call in flight")
    func idleWithCallInFlight() throws {
        var keepalive = GRPCKeepalive()
        keepalive.maxConnectionIdle = .seconds(1)
        let (server, client, frames) = try Self.connectionWithCall(keepalive)
        server.embeddedEventLoop.advanceTime(by: .seconds(5))
        try Self.exchange(client, server)
        #expect(Self.goAways(frames).isEmpty)
        #expect(server.isActive)
        _ = try? server.finish()
        _ = try? client.finish()
    }
}
