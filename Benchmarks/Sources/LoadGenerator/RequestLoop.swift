import Dispatch
import NIOCore
import NIOHTTP1

/// What one connection sends next, and what it does with each answer.
/// A plan is confined to its connection's event loop while the run lasts.
protocol RequestPlan: AnyObject {
    /// The next request and the monotonic time (ns) it is meant to go out at;
    /// nil to close the connection.
    func next(now: UInt64) -> PlannedRequest?
    /// Called once per answer, with the time the request was meant to go out.
    func completed(status: Int, bodyBytes: Int, intended: UInt64, now: UInt64)
}

struct PlannedRequest {
    var at: UInt64
    var head: HTTPRequestHead
    var body: ByteBuffer?
}

enum Clock {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
}

/// Sends a plan's requests one at a time over a keep-alive connection.
/// A request planned for a time already past goes out at once, and its latency
/// is still measured from the planned time (no coordinated omission).
final class RequestLoopHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let plan: any RequestPlan
    private var intended: UInt64 = 0
    private var status = 0
    private var bodyBytes = 0

    init(plan: any RequestPlan) {
        self.plan = plan
    }

    func channelActive(context: ChannelHandlerContext) {
        sendNext(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            bodyBytes = 0
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
        case .end:
            plan.completed(status: status, bodyBytes: bodyBytes, intended: intended, now: Clock.now())
            sendNext(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func sendNext(context: ChannelHandlerContext) {
        let now = Clock.now()
        guard let request = plan.next(now: now) else {
            context.close(promise: nil)
            return
        }
        if request.at > now {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .nanoseconds(Int64(request.at - now))) {
                let (handler, context) = loopBound.value
                handler.write(request, context: context)
            }
        } else {
            write(request, context: context)
        }
    }

    private func write(_ request: PlannedRequest, context: ChannelHandlerContext) {
        intended = request.at
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
