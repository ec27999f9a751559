import NIOCore
import NIOHTTP1
import NIOHTTP2

/// The first handler of each HTTP/2 stream: gRPC calls (a `content-type` of
/// `application/grpc…`) go to the gRPC handler; any other request is an
/// ordinary HTTP request carried by HTTP/2 (curl and Go clients negotiate h2
/// over TLS on their own) and goes, translated to HTTP/1 parts, to the same
/// handler HTTP/1.1 connections get. Decided on the request's first header
/// block, after which the router steps aside. Confined to the stream's loop.
final class HTTP2StreamRouter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload

    private let makeGRPCHandler: (any Channel) -> any ChannelHandler
    private let makeHTTPHandler: (any Channel) -> any ChannelHandler

    init(
        grpc makeGRPCHandler: @escaping (any Channel) -> any ChannelHandler,
        http makeHTTPHandler: @escaping (any Channel) -> any ChannelHandler
    ) {
        self.makeGRPCHandler = makeGRPCHandler
        self.makeHTTPHandler = makeHTTPHandler
    }

    static func isGRPC(_ headers: HTTP2Frame.FramePayload.Headers) -> Bool {
        MediaType.essence(of: headers.headers.first(name: "content-type") ?? "").hasPrefix("application/grpc")
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .headers(let headers) = unwrapInboundIn(data) else {
            context.close(promise: nil)  // a stream starts with its headers
            return
        }
        let channel = context.channel
        let handlers = channel.pipeline.syncOperations
        do {
            if Self.isGRPC(headers) {
                try handlers.addHandler(makeGRPCHandler(channel))
            } else {
                try handlers.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                try handlers.addHandler(makeHTTPHandler(channel))
            }
        } catch {
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
        handlers.removeHandler(context: context, promise: nil)
    }
}
