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
///
/// Each phase sets a deadline; one timer per connection enforces it. The
/// timer is only rescheduled when a deadline comes earlier than the time it
/// is set for: a timer that fires early checks the current deadline and
/// sleeps again until then. With keep-alive traffic a request therefore
/// costs three clock reads, not three timer schedules and cancellations
/// (each an allocation and a heap operation on the event loop).
final class ConnectionClock {
    enum Phase { case awaitingRequest, readingHead, readingBody, responding }

    let timeouts: ConnectionTimeouts
    private(set) var phase = Phase.awaitingRequest
    /// When the current phase times out; nil when it cannot.
    private var deadline: NIODeadline?
    private var timer: Scheduled<Void>?
    /// When `timer` fires (meaningful while it is set).
    private var timerDeadline = NIODeadline.distantFuture
    private var loop: (any EventLoop)?
    /// Answers 408 and closes (set by ``ByteArrivalHandler``): a request too slow to arrive.
    var timeOut: (() -> Void)?
    /// Closes the connection (set by ``RequestTimeoutHandler``): idle too long.
    var closeIdle: (() -> Void)?

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    /// Moves to `phase` and starts its timeout (`responding` has none).
    func enter(_ phase: Phase, on loop: any EventLoop) {
        self.phase = phase
        let amount: TimeAmount?
        switch phase {
        case .awaitingRequest: amount = timeouts.idle
        case .readingHead: amount = timeouts.readHeader
        case .readingBody: amount = timeouts.read
        case .responding: amount = nil
        }
        guard let amount else {
            deadline = nil
            return
        }
        let due = NIODeadline.now() + amount
        deadline = due
        if timer != nil, timerDeadline <= due { return }  // it fires first and waits for the rest
        timer?.cancel()
        schedule(at: due, on: loop)
    }

    /// Cancels the timer for good (the connection is closed).
    func stop() {
        deadline = nil
        timer?.cancel()
        timer = nil
    }

    private func schedule(at due: NIODeadline, on loop: any EventLoop) {
        self.loop = loop
        timerDeadline = due
        let bound = NIOLoopBound(self, eventLoop: loop)
        timer = loop.scheduleTask(deadline: due) { bound.value.fire() }
    }

    private func fire() {
        timer = nil
        guard let deadline, let loop else { return }  // no timeout now: the next phase schedules one
        if deadline > NIODeadline.now() {
            schedule(at: deadline, on: loop)
            return
        }
        self.deadline = nil
        switch phase {
        case .readingHead, .readingBody: timeOut?()
        case .awaitingRequest: closeIdle?()
        case .responding: break
        }
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
            clock.enter(.readingHead, on: context.eventLoop)
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
    private var context: ChannelHandlerContext?

    init(clock: ConnectionClock) {
        self.clock = clock
    }

    func channelActive(context: ChannelHandlerContext) {
        clock.enter(.awaitingRequest, on: context.eventLoop)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        clock.closeIdle = { [weak self] in self?.context?.channel.close(promise: nil) }
        if context.channel.isActive { clock.enter(.awaitingRequest, on: context.eventLoop) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            clock.enter(.readingBody, on: context.eventLoop)
        case .body:
            break
        case .end:
            clock.enter(.responding, on: context.eventLoop)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            clock.enter(.awaitingRequest, on: context.eventLoop)
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clock.stop()
        context.fireChannelInactive()
    }
}
