import HTTPServerSupport
import Logging
import NIOCore
import NIOHTTP2
import OTLPDecoding
import OpenSREPipeline

/// The OTLP receiver: OTLP/HTTP (`POST /v1/metrics`, and `/v1/traces` with
/// span metrics) on the HTTP endpoint and OTLP/gRPC (`MetricsService/Export`,
/// `TraceService/Export`) on the gRPC endpoint, into the same ingestors (one
/// per event loop, each feeding its ring).
///
/// Each port also serves the other transport, told apart by the connection's
/// first bytes (see `ProtocolSniffer`): an exporter pointed at the wrong port
/// still lands. A call is checked against its protocol's settings (size
/// limits, bearer token) whichever port it came in on; TLS is the port's.
package final class OTLPReceiverServer: Sendable {
    private let http: HTTPServer
    private let grpc: HTTPServer?
    /// What this receiver answered and refused, counted by its ingestors on
    /// their event loops (the self-metrics show them).
    package let counters: CollectorCounters

    /// - Parameter grpcConfiguration: nil when `grpc:` is not configured; gRPC
    ///   calls on the HTTP port then use gRPC's defaults with the HTTP token.
    package init(
        configuration: OTLPHTTPConfiguration, grpcConfiguration: OTLPGRPCConfiguration?, group: any EventLoopGroup,
        processor: BatchProcessor, counters: CollectorCounters, health: HealthState? = nil,
        spanMetrics: SpanMetricsRules? = nil, logger: Logger
    ) {
        self.counters = counters
        var grpcSettings = grpcConfiguration ?? OTLPGRPCConfiguration()
        if grpcConfiguration == nil { grpcSettings.bearerToken = configuration.bearerToken }
        let ingestors = IngestorRegistry(
            group: group, processor: processor, configuration: configuration, counters: counters,
            largestGRPCMessage: grpcSettings.maxReceiveMessageSize, spanMetrics: spanMetrics)
        let service = Self.grpcService(
            grpcSettings, ingestors: ingestors, health: health, servesTraces: spanMetrics != nil)
        let makeHTTPHandler: @Sendable (any Channel) -> any ChannelHandler = { channel in
            OTLPHTTPHandler(ingestor: ingestors.ingestor(for: channel.eventLoop), health: health)
        }
        http = HTTPServer(
            group: group, endpoint: configuration.endpoint, timeouts: configuration.timeouts, tls: configuration.tls,
            maxConnections: configuration.maxConnections, http2: service, logger: logger, makeHandler: makeHTTPHandler)
        grpc = grpcConfiguration.map { grpcConfiguration in
            HTTPServer(
                group: group, endpoint: grpcConfiguration.endpoint, timeouts: configuration.timeouts,
                tls: grpcConfiguration.tls, maxConnections: grpcConfiguration.maxConnections, http2: service,
                logger: logger, makeHandler: makeHTTPHandler)
        }
    }

    /// The HTTP/2 side of both ports: the library's HTTP/2 handler with the
    /// gRPC limits, one ``OTLPGRPCStreamHandler`` per call.
    private static func grpcService(
        _ settings: OTLPGRPCConfiguration, ingestors: IngestorRegistry, health: HealthState?, servesTraces: Bool
    ) -> HTTP2Service {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: settings.maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: HPACKDecoderLimits.maxHeaderListSize),
            // A 1 MiB stream window: a large export is not held to 64 KiB per round trip.
            HTTP2Setting(parameter: .initialWindowSize, value: 1 << 20),
        ]
        // The connection's window as large: HTTP/2's 64 KiB default would hold
        // even one 1000-point export (175 KB) to several round trips.
        connection.targetWindowSize = 1 << 20
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.targetWindowSize = 1 << 20
        let rules = GRPCCallRules(
            maxMessageSize: settings.maxReceiveMessageSize, bearerToken: settings.bearerToken, servesTraces: servesTraces)
        let keepalive = settings.keepalive
        return HTTP2Service(
            connection: connection, stream: stream,
            makeConnectionHandler: { channel in
                let handler = GRPCConnectionHandler(keepalive: keepalive)
                return (handler, handler.streamDelegate(on: channel.eventLoop))
            },
            makeStreamHandler: { stream in
                OTLPGRPCStreamHandler(ingestor: ingestors.ingestor(for: stream.eventLoop), rules: rules, health: health)
            })
    }

    /// Starts listening; returns the bound HTTP and gRPC ports.
    @discardableResult
    package func start() async throws -> (http: Int, grpc: Int?) {
        let httpPort = try await http.start()
        let grpcPort = try await grpc?.start()
        return (httpPort, grpcPort)
    }

    /// Stops accepting and finishes in-flight requests and calls (GOAWAY on HTTP/2).
    package func shutdown() async {
        async let grpcDone: Void = grpc?.shutdown() ?? ()
        await http.shutdown()
        await grpcDone
    }

    package var port: Int? { http.port }
    package var grpcPort: Int? { grpc?.port }
}

/// One ``OTLPIngestor`` per event loop, each feeding its own ring, shared by
/// both ports and both transports. All are built up front, one per loop of the
/// group (ring N for the Nth loop), and each is bound to its loop: a lookup
/// takes no lock, and using an ingestor off its loop traps.
private final class IngestorRegistry: Sendable {
    private let ingestors: [ObjectIdentifier: NIOLoopBoundBox<OTLPIngestor>]

    init(
        group: any EventLoopGroup, processor: BatchProcessor, configuration: OTLPHTTPConfiguration,
        counters: CollectorCounters, largestGRPCMessage: Int, spanMetrics: SpanMetricsRules?
    ) {
        var ingestors: [ObjectIdentifier: NIOLoopBoundBox<OTLPIngestor>] = [:]
        for (ring, loop) in group.makeIterator().enumerated() {
            ingestors[ObjectIdentifier(loop as AnyObject)] = NIOLoopBoundBox.makeBoxSendingValue(
                OTLPIngestor(
                    processor: processor, ring: ring, configuration: configuration, counters: counters,
                    largestGRPCMessage: largestGRPCMessage, spanMetrics: spanMetrics),
                eventLoop: loop)
        }
        self.ingestors = ingestors
    }

    /// Called on `loop` when a connection or stream opens (not per request).
    func ingestor(for loop: any EventLoop) -> OTLPIngestor {
        guard let box = ingestors[ObjectIdentifier(loop as AnyObject)] else {
            preconditionFailure("an event loop outside the receiver's group")
        }
        return box.value
    }
}
