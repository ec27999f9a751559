import HTTPServerSupport
import NIOCore
import OpenSREModel

/// The OTLP/gRPC receiver (`receivers.otlp.protocols.grpc`), with the
/// Collector's key names. Served only when `grpc:` is in the file.
package struct OTLPGRPCConfiguration: Sendable, Equatable {
    /// `endpoint`, default `0.0.0.0:4317` (all interfaces, as a sidecar needs;
    /// the Collector's own default is `localhost:4317`).
    package var endpoint = Self.defaultEndpoint
    /// `max_recv_msg_size_mib`, default 64 MiB (the same as OTLP/HTTP's
    /// `max_request_body_size`; the OTLP specification asks for at least 4 MiB
    /// and calls 64 MiB reasonable). Checked on the length prefix, before the
    /// message is buffered, and again after decompression: larger messages get
    /// `RESOURCE_EXHAUSTED`. At most 1024 MiB.
    package var maxReceiveMessageSize = 64 << 20
    /// `max_concurrent_streams`, default 100: calls in flight per connection
    /// (HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS; SDKs send one at a time).
    package var maxConcurrentStreams = 100
    /// `keepalive.server_parameters`.
    package var keepalive = GRPCKeepalive()
    /// `tls` (`cert_file`, `key_file`, `client_ca_file`), default off; ALPN offers `h2`.
    package var tls: ListenerTLS?
    /// `auth.bearer_token_file`, default off: calls must carry
    /// `authorization: Bearer <token>` metadata or get `UNAUTHENTICATED`.
    package var bearerToken: String?
    /// `max_connections`, default 4096, as for OTLP/HTTP.
    package var maxConnections = ConnectionLimit.defaultMaxConnections

    package static let defaultEndpoint = Endpoint(host: "0.0.0.0", port: 4317)
    /// The largest `max_recv_msg_size_mib` accepted.
    package static let largestMessageSizeMiB = 1024

    package init() {}
}
