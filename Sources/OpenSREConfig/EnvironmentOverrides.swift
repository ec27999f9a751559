import OTLPReceiver
import OpenSREModel
import OpenSREPipeline

/// The common settings, overridable by environment variables (for containers):
/// `OPENSRE_OTLP_HTTP_ENDPOINT`, `OPENSRE_OTLP_GRPC_ENDPOINT` (which also
/// turns OTLP/gRPC on when the file leaves it out), `OPENSRE_PROMETHEUS_ENDPOINT`,
/// `OPENSRE_PROMETHEUS_NAMESPACE`, `OPENSRE_METRIC_EXPIRATION`,
/// `OPENSRE_MEMORY_LIMIT_MIB`. They win over the file.
package enum EnvironmentOverrides {
    package static func apply(
        _ environment: [String: String], to configuration: inout CollectorConfiguration
    ) throws(ConfigurationError) {
        var issues: [ConfigurationIssue] = []
        if let text = environment["OPENSRE_OTLP_HTTP_ENDPOINT"] {
            if let endpoint = Endpoint(parsing: text) { configuration.receiver.endpoint = endpoint } else {
                issues.append(ConfigurationIssue(path: "OPENSRE_OTLP_HTTP_ENDPOINT", message: "expected host:port, got \"\(text)\""))
            }
        }
        if let text = environment["OPENSRE_OTLP_GRPC_ENDPOINT"] {
            if let endpoint = Endpoint(parsing: text) {
                configuration.grpcReceiver = configuration.grpcReceiver ?? OTLPGRPCConfiguration()
                configuration.grpcReceiver?.endpoint = endpoint
            } else {
                issues.append(ConfigurationIssue(path: "OPENSRE_OTLP_GRPC_ENDPOINT", message: "expected host:port, got \"\(text)\""))
            }
        }
        if let text = environment["OPENSRE_PROMETHEUS_ENDPOINT"] {
            if let endpoint = Endpoint(parsing: text) { configuration.exporter.endpoint = endpoint } else {
                issues.append(ConfigurationIssue(path: "OPENSRE_PROMETHEUS_ENDPOINT", message: "expected host:port, got \"\(text)\""))
            }
        }
        if let text = environment["OPENSRE_PROMETHEUS_NAMESPACE"] {
            if ConfigurationParser.isValidNamespace(text) { configuration.exporter.exposition.namespace = text } else {
                issues.append(ConfigurationIssue(path: "OPENSRE_PROMETHEUS_NAMESPACE", message: "not a valid namespace: \"\(text)\""))
            }
        }
        if let text = environment["OPENSRE_METRIC_EXPIRATION"] {
            if let duration = DurationText.parse(text) { configuration.exporter.exposition.metricExpiration = duration } else {
                issues.append(ConfigurationIssue(path: "OPENSRE_METRIC_EXPIRATION", message: "expected a duration, got \"\(text)\""))
            }
        }
        if let text = environment["OPENSRE_MEMORY_LIMIT_MIB"] {
            if let mib = Int(text), mib > 0 {
                var limiter = configuration.memoryLimiter ?? MemoryLimiterConfiguration()
                limiter.limitMiB = mib
                limiter.limitPercentage = nil
                configuration.memoryLimiter = limiter
            } else {
                issues.append(ConfigurationIssue(path: "OPENSRE_MEMORY_LIMIT_MIB", message: "expected a positive integer, got \"\(text)\""))
            }
        }
        guard issues.isEmpty else { throw ConfigurationError(issues: issues) }
    }
}
