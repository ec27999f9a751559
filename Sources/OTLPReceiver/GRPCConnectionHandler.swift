import NIOCore
import NIOHTTP2

/// Manages one OTLP/gRPC connection after the HTTP/2 handler: keepalive pings
/// (`time`, `timeout`), `max_connection_idle`, `max_connection_age` and its
/// grace, and graceful shutdown (quiescing). Going away sends GOAWAY naming
/// the last call accepted, lets the calls in flight finish, and closes the
/// connection when none is left (or when the grace runs out).
///
/// Timers run on the connection's event loop, the clock tests drive with
/// `EmbeddedEventLoop.advanceTime`. Confined to that loop.
final class GRPCConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let keepalive: GRPCKeepalive
    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var lastStreamID = HTTP2StreamID(0)
    /// GOAWAY sent: no new calls; close when the last one ends.
    private var goingAway = false
    /// Something was read since the keepalive timer last fired.
    private var readSinceTick = false
    private var pingTimer: Scheduled<Void>?
    private var pingTimeout: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    private var ageTimer: Scheduled<Void>?
    private var graceTimer: Scheduled<Void>?
    /// The payload of our keepalive pings, to tell their acks from others'.
    static let pingData = HTTP2PingData(withInteger: 0x6f70_656e_7372_6521)

    init(keepalive: GRPCKeepalive) {
        self.keepalive = keepalive
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimers()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimers()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readSinceTick = true
        let frame = unwrapInboundIn(data)
        if case .ping(let ping, ack: true) = frame.payload, ping == Self.pingData {
            pingTimeout?.cancel()
            pingTimeout = nil
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            goAway(context, grace: nil)
            return  // consumed: the HTTP/2 connection is drained here
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A call's stream opened (from the HTTP/2 handler's stream delegate).
    func streamOpened(_ id: HTTP2StreamID) {
        openStreams += 1
        if id > lastStreamID { lastStreamID = id }
        idleTimer?.cancel()
        idleTimer = nil
    }

    /// A call's stream closed: the last one of a going-away connection closes it.
    func streamClosed(_ id: HTTP2StreamID) {
        guard let context else { return }
        openStreams -= 1
        guard openStreams == 0 else { return }
        if goingAway {
            closeAfterFlush(context)
        } else {
            armIdle(context)
        }
    }

    /// What the HTTP/2 handler calls as streams open and close. The inline
    /// multiplexer reports streams to its delegate, not as events in this
    /// pipeline, so without it the connection would not know its calls: it
    /// would name no call in its GOAWAY and close under calls in flight.
    func streamDelegate(on loop: any EventLoop) -> any NIOHTTP2StreamDelegate {
        StreamEvents(handler: NIOLoopBound(self, eventLoop: loop))
    }

    private struct StreamEvents: NIOHTTP2StreamDelegate {
        let handler: NIOLoopBound<GRPCConnectionHandler>
        func streamCreated(_ id: HTTP2StreamID, channel: any Channel) { handler.value.streamOpened(id) }
        func streamClosed(_ id: HTTP2StreamID, channel: any Channel) { handler.value.streamClosed(id) }
    }

    private func start(_ context: ChannelHandlerContext) {
        guard pingTimer == nil, ageTimer == nil else { return }
        armPing(context)
        armIdle(context)
        if let age = keepalive.maxConnectionAge {
            ageTimer = schedule(in: age) { handler, context in handler.goAway(context, grace: handler.keepalive.maxConnectionAgeGrace) }
        }
    }

    /// Sends GOAWAY once; closes now if no call is open, else when the last
    /// ends or after `grace`.
    private func goAway(_ context: ChannelHandlerContext, grace: TimeAmount?) {
        guard !goingAway else { return }
        goingAway = true
        idleTimer?.cancel()
        let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: lastStreamID, errorCode: .noError, opaqueData: nil))
        context.writeAndFlush(wrapOutboundOut(frame), promise: nil)
        if openStreams == 0 {
            close(context)
        } else if let grace {
            graceTimer = schedule(in: grace) { handler, context in handler.close(context) }
        }
    }

    /// Closes on the next tick of the loop. The HTTP/2 handler reports a
    /// stream closed when it writes the stream's last frame, before it
    /// flushes: closing at once would drop that frame (the call's status),
    /// and a sender whose data was applied would be told it failed.
    private func closeAfterFlush(_ context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.execute { [self] in close(bound.value) }
    }

    private func close(_ context: ChannelHandlerContext) {
        cancelTimers()
        context.close(promise: nil)
    }

    private func armIdle(_ context: ChannelHandlerContext) {
        guard let idle = keepalive.maxConnectionIdle, !goingAway else { return }
        idleTimer?.cancel()
        idleTimer = schedule(in: idle) { handler, context in handler.goAway(context, grace: nil) }
    }

    /// Every `time`: a connection that read nothing since the last tick is
    /// pinged, and closed unless the ack comes within `timeout`.
    private func armPing(_ context: ChannelHandlerContext) {
        pingTimer = schedule(in: keepalive.time) { handler, context in
            defer { handler.armPing(context) }
            guard !handler.readSinceTick else {
                handler.readSinceTick = false
                return
            }
            guard handler.pingTimeout == nil else { return }
            let ping = HTTP2Frame(streamID: .rootStream, payload: .ping(Self.pingData, ack: false))
            context.writeAndFlush(handler.wrapOutboundOut(ping), promise: nil)
            handler.pingTimeout = handler.schedule(in: handler.keepalive.timeout) { handler, context in handler.close(context) }
        }
    }

    private func schedule(
        in delay: TimeAmount, _ body: @escaping (GRPCConnectionHandler, ChannelHandlerContext) -> Void
    ) -> Scheduled<Void> {
        let loop = context!.eventLoop
        let target = NIOLoopBound((handler: self, body: body), eventLoop: loop)
        return loop.scheduleTask(in: delay) {
            let (handler, body) = target.value
            guard let context = handler.context else { return }
            body(handler, context)
        }
    }

    private func cancelTimers() {
        for timer in [pingTimer, pingTimeout, idleTimer, ageTimer, graceTimer] { timer?.cancel() }
        pingTimer = nil
        pingTimeout = nil
        idleTimer = nil
        ageTimer = nil
        graceTimer = nil
    }
}
