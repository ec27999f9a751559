import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A response as the test client saw it.
package struct TestHTTPResponse: Sendable {
    package var status: HTTPResponseStatus
    package var headers: HTTPHeaders
    package var body: [UInt8]

    package var text: String { String(decoding: body, as: UTF8.self) }
}

/// A small HTTP/1.1 client over one keep-alive connection: requests are sent
/// one after the other and answered in order. Good enough for tests; real
/// clients (the OpenTelemetry SDK, Prometheus, curl) are used end to end.
package final class TestHTTPConnection: Sendable {
    private let channel: any Channel

    package static func connect(host: String = "127.0.0.1", port: Int) async throws -> TestHTTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: host, port: port).get()
        return TestHTTPConnection(channel: channel)
    }

    private init(channel: any Channel) {
        self.channel = channel
    }

    package func request(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws -> TestHTTPResponse {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: "localhost")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if !body.isEmpty || method == .POST {
            head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        }
        let promise = OncePromise(channel.eventLoop.makePromise(of: TestHTTPResponse.self))
        let request = PendingRequest(head: head, body: body, promise: promise)
        do {
            try await channel.writeAndFlush(request).get()
        } catch {
            // The write may never have reached the handler (the server closed):
            // complete the promise, which would otherwise leak.
            promise.fail(error)
            throw error
        }
        return try await promise.future.get()
    }

    /// Whether the server has closed the connection.
    package var isClosed: Bool {
        get async {
            (try? await channel.closeFuture.map { true }.get()) ?? true
        }
    }

    package var isActive: Bool { channel.isActive }

    package func close() async {
        try? await channel.close().get()
    }

    /// One request on a fresh connection.
    package static func send(
        port: Int, _ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws -> TestHTTPResponse {
        let connection = try await connect(port: port)
        defer { Task { await connection.close() } }
        return try await connection.request(method, path, headers: headers, body: body)
    }
}

struct PendingRequest: Sendable {
    var head: HTTPRequestHead
    var body: [UInt8]
    var promise: OncePromise
}

/// A promise that may be completed from two places; only the first counts.
final class OncePromise: Sendable {
    private let promise: EventLoopPromise<TestHTTPResponse>
    private let done = NIOLockedValueBox(false)

    init(_ promise: EventLoopPromise<TestHTTPResponse>) {
        self.promise = promise
    }

    var future: EventLoopFuture<TestHTTPResponse> { promise.futureResult }

    func succeed(_ value: TestHTTPResponse) {
        if claim() { promise.succeed(value) }
    }

    func fail(_ error: any Error) {
        if claim() { promise.fail(error) }
    }

    private func claim() -> Bool {
        done.withLockedValue { done in
            defer { done = true }
            return !done
        }
    }
}

/// Writes requests and completes their promises in order.
private final class ResponseCollector: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var waiting: [OncePromise] = []
    private var current: (HTTPResponseHead, [UInt8])?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        waiting.append(request.promise)
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if !request.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: request.body)))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            current = (head, [])
        case .body(let buffer):
            current?.1.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let (head, body) = current, !waiting.isEmpty else { return }
            current = nil
            waiting.removeFirst().succeed(TestHTTPResponse(status: head.status, headers: head.headers, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        for promise in waiting { promise.fail(ChannelError.ioOnClosedChannel) }
        waiting.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        for promise in waiting { promise.fail(error) }
        waiting.removeAll()
        context.close(promise: nil)
    }
}
