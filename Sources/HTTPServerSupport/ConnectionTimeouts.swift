import NIOCore
import NIOHTTP1

/// How long a connection may take at each step, so that slow or stalled
/// clients cannot hold connections (and memory) forever. Nil disables a timeout.
package struct ConnectionTimeouts: Sendable, Equatable {
    /// `read_header_timeout`: from the first byte of a request to its complete head.
    package var readHeader: TimeAmount?
    /// `read_timeout`: from a request's head to the end of its body.
    package var read: TimeAmount?
    /// `idle_timeout`: a kept-alive connection without a request is closed after this.
    package var idle: TimeAmount?

    package init(readHeader: TimeAmount? = .seconds(10), read: TimeAmount? = .seconds(30), idle: TimeAmount? = .seconds(60)) {
        self.readHeader = readHeader
        self.read = read
        self.idle = idle
    }
}

/// The state one connection's two timeout handlers share (confined to its event loop).
final class ConnectionClock {
    enum Phase { case awaitingRequest, readingHead, readingBody, responding }

    let timeouts: ConnectionTimeouts
    var phase = Phase.awaitingRequest
    private var timer: Scheduled<Void>?
    /// Answers 408 and closes (set by ``ByteArrivalHandler``).
    var timeOut: (() -> Void)?

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    /// (Re)starts the timer for the current phase; `expire` runs when it fires.
    func arm(_ amount: TimeAmount?, on loop: any EventLoop, expire: @escaping () -> Void) {
        timer?.cancel()
        timer = nil
        guard let amount else { return }
        let bound = NIOLoopBound(expire, eventLoop: loop)
        timer = loop.scheduleTask(in: amount) { bound.value() }
    }

    func disarm() {
        timer?.cancel()
        timer = nil
    }
}

/// First in the pipeline: notices the first bytes of a request, which start
/// the header timeout (the HTTP decoder only speaks once the head is complete),
/// and writes the `408` below the HTTP handlers, which would refuse a
/// response to a request they have not seen.
final class ByteArrivalHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let clock: ConnectionClock
    private var context: ChannelHandlerContext?

    init(clock: ConnectionClock) {
        self.clock = clock
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        clock.timeOut = { [weak self] in self?.timeOut() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if clock.phase == .awaitingRequest {
            clock.phase = .readingHead
            clock.arm(clock.timeouts.readHeader, on: context.eventLoop) { [clock] in clock.timeOut?() }
        }
        context.fireChannelRead(data)
    }

    /// A request that took too long: `408` with `Connection: close`, then close.
    private func timeOut() {
        guard let context, context.channel.isActive else { return }
        let answer = "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

/// After the HTTP decoder: tracks request and response boundaries, arms the
/// read and idle timers, and answers `408 Request Timeout` (then closes) when
/// a request is too slow to arrive.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let clock: ConnectionClock

    init(clock: ConnectionClock) {
        self.clock = clock
    }

    func channelActive(context: ChannelHandlerContext) {
        armIdle(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armIdle(context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            clock.phase = .readingBody
            clock.arm(clock.timeouts.read, on: context.eventLoop) { [clock] in clock.timeOut?() }
        case .body:
            break
        case .end:
            clock.phase = .responding
            clock.disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            clock.phase = .awaitingRequest
            armIdle(context)
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clock.disarm()
        context.fireChannelInactive()
    }

    private func armIdle(_ context: ChannelHandlerContext) {
        let channel = context.channel
        clock.arm(clock.timeouts.idle, on: context.eventLoop) { channel.close(promise: nil) }
    }
}
