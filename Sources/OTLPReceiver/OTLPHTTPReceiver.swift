import HTTPServerSupport
import Logging
import NIOCore
import OpenSREPipeline
import Synchronization

/// The OTLP/HTTP metrics receiver: `POST /v1/metrics` with protobuf bodies,
/// plain or gzip, answered with `ExportMetricsServiceResponse`.
package final class OTLPHTTPReceiver: Sendable {
    private let server: HTTPServer

    package init(
        configuration: OTLPHTTPConfiguration, group: any EventLoopGroup, processor: BatchProcessor,
        health: HealthState? = nil, logger: Logger
    ) {
        let ingestors = IngestorRegistry(processor: processor, configuration: configuration)
        server = HTTPServer(
            group: group, endpoint: configuration.endpoint, timeouts: configuration.timeouts, tls: configuration.tls,
            maxConnections: configuration.maxConnections, logger: logger
        ) { channel in
            OTLPHTTPHandler(ingestor: ingestors.ingestor(for: channel.eventLoop), health: health)
        }
    }

    /// Starts listening; returns the bound port.
    @discardableResult
    package func start() async throws -> Int { try await server.start() }

    /// Stops accepting and finishes in-flight requests.
    package func shutdown() async { await server.shutdown() }

    package var port: Int? { server.port }
}

/// One ``OTLPIngestor`` per event loop, each feeding its own ring.
private final class IngestorRegistry: Sendable {
    private let processor: BatchProcessor
    private let configuration: OTLPHTTPConfiguration
    private let ingestors = Mutex<[ObjectIdentifier: IngestorBox]>([:])

    init(processor: BatchProcessor, configuration: OTLPHTTPConfiguration) {
        self.processor = processor
        self.configuration = configuration
    }

    /// Called on `loop` when a connection opens (not per request).
    func ingestor(for loop: any EventLoop) -> OTLPIngestor {
        ingestors.withLock { boxes in
            let key = ObjectIdentifier(loop as AnyObject)
            if let box = boxes[key] { return box.ingestor }
            let box = IngestorBox(
                OTLPIngestor(processor: processor, ring: boxes.count, configuration: configuration))
            boxes[key] = box
            return box.ingestor
        }
    }
}

/// Lets the registry hold ingestors; each one is only ever used on its own event loop.
private final class IngestorBox: @unchecked Sendable {
    let ingestor: OTLPIngestor
    init(_ ingestor: OTLPIngestor) { self.ingestor = ingestor }
}
