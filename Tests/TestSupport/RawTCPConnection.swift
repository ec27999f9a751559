import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A bare TCP client for misbehaving on purpose (half-sent headers, trickled
/// bodies): sends raw bytes and collects whatever comes back until the server closes.
package final class RawTCPConnection: Sendable {
    private let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    package static func connect(host: String = "127.0.0.1", port: Int) async throws -> RawTCPConnection {
        let received = NIOLockedValueBox<[UInt8]>([])
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
            .connect(host: host, port: port).get()
        return RawTCPConnection(channel: channel, received: received)
    }

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    package func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    package func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// What the server has sent so far.
    package var receivedText: String { String(decoding: received.withLockedValue { $0 }, as: UTF8.self) }

    /// Waits up to `timeout` for the server to close; returns what it sent, and whether it closed.
    package func waitForClose(timeout: Duration) async -> (text: String, closed: Bool) {
        let deadline = ContinuousClock.now + timeout
        while channel.isActive, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return (String(decoding: received.withLockedValue { $0 }, as: UTF8.self), !channel.isActive)
    }

    package func close() async {
        try? await channel.close().get()
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: NIOLockedValueBox<[UInt8]>
        init(received: NIOLockedValueBox<[UInt8]>) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }
}
