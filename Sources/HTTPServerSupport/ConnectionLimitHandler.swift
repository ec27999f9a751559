import NIOCore

/// In a listener's server pipeline: counts open connections and holds back
/// `read` (that is, `accept`) while the listener is at its cap, resuming when
/// a connection closes. The kernel's backlog keeps the waiting connections.
/// Confined to the listening channel's event loop.
final class ConnectionLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = any Channel

    private let limit: Int
    private let warning: IntervalWarning
    private var open = 0
    private var readHeld = false
    private var context: ChannelHandlerContext?

    init(limit: Int, warning: IntervalWarning) {
        self.limit = limit
        self.warning = warning
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        child.closeFuture.whenComplete { _ in
            loop.execute { bound.value.closed() }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard open < limit else {
            readHeld = true
            warning.note("connection limit reached: new connections wait in the backlog until one closes", ["max_connections": "\(limit)"])
            return
        }
        context.read()
    }

    private func closed() {
        open -= 1
        if readHeld, open < limit, let context {
            readHeld = false
            context.read()
        }
    }
}
