import NIOCore
import NIOHTTP1
import NIOHTTP2

/// The first handler of each HTTP/2 stream, in front of the gRPC handler the
/// stream starts with. A gRPC call (a `content-type` of `application/grpc…`)
/// passes straight through, so the common case changes no pipeline. Any other
/// request is an ordinary HTTP request carried by HTTP/2 (curl and Go clients
/// negotiate h2 over TLS on their own): the gRPC handler is swapped for the
/// HTTP/2-to-HTTP/1 codec and the handler HTTP/1.1 connections get. Decided on
/// the request's first header block. Confined to the stream's event loop.
final class HTTP2StreamRouter: ChannelInboundHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload

    private let grpcHandler: any RemovableChannelHandler
    private let makeHTTPHandler: (any Channel) -> any ChannelHandler
    private var decided = false

    init(grpcHandler: any RemovableChannelHandler, http makeHTTPHandler: @escaping (any Channel) -> any ChannelHandler) {
        self.grpcHandler = grpcHandler
        self.makeHTTPHandler = makeHTTPHandler
    }

    static func isGRPC(_ headers: HTTP2Frame.FramePayload.Headers) -> Bool {
        MediaType.essence(of: headers.headers.first(name: "content-type") ?? "").hasPrefix("application/grpc")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !decided {
            decided = true
            guard case .headers(let headers) = unwrapInboundIn(data) else {
                context.close(promise: nil)  // a stream starts with its headers
                return
            }
            if !Self.isGRPC(headers) {
                let channel = context.channel
                let handlers = channel.pipeline.syncOperations
                do {
                    try handlers.addHandler(HTTP2FramePayloadToHTTP1ServerCodec(), position: .after(grpcHandler))
                    try handlers.addHandler(makeHTTPHandler(channel), position: .last)
                    handlers.removeHandler(grpcHandler, promise: nil)
                } catch {
                    context.close(promise: nil)
                    return
                }
            }
        }
        context.fireChannelRead(data)
    }
}
