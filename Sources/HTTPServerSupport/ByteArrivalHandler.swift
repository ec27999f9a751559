import NIOCore
import NIOHTTP1

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
