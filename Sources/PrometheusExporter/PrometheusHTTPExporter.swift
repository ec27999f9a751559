import HTTPServerSupport
import Logging
import NIOCore
import OpenSREPipeline

/// The Prometheus exporter's HTTP side: `GET /metrics` on the configured endpoint.
package final class PrometheusHTTPExporter: Sendable {
    private let server: HTTPServer

    package init(
        configuration: PrometheusExporterConfiguration, group: any EventLoopGroup, processor: BatchProcessor,
        health: HealthState? = nil, logger: Logger
    ) {
        let allowOpenMetrics = configuration.exposition.enableOpenMetrics
        let ui = configuration.ui
        server = HTTPServer(
            group: group, endpoint: configuration.endpoint, timeouts: configuration.timeouts, tls: configuration.tls,
            maxConnections: configuration.maxConnections, logger: logger
        ) { _ in
            MetricsHTTPHandler(processor: processor, allowOpenMetrics: allowOpenMetrics, ui: ui, health: health)
        }
    }

    /// Starts listening; returns the bound port.
    @discardableResult
    package func start() async throws -> Int { try await server.start() }

    /// Stops accepting and finishes in-flight scrapes.
    package func shutdown() async { await server.shutdown() }

    package var port: Int? { server.port }
}
