import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OpenSREPipeline

/// The channel shell around ``OTLPIngestor``: collects a request's body (never
/// more than the limit, nor more than the `memory_limiter` grants), then
/// answers on the same event loop. Confined to its channel's event loop.
///
/// Refusals the head alone decides are answered at the end of the request,
/// its body read and dropped, so the connection stays usable. Two are
/// answered from the head and the connection closed: a body over the limit
/// (`413`) and one in a transfer coding we cannot read (`501`); so is any
/// refusal of a request that sent `Expect: 100-continue` (its client waits
/// and sends no body). An accepted `Expect: 100-continue` gets `100 Continue`.
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
        /// Answered from the head and half-closed: the rest is dropped, and the
        /// connection closes at the request's end, once the answer is written.
        case draining(EventLoopFuture<Void>)
    }

    private let ingestor: OTLPIngestor
    private let health: HealthState?
    private var state = State.idle
    /// Bytes reserved with the memory limiter for the request being received.
    private var reserved = 0
    /// Bytes reserved per body byte (see ``OTLPIngestor/reservation(perBodyByte:)``).
    private var perByte = 1

    init(ingestor: OTLPIngestor, health: HealthState? = nil) {
        self.ingestor = ingestor
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            if case .draining = state { return }  // answered and closing: nothing more is served
            if let probe = health?.response(to: head) {
                state = .answered(head, probe)
            } else if let error = ingestor.check(head) {
                refuse(head, error, context: context)
            } else {
                let expected = max(head.headers.first(name: "Content-Length").flatMap(Int.init) ?? 0, 0)
                perByte = ingestor.reservation(perBodyByte: head)
                // A body that cannot fit now is refused from its head; one that can is
                // reserved as its bytes arrive, so a head alone (a sender that then
                // stalls) holds no memory that others' requests need.
                guard expected * perByte <= ingestor.memoryLimiter?.headroom ?? .max else {
                    refuse(head, .memoryLimited, context: context)
                    return
                }
                if Self.expectsContinue(head) {
                    context.writeAndFlush(
                        wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
                }
                let buffer = context.channel.allocator.buffer(capacity: min(expected, ingestor.bodyLimit))
                state = .receiving(head, buffer)
            }
        case .body(var part):
            guard case .receiving(let head, var buffer) = state else { return }
            state = .idle  // drop the reference while mutating, so the buffer is not copied
            let size = buffer.readableBytes + part.readableBytes
            if size > ingestor.bodyLimit {
                release()
                refuse(head, .bodyTooLarge(limit: ingestor.bodyLimit), context: context)
            } else if size * perByte > reserved, !reserve(size * perByte - reserved) {
                release()
                refuse(head, .memoryLimited, context: context)
            } else {
                buffer.writeBuffer(&part)
                state = .receiving(head, buffer)
            }
        case .end:
            switch state {
            case .idle:
                return
            case .draining(let written):
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            case .receiving(let head, let body):
                state = .idle
                let outcome = ingestor.ingest(head, body: body, on: context.eventLoop)
                release()  // decoded and queued: the body is no longer held
                switch outcome {
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

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    /// Refuses a request before its body is complete: from the head (and
    /// closes) when the body cannot or need not be read, else at its end.
    private func refuse(_ head: HTTPRequestHead, _ error: OTLPReceiverError, context: ChannelHandlerContext) {
        guard error.closesConnection || Self.expectsContinue(head) else {
            state = .rejecting(head, error)
            return
        }
        ingestor.recordAnswer(error.status)
        state = .draining(
            error.response(json: OTLPReceiverError.wantsJSON(head)).writeEarly(to: context, wrap: wrapOutboundOut))
    }

    /// `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 §10.1.1).
    static func expectsContinue(_ head: HTTPRequestHead) -> Bool {
        head.version.major == 1 && head.version.minor >= 1
            && head.headers[canonicalForm: "Expect"].contains { $0.lowercased() == "100-continue" }
    }

    private func reserve(_ bytes: Int) -> Bool {
        guard bytes > 0, let limiter = ingestor.memoryLimiter else { return true }
        guard limiter.reserve(bytes) else { return false }
        reserved += bytes
        return true
    }

    private func release() {
        ingestor.memoryLimiter?.release(reserved)
        reserved = 0
    }
}
