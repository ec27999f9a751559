import HTTPServerSupport
import OpenSREModel
import OpenSREPipeline

/// The Prometheus exporter (`exporters.prometheus` in the configuration).
package struct PrometheusExporterConfiguration: Sendable, Equatable {
    /// `endpoint`, default `0.0.0.0:8889`: where `GET /metrics` is served.
    package var endpoint: Endpoint
    /// `namespace` (default `opensre`) and `const_labels` (default none).
    package var exposition: ExpositionSettings
    /// `read_header_timeout`, `read_timeout`, `idle_timeout` (as on the receiver).
    package var timeouts: ConnectionTimeouts
    /// `shutdown_grace_period`, default 10s: after SIGTERM the exporter keeps
    /// serving `/metrics` (with everything accepted folded in) until one more
    /// scrape has been answered — the final scrape — or this much time passed.
    package var shutdownGracePeriod: Duration
    /// `tls` (`cert_file`, `key_file`, `client_ca_file`), default off.
    package var tls: ListenerTLS?
    /// `max_connections`, default 4096 (as on the receiver; its own cap, so
    /// scrapes and probes here never wait for the receiver's connections).
    package var maxConnections = ConnectionLimit.defaultMaxConnections
    /// `ui`, default true: the SLO and golden-signal pages (`/`, `/slo/{name}`,
    /// `/golden`) on this listener, read-only, under the same TLS; `false`
    /// answers them 404 (the JSON API stays).
    package var ui = true

    package static let defaultEndpoint = Endpoint(host: "0.0.0.0", port: 8889)

    package init(
        endpoint: Endpoint = Self.defaultEndpoint, exposition: ExpositionSettings = ExpositionSettings(),
        timeouts: ConnectionTimeouts = ConnectionTimeouts(), shutdownGracePeriod: Duration = .seconds(10)
    ) {
        self.endpoint = endpoint
        self.exposition = exposition
        self.timeouts = timeouts
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}
