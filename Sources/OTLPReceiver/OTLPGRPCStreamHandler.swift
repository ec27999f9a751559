import HTTPServerSupport
import NIOCore
import NIOHPACK
import NIOHTTP2
import OTLPDecoding
import OpenSREModel

/// One OTLP/gRPC call: the handler of an HTTP/2 stream. Reads the request
/// headers and the one length-prefixed message (never more than
/// `max_recv_msg_size_mib`, nor more than the `memory_limiter` grants), hands
/// the message to the same ``OTLPIngestor`` as OTLP/HTTP, and answers with an
/// `ExportMetricsServiceResponse` and `grpc-status` trailers. Refusals are
/// answered as soon as they are known, in one `Trailers-Only` header block.
/// Confined to the stream's event loop (its connection's).
final class OTLPGRPCStreamHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias OutboundOut = HTTP2Frame.FramePayload

    private enum State {
        case awaitingHeaders
        case receiving(GRPCCallRules.Method, ByteBuffer)
        /// Answered (or answering): anything more the client sends is dropped.
        case answered
    }

    private let ingestor: OTLPIngestor
    private let rules: GRPCCallRules
    private let health: HealthState?
    private var state = State.awaitingHeaders
    /// Bytes reserved with the memory limiter for the message being received.
    private var reserved = 0
    private var perByte = 1

    init(ingestor: OTLPIngestor, rules: GRPCCallRules, health: HealthState?) {
        self.ingestor = ingestor
        self.rules = rules
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .headers(let headers):
            switch state {
            case .awaitingHeaders:
                switch rules.route(headers.headers) {
                case .success(let method):
                    if case .export = method, ingestor.memoryLimiter?.isRefusing == true {
                        return refuse(GRPCRefusal(.memoryLimited), context: context)
                    }
                    perByte = ingestor.reservation(perMessageByte: method)
                    state = .receiving(method, context.channel.allocator.buffer(capacity: 0))
                    if headers.endStream { finish(context: context) }
                case .failure(let refusal):
                    refuse(refusal, context: context)
                }
            case .receiving:
                // Request trailers: only their end of stream matters.
                if headers.endStream { finish(context: context) }
            case .answered:
                return
            }
        case .data(let frame):
            guard case .receiving(let method, var buffer) = state else { return }
            guard case .byteBuffer(var part) = frame.data else { return }
            state = .answered  // drop the reference while mutating, so the buffer is not copied
            let size = buffer.readableBytes + part.readableBytes
            buffer.writeBuffer(&part)
            let announced = buffer.withUnsafeReadableBytes { GRPCFrame.announcedLength($0) }
            if let announced, announced > rules.maxMessageSize || size > GRPCFrame.prefixSize + rules.maxMessageSize {
                release()
                return refuse(GRPCRefusal(.bodyTooLarge(limit: rules.maxMessageSize)), context: context)
            }
            if size * perByte > reserved, !reserve(size * perByte - reserved) {
                release()
                return refuse(GRPCRefusal(.memoryLimited), context: context)
            }
            state = .receiving(method, buffer)
            if frame.endStream { finish(context: context) }
        default:
            return
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
    }

    /// The request is complete: decode, queue and answer it.
    private func finish(context: ChannelHandlerContext) {
        guard case .receiving(let method, let body) = state else { return }
        state = .answered
        defer { release() }
        let message: GRPCFrame.Message
        do {
            message = try body.withUnsafeReadableBytes { bytes throws(GRPCFramingError) in try GRPCFrame.unaryMessage(bytes) }
        } catch {
            return refuse(GRPCRefusal(.malformedGRPCMessage(error.reason)), context: context)
        }
        let declared: OTLPIngestor.ContentCoding
        switch method {
        case .export(let coding, _), .healthCheck(let coding): declared = coding
        }
        if message.compressed, declared == .identity {
            return refuse(
                GRPCRefusal(.malformedGRPCMessage("the message is flagged compressed but grpc-encoding is identity")),
                context: context)
        }
        let coding = message.compressed ? declared : .identity
        let bytes = body.getSlice(at: body.readerIndex + message.offset, length: message.length)!
        switch method {
        case .healthCheck:
            answerHealth(bytes, context: context)
        case .export(_, let signal):
            let outcome = ingestor.ingest(
                bytes, encoding: .protobuf, coding: coding, limit: rules.maxMessageSize, signal: signal,
                on: context.eventLoop)
            switch outcome {
            case .immediate(let answer):
                self.answer(answer, context: context)
            case .deferred(let answer):
                answer.assumeIsolated().whenSuccess { self.answer($0, context: context) }
            }
        }
    }

    private func answer(_ answer: OTLPIngestor.ExportAnswer, context: ChannelHandlerContext) {
        switch answer {
        case .accepted(let rejected):
            respond(OTLPResponseEncoder.exportResponse(rejected: rejected), context: context)
        case .refused(let error):
            refuse(GRPCRefusal(error), context: context)
        }
    }

    /// `grpc.health.v1.Health/Check`: serving while the collector is ready,
    /// for the whole server ("") and for the metrics service; others are unknown.
    private func answerHealth(_ request: ByteBuffer, context: ChannelHandlerContext) {
        guard let service = request.withUnsafeReadableBytes({ GRPCHealthMessages.service(in: $0) }) else {
            return refuse(GRPCRefusal(.malformedGRPCMessage("not a HealthCheckRequest")), context: context)
        }
        guard service.isEmpty || service == GRPCPaths.metricsService else {
            let headers = GRPCAnswer.trailersOnly(status: .notFound, message: "unknown service \(service)")
            ingestor.recordAnswer(grpc: .notFound)
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
            return
        }
        let ready = health?.isReady ?? true
        respond(GRPCHealthMessages.response(ready ? .serving : .notServing), context: context)
    }

    /// The framed empty message: the answer to most exports (nothing refused).
    private static let emptyMessage = ByteBuffer(bytes: GRPCFrame.framed([]))

    /// A successful answer: headers, the framed response message, `grpc-status: 0`.
    private func respond(_ message: [UInt8], context: ChannelHandlerContext) {
        ingestor.recordAnswer(grpc: .ok)
        context.write(wrapOutboundOut(.headers(.init(headers: GRPCAnswer.responseHeaders))), promise: nil)
        let framed = message.isEmpty ? Self.emptyMessage : ByteBuffer(bytes: GRPCFrame.framed(message))
        context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(framed)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: GRPCAnswer.okTrailers, endStream: true))), promise: nil)
    }

    /// Answers a refusal in one header block and drops the rest of the request.
    private func refuse(_ refusal: GRPCRefusal, context: ChannelHandlerContext) {
        state = .answered
        if case .unsupportedSignal(let signal) = refusal.error { ingestor.recordUnsupported(signal) }
        ingestor.recordAnswer(grpc: refusal.error.grpcStatus)
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: refusal.headers, endStream: true))), promise: nil)
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
