import Logging
import NIOCore
import NIOPosix
import OTLPDecoding
import OpenSREModel
import OTLPReceiver
import OpenSREConfig
import HTTPServerSupport
import OpenSREPipeline
import PrometheusExporter
import RemoteWriteExporter
import ServiceLifecycle

/// The assembled collector: OTLP receiver (HTTP and gRPC) → batching
/// processor → Prometheus exporter and/or remote-write exporter, sharing one
/// event loop group.
///
/// Lifecycle (as the OpenTelemetry Collector does it): start downstream first
/// (processor, exporters, receiver), stop upstream first — the receiver stops
/// accepting and finishes in-flight requests, the scrape exporter finishes its
/// scrapes, the remote-write exporter sends a last export (and keeps what it
/// could not deliver in its WAL), then the processor folds in everything still queued.
package final class Collector: Sendable {
    package let processor: BatchProcessor
    package let receiver: OTLPReceiverServer
    package let exporter: PrometheusHTTPExporter
    /// Whether `exporter` listens (the pipeline lists `prometheus`).
    private let servesScrapes: Bool
    /// `prometheusremotewrite`, when the pipeline lists it.
    package let remoteWrite: RemoteWriteExporter?
    /// `/healthz` and `/readyz` on both listeners.
    package let health = HealthState()
    private let logger: Logger
    private let shutdownGracePeriod: Duration

    /// - Parameter group: the event loops serving both listeners; one ring per loop.
    /// - Throws: when the remote-write exporter cannot open its WAL or read its TLS files.
    package init(configuration: CollectorConfiguration, group: MultiThreadedEventLoopGroup, logger: Logger) throws {
        self.logger = logger
        shutdownGracePeriod = configuration.exporter.shutdownGracePeriod
        // The receiver counts its requests; the processor's self-metrics show them.
        let spanMetrics = configuration.spanMetrics.map { spans in
            SpanMetricsRules(
                spans,
                cardinality: spans.cardinalityLimit > 0
                    ? SpanCardinalityGuard(
                        limit: spans.cardinalityLimit,
                        expiration: configuration.exporter.exposition.effectiveDerivedExpiration.nanoseconds,
                        clock: { SystemProcessorClock().now() })
                    : nil)
        }
        let receiverCounters = CollectorCounters(spanCardinality: spanMetrics?.cardinality)
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
            processor: processor, counters: receiverCounters, health: health, spanMetrics: spanMetrics,
            logger: receiverLogger)
        var exporterLogger = logger
        exporterLogger[metadataKey: "component"] = "exporter.prometheus"
        exporter = PrometheusHTTPExporter(
            configuration: configuration.exporter, group: group, processor: processor, health: health,
            logger: exporterLogger)
        servesScrapes = configuration.servesScrapes
        if let remoteWriteConfiguration = configuration.remoteWrite {
            var remoteWriteLogger = logger
            remoteWriteLogger[metadataKey: "component"] = "exporter.prometheusremotewrite"
            remoteWrite = try RemoteWriteExporter(
                configuration: remoteWriteConfiguration, processor: processor, group: group, logger: remoteWriteLogger)
        } else {
            remoteWrite = nil
        }
    }

    /// Starts every component; returns the bound receiver and exporter ports
    /// (the exporter's is 0 when the pipeline does not list `prometheus`).
    @discardableResult
    package func start() async throws -> (receiver: Int, exporter: Int) {
        processor.start()
        remoteWrite?.start()
        do {
            let exporterPort = servesScrapes ? try await exporter.start() : 0
            let receiverPort = try await receiver.start().http
            health.markReady()
            return (receiverPort, exporterPort)
        } catch {
            // Both servers, bound or not, so neither outlives the event loops.
            await receiver.shutdown()
            await exporter.shutdown()
            await remoteWrite?.shutdown(drainTime: .zero)
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
        if servesScrapes, shutdownGracePeriod > .zero {
            logger.info("waiting for a final scrape", metadata: ["grace": "\(shutdownGracePeriod)"])
            _ = await processor.waitForScrape(after: scrapes, until: deadline)
        }
        await exporter.shutdown()
        await remoteWrite?.shutdown()
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
