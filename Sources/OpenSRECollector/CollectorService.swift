import NIOPosix
import OTLPReceiver
import HTTPServerSupport
import OpenSREPipeline
import PrometheusExporter
import ServiceLifecycle

struct CollectorService: Service {
    let collector: Collector

    func run() async throws {
        try await collector.start()
        try? await gracefulShutdown()
        await collector.shutdown()
    }
}
