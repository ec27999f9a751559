import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server for tests that plays a receiver: it records every
/// request (path, headers, body, arrival time) and answers each as a
/// script says: a status with headers, or no answer at all (a hang).
public final class ScriptedHTTPServer: Sendable {
    public enum Reply: Sendable {
        case status(Int, headers: [(String, String)] = [])
        /// Read the request, never answer.
        case hang
    }

    public struct Received: Sendable {
        public var path: String
        public var headers: [(String, String)]
        public var body: [UInt8]
        public var arrival: ContinuousClock.Instant

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private final class State: Sendable {
        let lock: Mutex<(received: [Received], script: @Sendable (Int) -> Reply)>
        init(script: @escaping @Sendable (Int) -> Reply) { lock = Mutex(([], script)) }
    }

    private let state: State

    /// The port it listens on (127.0.0.1).
    public let port: Int

    /// `script` answers request number n (0 first).
    public init(script: @escaping @Sendable (Int) -> Reply) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = State(script: script)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.group = group
        self.channel = channel
        self.state = state
        port = channel.localAddress?.port ?? 0
    }

    /// Replaces the script (request numbers keep counting).
    public func answer(with script: @escaping @Sendable (Int) -> Reply) {
        state.lock.withLock { $0.script = script }
    }

    public var received: [Received] { state.lock.withLock { $0.received } }

    /// Waits until `count` requests arrived; false on timeout.
    public func waitForRequests(_ count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if received.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return received.count >= count
    }

    public func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let state: State
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(state: State) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let request = Received(
                    path: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body, arrival: .now)
                let reply = state.lock.withLock { state in
                    state.received.append(request)
                    return state.script(state.received.count - 1)
                }
                guard case .status(let code, let extra) = reply else { return }
                let text = code >= 300 ? "err \(code)\n" : ""
                var headers = HTTPHeaders(extra)
                headers.add(name: "Content-Length", value: "\(text.utf8.count)")
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: code), headers: headers))),
                    promise: nil)
                if !text.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
