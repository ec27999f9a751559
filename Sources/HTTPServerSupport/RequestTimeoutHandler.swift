import NIOCore
import NIOHTTP1

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
