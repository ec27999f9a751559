import OTLPDecoding
import OTLPReceiver
import OpenSREModel
import OpenSRESLO
import OpenSREPipeline
import PrometheusExporter
import RemoteWriteExporter
import Foundation
import Yams

#if canImport(Glibc)
import Glibc
#endif

/// The whole collector configuration, shaped like the OpenTelemetry
/// Collector's file so its users can read it at a glance:
///
/// ```yaml
/// receivers:  { otlp: { protocols: { http: { endpoint, max_request_body_size }, grpc: { endpoint, max_recv_msg_size_mib } } } }
/// processors: { batch: { send_batch_size, timeout }, slo: { definitions, state_dir, persist_interval } }
/// exporters:  { prometheus: { endpoint, namespace, const_labels }, prometheusremotewrite: { endpoint, ... } }
/// connectors: { spanmetrics: { dimensions, histogram, exemplars, metrics_expiration, aggregation_cardinality_limit, namespace } }
/// service:    { pipelines: { metrics: { receivers, processors, exporters }, traces: { receivers, exporters: [spanmetrics] } } }
/// ```
/// Components may be named `type/name` as in the Collector. Unknown keys are
/// errors, never ignored; every error names its key path.
package struct CollectorConfiguration: Sendable, Equatable {
    /// `receivers.otlp.protocols.http`.
    package var receiver = OTLPHTTPConfiguration()
    /// `receivers.otlp.protocols.grpc`, when listed (then its port is served).
    package var grpcReceiver: OTLPGRPCConfiguration?
    /// `processors.batch`.
    package var batching = BatchingConfiguration()
    /// `processors.batch.golden_signals`.
    package var goldenSignals = GoldenSignalsConfiguration()
    /// `exporters.prometheus`. Its exposition settings (names, labels,
    /// limits) are the one translation both exporters show, also when only
    /// `prometheusremotewrite` is listed.
    package var exporter = PrometheusExporterConfiguration()
    /// Whether the pipeline lists `prometheus` (else nothing listens on its endpoint).
    package var servesScrapes = true
    /// `exporters.prometheusremotewrite`, when the pipeline lists it.
    package var remoteWrite: RemoteWriteConfiguration?
    /// `processors.slo`, when the pipeline lists it.
    package var slo: SLOProcessorConfiguration?
    /// `connectors.spanmetrics`, when a traces pipeline exports into it
    /// (then `/v1/traces` and `TraceService/Export` are served).
    package var spanMetrics: SpanMetricsConfiguration?
    /// `processors.memory_limiter`, when the pipeline lists it.
    package var memoryLimiter: MemoryLimiterConfiguration?
    /// Things that are accepted but worth telling the user (e.g. a component configured but unused).
    package var warnings: [String] = []

    package init() {}

    /// Reads and validates the file at `path`, with `${env:NAME}` references
    /// expanded and the `OPENSRE_*` environment overrides applied.
    package static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> CollectorConfiguration {
        guard let text = readFile(path) else {
            throw ConfigurationError(issues: [ConfigurationIssue(path: "", message: "cannot read \(path)")])
        }
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        var configuration = try parse(
            yaml: try EnvironmentSubstitution.expand(text, environment: environment),
            baseDirectory: directory.isEmpty ? "/" : directory)
        try EnvironmentOverrides.apply(environment, to: &configuration)
        return configuration
    }

    /// Parses and validates YAML text; SLO definition paths are relative to `baseDirectory`.
    package static func parse(yaml: String, baseDirectory: String = ".") throws(ConfigurationError) -> CollectorConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(issues: [ConfigurationIssue(path: "", message: "not valid YAML: \(error)")])
        }
        var parser = ConfigurationParser(baseDirectory: baseDirectory)
        let configuration = parser.parse(root)
        guard parser.reader.issues.isEmpty else {
            throw ConfigurationError(issues: parser.reader.issues)
        }
        return configuration
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if count < chunk.count { break }
        }
        guard ferror(file) == 0 else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
