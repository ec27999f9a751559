import HTTPServerSupport
import NIOCore
import NIOHTTP1

/// The channel shell around ``OTLPIngestor``: collects a request's body (never
/// more than the limit), then answers on the same event loop. Confined to its
/// channel's event loop.
final class OTLPHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case receiving(HTTPRequestHead, ByteBuffer)
        /// The answer is known; the rest of the body is read and dropped.
        case rejecting(HTTPRequestHead, OTLPReceiverError)
        /// A health probe, answered at its end.
        case answered(HTTPRequestHead, HTTPResponse)
    }

    private let ingestor: OTLPIngestor
    private let health: HealthState?
    private var state = State.idle

    init(ingestor: OTLPIngestor, health: HealthState? = nil) {
        self.ingestor = ingestor
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if let probe = health?.response(to: head) {
                state = .answered(head, probe)
            } else if let error = ingestor.check(head) {
                state = .rejecting(head, error)
            } else {
                let expected = head.headers.first(name: "Content-Length").flatMap(Int.init) ?? 0
                let buffer = context.channel.allocator.buffer(capacity: min(max(expected, 0), ingestor.bodyLimit))
                state = .receiving(head, buffer)
            }
        case .body(var part):
            guard case .receiving(let head, var buffer) = state else { return }
            state = .idle  // drop the reference while mutating, so the buffer is not copied
            if buffer.readableBytes + part.readableBytes > ingestor.bodyLimit {
                state = .rejecting(head, .bodyTooLarge(limit: ingestor.bodyLimit))
            } else {
                buffer.writeBuffer(&part)
                state = .receiving(head, buffer)
            }
        case .end:
            switch state {
            case .idle:
                return
            case .receiving(let head, let body):
                state = .idle
                switch ingestor.ingest(head, body: body, on: context.eventLoop) {
                case .immediate(let response):
                    ingestor.recordAnswer(response.status)
                    response.write(to: context, keepAlive: head.isKeepAlive, wrap: wrapOutboundOut)
                case .deferred(let response):
                    response.assumeIsolated().whenSuccess { response in
                        self.ingestor.recordAnswer(response.status)
                        response.write(to: context, keepAlive: head.isKeepAlive, wrap: self.wrapOutboundOut)
                    }
                }
            case .answered(let head, let response):
                state = .idle
                response.write(to: context, keepAlive: head.isKeepAlive, wrap: wrapOutboundOut)
            case .rejecting(let head, let error):
                state = .idle
                ingestor.recordAnswer(error.status)
                error.response(json: OTLPReceiverError.wantsJSON(head)).write(
                    to: context, keepAlive: head.isKeepAlive && !error.closesConnection, wrap: wrapOutboundOut)
            }
        }
    }
}
