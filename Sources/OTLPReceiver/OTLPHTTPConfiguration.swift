import HTTPServerSupport
import OpenSREModel

/// The OTLP/HTTP receiver (`receivers.otlp.protocols.http` in the configuration).
package struct OTLPHTTPConfiguration: Sendable, Equatable {
    /// `endpoint`, default `0.0.0.0:4318` (all interfaces, as a sidecar needs;
    /// the Collector's own default is `localhost:4318`).
    package var endpoint: Endpoint
    /// `max_request_body_size`, default 64 MiB (the OTLP spec's recommendation):
    /// the largest body accepted, checked on the wire and again after
    /// decompression. Larger requests get 413. At most
    /// ``largestRequestBodySize`` (1 GiB), so that what is reserved for a body
    /// (a few times its size) stays far from integer overflow.
    package var maxRequestBodySize: Int

    /// The largest `max_request_body_size` accepted.
    package static let largestRequestBodySize = 1 << 30
    /// `read_header_timeout` (default 10s), `read_timeout` (30s), `idle_timeout` (60s).
    package var timeouts: ConnectionTimeouts
    /// `tls` (`cert_file`, `key_file`, `client_ca_file`), default off.
    package var tls: ListenerTLS?
    /// `auth.bearer_token_file`, default off: when set, requests must carry
    /// `Authorization: Bearer <the file's content>` or get 401.
    package var bearerToken: String?
    /// `max_connections`, default 4096: connections held at once; at the cap
    /// new ones wait in the kernel's backlog. Lowered at start to fit the
    /// open-file limit (see `ConnectionLimit`).
    package var maxConnections = ConnectionLimit.defaultMaxConnections

    package static let defaultEndpoint = Endpoint(host: "0.0.0.0", port: 4318)

    package init(
        endpoint: Endpoint = Self.defaultEndpoint, maxRequestBodySize: Int = 64 << 20,
        timeouts: ConnectionTimeouts = ConnectionTimeouts()
    ) {
        self.endpoint = endpoint
        self.maxRequestBodySize = maxRequestBodySize
        self.timeouts = timeouts
    }
}
