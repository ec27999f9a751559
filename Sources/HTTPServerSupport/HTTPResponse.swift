import NIOCore
import NIOHTTP1

/// A complete HTTP response, built by request logic and written by a handler.
package struct HTTPResponse: Sendable {
    package var status: HTTPResponseStatus { didSet { keptAliveHead = nil } }
    package var headers: HTTPHeaders { didSet { keptAliveHead = nil } }
    package var body: ByteBuffer { didSet { keptAliveHead = nil } }
    /// The head as written on a kept-alive connection, when built ahead by
    /// ``prepared(status:headers:body:)``; any change to the response drops it.
    private var keptAliveHead: HTTPResponseHead?

    package init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response sent over and over (an accepted export): its head, with
    /// `Content-Length`, is built once here rather than for every answer.
    package static func prepared(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers, body: body)
        response.keptAliveHead = response.head(keepAlive: true)
        return response
    }

    private func head(keepAlive: Bool) -> HTTPResponseHead {
        var head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive {
            head.headers.replaceOrAdd(name: "Connection", value: "close")
        }
        return head
    }

    /// A `text/plain` response carrying a short reason.
    package static func text(_ status: HTTPResponseStatus, _ message: String, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var response = HTTPResponse(status: status, headers: headers, body: ByteBuffer(string: message + "\n"))
        response.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=utf-8")
        return response
    }

    /// Answers a request before its body has been read (`413` from the head,
    /// a refused `Expect: 100-continue`), then half-closes: the client gets
    /// the answer and an end of stream rather than a reset, as it would if
    /// the connection were closed with its unread body still arriving
    /// (RFC 9112 §9.6). The caller reads and drops the rest of the request
    /// and closes at its end (once the returned future, the answer written,
    /// completes); the connection is closed after `linger` anyway.
    @discardableResult
    package func writeEarly(
        to context: ChannelHandlerContext, linger: TimeAmount = .seconds(5), wrap: (HTTPServerResponsePart) -> NIOAny
    ) -> EventLoopFuture<Void> {
        let channel = context.channel
        let done = context.eventLoop.makePromise(of: Void.self)
        write(to: context, keepAlive: false, closing: false, done: done, wrap: wrap)
        done.futureResult.flatMap {
            channel.close(mode: .output)
        }.whenComplete { result in
            if case .failure = result {
                channel.close(promise: nil)
            } else {
                channel.eventLoop.scheduleTask(in: linger) { channel.close(promise: nil) }
            }
        }
        return done.futureResult
    }

    /// Writes the response; closes the connection afterwards unless `keepAlive`.
    package func write(to context: ChannelHandlerContext, keepAlive: Bool, wrap: (HTTPServerResponsePart) -> NIOAny) {
        write(to: context, keepAlive: keepAlive, closing: !keepAlive, done: nil, wrap: wrap)
    }

    private func write(
        to context: ChannelHandlerContext, keepAlive: Bool, closing: Bool, done: EventLoopPromise<Void>?,
        wrap: (HTTPServerResponsePart) -> NIOAny
    ) {
        let head = keepAlive ? keptAliveHead ?? head(keepAlive: true) : head(keepAlive: false)
        context.write(wrap(.head(head)), promise: nil)
        if body.readableBytes > 0 {
            context.write(wrap(.body(.byteBuffer(body))), promise: nil)
        }
        // A kept-alive answer needs no promise (one allocation per request saved).
        guard closing || done != nil else {
            context.writeAndFlush(wrap(.end(nil)), promise: nil)
            return
        }
        let done = done ?? context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrap(.end(nil)), promise: done)
        if closing {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
