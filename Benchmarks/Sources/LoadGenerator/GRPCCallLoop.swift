import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

/// OTLP/gRPC Export calls as the load generator sends them.
enum GRPCRequest {
    static let exportPath = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"
    static let traceExportPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export"

    /// The call's request head, in the HTTP/1 form that
    /// `HTTP2FramePayloadToHTTP1ClientCodec` turns into `:method`, `:path`,
    /// `:scheme` and `:authority` (from `host`).
    static func head(host: String, encoding: String?, signal: Signal = .metrics) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http2, method: .POST, uri: signal == .traces ? traceExportPath : exportPath)
        head.headers.add(name: "host", value: host)
        head.headers.add(name: "content-type", value: "application/grpc")
        head.headers.add(name: "te", value: "trailers")
        if let encoding { head.headers.add(name: "grpc-encoding", value: encoding) }
        return head
    }

    /// A length-prefixed message: the compressed flag, the big-endian length, the message.
    static func framed(_ message: [UInt8], compressed: Bool) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(5 + message.count)
        buffer.writeInteger(UInt8(compressed ? 1 : 0))
        buffer.writeInteger(UInt32(message.count), endianness: .big)
        buffer.writeBytes(message)
        return buffer
    }

    /// A call that ended without an answer (stream reset, connection lost).
    static let noAnswer = -1

    /// The call's gRPC status: `grpc-status` when the server sent one, else
    /// the HTTP status mapped as gRPC clients map it
    /// (grpc/grpc doc/http-grpc-status-mapping.md).
    static func status(httpStatus: Int, grpcStatus: String?) -> Int {
        if let grpcStatus, let code = Int(grpcStatus) { return code }
        switch httpStatus {
        case 400: return 13  // INTERNAL
        case 401: return 16  // UNAUTHENTICATED
        case 403: return 7  // PERMISSION_DENIED
        case 404: return 12  // UNIMPLEMENTED
        case 429, 502, 503, 504: return 14  // UNAVAILABLE
        default: return 2  // UNKNOWN (also a 200 without grpc-status)
        }
    }
}

/// Connects over cleartext HTTP/2 (prior knowledge, as OTLP SDKs do) and runs
/// `plan` as unary calls; the future completes when the connection closes.
func connectGRPC(group: any EventLoopGroup, to target: Endpoint, plan: any RequestPlan & Sendable) throws
    -> EventLoopFuture<Void>
{
    let channel = try ClientBootstrap(group: group)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let multiplexer = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                    mode: .client, connectionConfiguration: .init(), streamConfiguration: .init()
                ) { pushed in
                    pushed.close()  // servers do not push to gRPC clients; nothing is expected here
                }
                let loop = GRPCCallLoop(plan: plan, connection: channel, multiplexer: multiplexer)
                try channel.pipeline.syncOperations.addHandler(GRPCCallLoop.Starter(loop: loop))
            }
        }
        .connect(host: target.host, port: target.port).wait()
    return channel.closeFuture
}

/// One HTTP/2 connection's share of a run: the plan's calls one at a time,
/// each on a new stream, as RequestLoopHandler does for HTTP/1.1. A call
/// planned for a time already past goes out at once, and its latency is still
/// measured from the planned time (no coordinated omission). Confined to the
/// connection's event loop (its streams share it).
final class GRPCCallLoop {
    private let plan: any RequestPlan
    private let connection: any Channel
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer

    init(plan: any RequestPlan, connection: any Channel, multiplexer: NIOHTTP2Handler.StreamMultiplexer) {
        self.plan = plan
        self.connection = connection
        self.multiplexer = multiplexer
    }

    /// Starts the first call once the connection (and its preface) is up.
    final class Starter: ChannelInboundHandler {
        typealias InboundIn = Never
        private let loop: GRPCCallLoop
        init(loop: GRPCCallLoop) { self.loop = loop }

        func channelActive(context: ChannelHandlerContext) {
            context.fireChannelActive()
            loop.sendNext()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    func sendNext() {
        let now = Clock.now()
        guard let request = plan.next(now: now) else {
            connection.close(promise: nil)
            return
        }
        if request.at > now {
            let bound = NIOLoopBound(self, eventLoop: connection.eventLoop)
            connection.eventLoop.scheduleTask(in: .nanoseconds(Int64(request.at - now))) {
                bound.value.open(request)
            }
        } else {
            open(request)
        }
    }

    private func open(_ request: PlannedRequest) {
        let bound = NIOLoopBound(self, eventLoop: connection.eventLoop)
        let requestBox = NIOLoopBound(request, eventLoop: connection.eventLoop)
        let opened = connection.eventLoop.makePromise(of: (any Channel).self)
        opened.futureResult.whenFailure { _ in
            // No stream: the connection is going away. Count the call and stop here.
            bound.value.plan.completed(status: GRPCRequest.noAnswer, bodyBytes: 0, intended: request.at, now: Clock.now())
            bound.value.connection.close(promise: nil)
        }
        multiplexer.createStreamChannel(promise: opened) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .http))
                try stream.pipeline.syncOperations.addHandler(GRPCCallHandler(loop: bound.value, request: requestBox.value))
            }
        }
    }

    /// A call ended: record it and send the next.
    fileprivate func completed(status: Int, bodyBytes: Int, intended: UInt64) {
        plan.completed(status: status, bodyBytes: bodyBytes, intended: intended, now: Clock.now())
        sendNext()
    }
}

/// One call's stream: sends the request, reads the answer's `grpc-status`.
private final class GRPCCallHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let loop: GRPCCallLoop
    private let request: PlannedRequest
    private var sent = false
    private var finished = false
    private var httpStatus = 0
    private var grpcStatus: String?
    private var bodyBytes = 0

    init(loop: GRPCCallLoop, request: PlannedRequest) {
        self.loop = loop
        self.request = request
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { send(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        send(context: context)
        context.fireChannelActive()
    }

    private func send(context: ChannelHandlerContext) {
        guard !sent else { return }
        sent = true
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let body = request.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            httpStatus = Int(head.status.code)
            // A Trailers-Only answer (a refusal) has its status in the only header block.
            grpcStatus = head.headers.first(name: "grpc-status")
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
        case .end(let trailers):
            if let status = trailers?.first(name: "grpc-status") { grpcStatus = status }
            finish(GRPCRequest.status(httpStatus: httpStatus, grpcStatus: grpcStatus))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(GRPCRequest.noAnswer)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(GRPCRequest.noAnswer)
        context.fireChannelInactive()
    }

    private func finish(_ status: Int) {
        guard !finished else { return }
        finished = true
        loop.completed(status: status, bodyBytes: bodyBytes, intended: request.at)
    }
}
