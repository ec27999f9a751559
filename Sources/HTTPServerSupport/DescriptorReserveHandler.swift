import Glibc
import NIOCore

/// In a listener's server pipeline, ahead of NIO's `AcceptBackoffHandler`:
/// keeps one spare descriptor so that running out of descriptors cannot
/// make the accept loop spin.
///
/// With the process out of descriptors, `accept` fails with `EMFILE` and
/// leaves the connection in the backlog; the listening socket stays
/// readable, and NIO (2.101) retries at once, forever: only a successful
/// accept ends its pending read, so its `AcceptBackoffHandler` alone never
/// gets to hold the next one. So on `EMFILE`/`ENFILE` the spare is closed,
/// the next accept succeeds, connections accepted until the spare is back
/// are closed at once (shed), and the backoff handler holds further accepts
/// for a second. While descriptors stay exhausted, waiting connections are
/// shed about one per second, at no measurable CPU cost.
/// Confined to the listening channel's event loop.
final class DescriptorReserveHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = any Channel

    private var spare: Int32 = -1
    /// Set by `EMFILE`/`ENFILE`; until the spare is reopened, every
    /// connection accepted is shed, so the descriptors it takes come back.
    private var exhausted = false

    func handlerAdded(context: ChannelHandlerContext) {
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if spare >= 0 { Glibc.close(spare) }
        spare = -1
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.errnoCode == EMFILE || error.errnoCode == ENFILE {
            exhausted = true
            if spare >= 0 {
                Glibc.close(spare)
                spare = -1
            }
        }
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
        if exhausted {
            // Registered by the accept handler further on; closed right after.
            unwrapInboundIn(data).close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if spare < 0 {
            spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
            if spare >= 0 { exhausted = false }
        }
        context.read()
    }
}
