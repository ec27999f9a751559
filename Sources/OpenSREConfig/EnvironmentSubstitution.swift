import OTLPReceiver
import OpenSREModel
import OpenSREPipeline

/// Environment variables in configuration files, as the OpenTelemetry
/// Collector reads them: `${env:NAME}` (or `${NAME}`) is replaced by the
/// variable's value, `${env:NAME:-default}` falls back to `default` when it is
/// unset or empty, and `$$` is a literal `$`. A variable that is unset, with no
/// default, is an error naming it (the Collector silently substitutes "").
package enum EnvironmentSubstitution {
    package static func expand(_ text: String, environment: [String: String]) throws(ConfigurationError) -> String {
        var out = ""
        var missing: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                out.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                out.append("$")
                index = text.index(after: next)
                continue
            }
            guard next < text.endIndex, text[next] == "{", let close = text[next...].firstIndex(of: "}") else {
                out.append(character)
                index = next
                continue
            }
            var reference = String(text[text.index(after: next)..<close])
            if reference.hasPrefix("env:") { reference.removeFirst(4) }
            var fallback: String?
            if let separator = reference.range(of: ":-") {
                fallback = String(reference[separator.upperBound...])
                reference = String(reference[..<separator.lowerBound])
            }
            if let value = environment[reference], !value.isEmpty {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                missing.append(reference)
            }
            index = text.index(after: close)
        }
        guard missing.isEmpty else {
            throw ConfigurationError(
                issues: missing.map { ConfigurationIssue(path: "", message: "environment variable \($0) is not set (use ${env:\($0):-default} for a default)") })
        }
        return out
    }
}

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
