/// The `# TYPE` of a Prometheus metric family (text format 0.0.4).
package enum PrometheusMetricType: String, Sendable, Hashable {
    case counter
    case gauge
    case histogram
    case summary
    case untyped
}
