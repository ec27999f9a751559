import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import OpenSREModel
import Synchronization

/// An HTTP/1.1 listener with keep-alive, pipelining assistance and graceful
/// shutdown (quiescing), shared by the OTLP receiver and the Prometheus exporter;
/// with an ``HTTP2Service`` it also serves HTTP/2 on the same port (told apart
/// by the connection's first bytes or by TLS ALPN, see ``ProtocolSniffer``).
///
/// Request handling is up to the per-connection handler that `makeHandler`
/// builds on the connection's event loop.
package final class HTTPServer: Sendable {
    private let group: any EventLoopGroup
    private let endpoint: Endpoint
    private let logger: Logger
    private let makeHandler: @Sendable (any Channel) -> any ChannelHandler
    private let timeouts: ConnectionTimeouts
    private let tls: ListenerTLS?
    private let maxConnections: Int
    private let http2: HTTP2Service?
    /// Dropped at the end of ``shutdown()``: NIO's helper fails a promise in
    /// its deinit, which hops onto an event loop, so it must not outlive the
    /// loops (released after them, it made NIO report "cannot schedule tasks
    /// on an EventLoop that has already shut down").
    private let quiesce: Mutex<ServerQuiescingHelper?>
    private let channel = Mutex<(any Channel)?>(nil)

    /// - Parameters:
    ///   - makeHandler: called on each new connection's event loop; the handler
    ///     receives `HTTPServerRequestPart`s and writes `HTTPServerResponsePart`s.
    /// - Parameter tls: certificate and key; nil serves plain HTTP.
    /// - Parameter maxConnections: the most connections held at once (lowered
    ///   at start to fit the open-file limit, see ``ConnectionLimit``).
    /// - Parameter http2: also serve HTTP/2 connections on this port; nil serves HTTP/1.x only.
    package init(
        group: any EventLoopGroup, endpoint: Endpoint, timeouts: ConnectionTimeouts = ConnectionTimeouts(),
        tls: ListenerTLS? = nil, maxConnections: Int = ConnectionLimit.defaultMaxConnections,
        http2: HTTP2Service? = nil, logger: Logger,
        makeHandler: @escaping @Sendable (any Channel) -> any ChannelHandler
    ) {
        self.http2 = http2
        self.group = group
        self.endpoint = endpoint
        self.timeouts = timeouts
        self.tls = tls
        self.maxConnections = maxConnections
        self.logger = logger
        self.makeHandler = makeHandler
        self.quiesce = Mutex(ServerQuiescingHelper(group: group))
    }

    /// Binds the listening socket; returns the bound port (useful with port 0).
    @discardableResult
    package func start() async throws -> Int {
        guard let quiesce = self.quiesce.withLock({ $0 }) else { throw HTTPServerError.shutDown }
        let makeHandler = self.makeHandler
        let timeouts = self.timeouts
        let http2 = self.http2
        let tls = try self.tls?.makeContext(applicationProtocols: http2 == nil ? [] : ["h2", "http/1.1"])
        let openFiles = ConnectionLimit.openFileLimit()
        let limit = ConnectionLimit.effective(configured: maxConnections, openFileLimit: openFiles)
        if limit < maxConnections {
            logger.warning(
                "max_connections lowered to fit the open-file limit (both listeners share it, \(ConnectionLimit.reservedDescriptors) descriptors kept free)",
                metadata: ["max_connections": "\(limit)", "configured": "\(maxConnections)", "open_file_limit": "\(openFiles)"])
        }
        let limitWarning = IntervalWarning(logger: logger)
        let acceptWarning = IntervalWarning(logger: logger)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                    // The plain `bind` leaves the backoff out; with the spare
                    // descriptor, running out of them cannot spin the accept loop.
                    try handlers.addHandler(DescriptorReserveHandler())
                    try handlers.addHandler(
                        AcceptBackoffHandler(shouldForwardIOErrorCaught: false) { error in
                            acceptWarning.note(
                                "accepting connections failed; shedding one waiting connection per second until descriptors free up",
                                ["error": "\(error)", "max_connections": "\(limit)"])
                            return AcceptBackoffHandler.defaultBackoffProvider(error: error)
                        })
                    try handlers.addHandler(ConnectionLimitHandler(limit: limit, warning: limitWarning))
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    guard let http2 else {
                        return try Self.configureHTTP1(channel, timeouts: timeouts, makeHandler: makeHandler)
                    }
                    let sniffer = ProtocolSniffer(silence: timeouts.idle) { channel, chosen in
                        switch chosen {
                        case .http1: try Self.configureHTTP1(channel, timeouts: timeouts, makeHandler: makeHandler)
                        case .http2: try http2.configure(channel, makeHTTPHandler: makeHandler)
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(sniffer)
                }
            }
        let bound = try await bootstrap.bind(host: endpoint.host, port: endpoint.port).get()
        channel.withLock { $0 = bound }
        let port = bound.localAddress?.port ?? endpoint.port
        logger.info("listening", metadata: ["endpoint": "\(endpoint.host):\(port)", "tls": "\(tls != nil)"])
        return port
    }

    private static func configureHTTP1(
        _ channel: any Channel, timeouts: ConnectionTimeouts, makeHandler: (any Channel) -> any ChannelHandler
    ) throws {
        let clock = ConnectionClock(timeouts: timeouts)
        let handlers = channel.pipeline.syncOperations
        try handlers.addHandler(ByteArrivalHandler(clock: clock))
        // Response headers are all our own constants: NIO's validator would
        // only re-check them, one more handler on every response part.
        try handlers.configureHTTPServerPipeline(withErrorHandling: true, withOutboundHeaderValidation: false)
        try handlers.addHandler(RequestTimeoutHandler(clock: clock))
        try handlers.addHandler(makeHandler(channel))
    }

    /// The bound port, once started.
    package var port: Int? {
        channel.withLock { $0?.localAddress?.port }
    }

    /// Stops accepting, lets in-flight requests finish, then closes every connection.
    package func shutdown() async {
        defer { quiesce.withLock { $0 = nil } }
        guard let listener = channel.withLock({ $0 }), let helper = quiesce.withLock({ $0 }) else { return }
        let promise = group.next().makePromise(of: Void.self)
        helper.initiateShutdown(promise: promise)
        try? await promise.futureResult.get()
        // The helper may report completion before the listening socket has closed.
        try? await listener.closeFuture.get()
        channel.withLock { $0 = nil }
    }
}
