import NIOCore
import NIOTLS

/// Tells an HTTP/2 connection from an HTTP/1.x one by its first bytes, then
/// hands the connection to the matching pipeline and steps aside.
///
/// Every HTTP/2 connection starts with the fixed preface `PRI * HTTP/2.0`…,
/// which no HTTP/1.x request can start with (`PRI` is reserved for it), so
/// one listener serves both: an OTLP/gRPC exporter pointed at the HTTP port
/// (or the other way round) still lands. The decision is made at the first
/// byte that differs from the preface, or once the whole preface is in.
/// Confined to its channel's event loop.
final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private var buffered: ByteBuffer?
    private let silence: TimeAmount?
    private var timer: Scheduled<Void>?
    private let configure: (any Channel, WireProtocol) throws -> Void

    /// - Parameters:
    ///   - silence: a connection that sends nothing for this long is closed.
    ///   - configure: adds the chosen protocol's handlers after this one.
    init(silence: TimeAmount?, configure: @escaping (any Channel, WireProtocol) throws -> Void) {
        self.silence = silence
        self.configure = configure
    }

    /// What the bytes so far say: nil while they are still a prefix of the preface.
    static func decide(_ bytes: ByteBuffer) -> WireProtocol? {
        let view = bytes.readableBytesView
        for (offset, byte) in zip(Self.preface.indices, view) where byte != Self.preface[offset] {
            return .http1
        }
        return view.count >= Self.preface.count ? .http2 : nil
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if buffered == nil {
            buffered = part
        } else {
            buffered!.writeBuffer(&part)
        }
        guard let chosen = Self.decide(buffered!) else { return }
        hand(context, to: chosen)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // TLS chose HTTP/2 by ALPN: no preface sniffing needed, the bytes will be HTTP/2's.
        if let event = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = event, negotiated == "h2" {
            hand(context, to: .http2)
        } else if event is ChannelShouldQuiesceEvent {
            // Shutting down before the connection said anything: nothing is in flight.
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        context.fireChannelInactive()
    }

    private func hand(_ context: ChannelHandlerContext, to chosen: WireProtocol) {
        timer?.cancel()
        timer = nil
        do {
            try configure(context.channel, chosen)
        } catch {
            context.close(promise: nil)
            return
        }
        // The bytes read so far go to the new handlers first, then this one leaves.
        if let bytes = buffered {
            buffered = nil
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard timer == nil, let silence else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: silence) { channel.close(promise: nil) }
    }
}
