import Logging
import NIOCore
import NIOPosix
import OTLPReceiver
import OpenSREConfig
import HTTPServerSupport
import OpenSREPipeline
import PrometheusExporter
import ServiceLifecycle

/// The assembled collector: OTLP receiver (HTTP and gRPC) → batching
/// processor → Prometheus exporter, sharing one event loop group.
///
/// Lifecycle (as the OpenTelemetry Collector does it): start downstream first
/// (processor, exporter, receiver), stop upstream first — the receiver stops
/// accepting and finishes in-flight requests, the exporter finishes its
/// scrapes, then the processor folds in everything still queued.
package final class Collector: Sendable {
    package let processor: BatchProcessor
    package let receiver: OTLPReceiverServer
    package let exporter: PrometheusHTTPExporter
    /// `/healthz` and `/readyz` on both listeners.
    package let health = HealthState()
    private let logger: Logger
    private let shutdownGracePeriod: Duration

    /// - Parameter group: the event loops serving both listeners; one ring per loop.
    package init(configuration: CollectorConfiguration, group: MultiThreadedEventLoopGroup, logger: Logger) {
        self.logger = logger
        shutdownGracePeriod = configuration.exporter.shutdownGracePeriod
        // The receiver counts its requests; the processor's self-metrics show them.
        let receiverCounters = CollectorCounters()
        var processorLogger = logger
        processorLogger[metadataKey: "component"] = "processor.batch"
        processor = BatchProcessor(
            rings: group.makeIterator().reduce(0) { count, _ in count + 1 },
            configuration: configuration.batching, settings: configuration.exporter.exposition,
            slo: configuration.slo, golden: configuration.goldenSignals, memoryLimiter: configuration.memoryLimiter,
            receiverCounters: receiverCounters, logger: processorLogger)
        var receiverLogger = logger
        receiverLogger[metadataKey: "component"] = "receiver.otlp"
        receiver = OTLPReceiverServer(
            configuration: configuration.receiver, grpcConfiguration: configuration.grpcReceiver, group: group,
            processor: processor, counters: receiverCounters, health: health, logger: receiverLogger)
        var exporterLogger = logger
        exporterLogger[metadataKey: "component"] = "exporter.prometheus"
        exporter = PrometheusHTTPExporter(
            configuration: configuration.exporter, group: group, processor: processor, health: health,
            logger: exporterLogger)
    }

    /// Starts every component; returns the bound receiver and exporter ports.
    @discardableResult
    package func start() async throws -> (receiver: Int, exporter: Int) {
        processor.start()
        do {
            let exporterPort = try await exporter.start()
            let receiverPort = try await receiver.start().http
            health.markReady()
            return (receiverPort, exporterPort)
        } catch {
            // Both servers, bound or not, so neither outlives the event loops.
            await receiver.shutdown()
            await exporter.shutdown()
            await processor.stop()
            throw error
        }
    }

    /// Stops every component, upstream first: the receiver stops accepting
    /// (in-flight requests finish; HTTP/2 connections get GOAWAY), the exporter serves one final scrape
    /// (bounded by `shutdown_grace_period`), then the processor stops.
    package func shutdown() async {
        health.markNotReady()
        await receiver.shutdown()
        let scrapes = processor.scrapeCount
        let deadline = ContinuousClock.now + shutdownGracePeriod
        if shutdownGracePeriod > .zero {
            logger.info("waiting for a final scrape", metadata: ["grace": "\(shutdownGracePeriod)"])
            _ = await processor.waitForScrape(after: scrapes, until: deadline)
        }
        await exporter.shutdown()
        await processor.stop()
        logger.info("collector stopped")
    }

    /// Raises the soft open-file limit to the hard one (call once, from
    /// `main`); returns the soft limit in force. Each listener's
    /// `max_connections` is then fitted within it when it starts.
    @discardableResult
    package static func raiseOpenFileLimit() -> UInt64 { ConnectionLimit.raiseOpenFileLimit() }

    /// The collector as one service for a `ServiceGroup`: runs until graceful
    /// shutdown (SIGTERM/SIGINT), then stops in order.
    package var service: some Service { CollectorService(collector: self) }
}
