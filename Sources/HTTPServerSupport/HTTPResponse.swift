import NIOCore
import NIOHTTP1

/// A complete HTTP response, built by request logic and written by a handler.
package struct HTTPResponse: Sendable {
    package var status: HTTPResponseStatus
    package var headers: HTTPHeaders
    package var body: ByteBuffer

    package init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A `text/plain` response carrying a short reason.
    package static func text(_ status: HTTPResponseStatus, _ message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers, body: ByteBuffer(string: message + "\n"))
        response.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=utf-8")
        return response
    }

    /// Writes the response; closes the connection afterwards unless `keepAlive`.
    package func write(to context: ChannelHandlerContext, keepAlive: Bool, wrap: (HTTPServerResponsePart) -> NIOAny) {
        var head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
        }
        context.write(wrap(.head(head)), promise: nil)
        if body.readableBytes > 0 {
            context.write(wrap(.body(.byteBuffer(body))), promise: nil)
        }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrap(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
