import OpenSREPipeline

/// The gRPC method paths served (`/` + service + `/` + method).
package enum GRPCPaths {
    package static let metricsService = "opentelemetry.proto.collector.metrics.v1.MetricsService"
    package static let metricsExport = metricsService + "/Export"
    package static let traceService = "opentelemetry.proto.collector.trace.v1.TraceService"
    package static let traceExport = traceService + "/Export"
    package static let healthCheck = "grpc.health.v1.Health/Check"
    /// The other OTLP signals' services, refused with the reason HTTP gives.
    static let otherSignals: [String: CollectorCounters.OtherSignal] = [
        "/" + traceExport: .traces,
        "/opentelemetry.proto.collector.logs.v1.LogsService/Export": .logs,
    ]
}
