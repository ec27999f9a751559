import Dispatch
import Glibc
import Logging
import NIOCore
import Synchronization

/// How many connections one listener holds at once (`max_connections` under
/// `receivers.otlp.protocols.http` and `exporters.prometheus`).
///
/// Every connection is a file descriptor. Without a cap, idle connections
/// exhaust the process's descriptors, and then `accept` fails for both
/// listeners (and for the files the collector opens). With it, a listener at
/// its cap stops accepting: further connections wait in the kernel's backlog
/// and are taken as soon as one closes. Each listener has its own cap, so a
/// flood on the receiver never blocks the exporter's health probes.
package enum ConnectionLimit {
    /// The default `max_connections` per listener: far more than a sidecar or
    /// a scraper needs, and below common descriptor limits once the soft
    /// limit is raised to the hard one (see ``raiseOpenFileLimit()``).
    package static let defaultMaxConnections = 4096

    /// Descriptors kept free for everything that is not a connection (event
    /// loops, listening sockets, SLO state, `/proc` reads, logs).
    package static let reservedDescriptors = 64

    /// The cap a listener applies: `configured`, lowered so that both
    /// listeners together stay within `openFileLimit` minus the reserve.
    package static func effective(configured: Int, openFileLimit: UInt64) -> Int {
        let budget = openFileLimit > UInt64(Int.max) ? Int.max : Int(openFileLimit)
        let share = max((budget - reservedDescriptors) / 2, 1)
        return max(min(configured, share), 1)
    }

    /// The process's soft limit on open files (`RLIMIT_NOFILE`).
    package static func openFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return UInt64.max }
        return UInt64(limit.rlim_cur)  // RLIM_INFINITY is all ones: UInt64.max
    }

    /// Raises the soft open-file limit to the hard one (as Go's runtime does
    /// at start): the soft default of 1024 is a relic that only bites servers.
    /// Returns the soft limit in force afterwards.
    @discardableResult
    package static func raiseOpenFileLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return openFileLimit() }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return openFileLimit()
    }
}

/// In a listener's server pipeline: counts open connections and holds back
/// `read` (that is, `accept`) while the listener is at its cap, resuming when
/// a connection closes. The kernel's backlog keeps the waiting connections.
/// Confined to the listening channel's event loop.
final class ConnectionLimitHandler: ChannelDuplexHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel
    typealias OutboundIn = any Channel

    private let limit: Int
    private let warning: IntervalWarning
    private var open = 0
    private var readHeld = false
    private var context: ChannelHandlerContext?

    init(limit: Int, warning: IntervalWarning) {
        self.limit = limit
        self.warning = warning
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        let loop = context.eventLoop
        let bound = NIOLoopBound(self, eventLoop: loop)
        child.closeFuture.whenComplete { _ in
            loop.execute { bound.value.closed() }
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        guard open < limit else {
            readHeld = true
            warning.note("connection limit reached: new connections wait in the backlog until one closes", ["max_connections": "\(limit)"])
            return
        }
        context.read()
    }

    private func closed() {
        open -= 1
        if readHeld, open < limit, let context {
            readHeld = false
            context.read()
        }
    }
}

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

/// A warning logged at most once per interval, with how often its cause
/// occurred meanwhile (sustained problems are one line per interval, never one per event).
package final class IntervalWarning: Sendable {
    private let logger: Logger
    private let interval: UInt64
    private let state = Mutex<(last: UInt64?, suppressed: Int)>((nil, 0))

    /// - Parameter interval: nanoseconds between two lines (default one minute).
    package init(logger: Logger, interval: UInt64 = 60_000_000_000) {
        self.logger = logger
        self.interval = interval
    }

    /// Records one occurrence; logs `message` if the last line is older than the interval.
    package func note(_ message: @autoclosure () -> String, _ metadata: Logger.Metadata = [:], now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        let occurrences: Int? = state.withLock { state in
            if let last = state.last, now &- last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed + 1
        }
        guard let occurrences else { return }
        var metadata = metadata
        metadata["occurrences"] = "\(occurrences)"
        logger.warning("\(message())", metadata: metadata)
    }
}
