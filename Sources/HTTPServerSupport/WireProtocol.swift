import NIOCore

/// Which protocol a connection speaks, told from its first bytes.
package enum WireProtocol: Sendable, Equatable {
    case http1
    /// HTTP/2 with prior knowledge (RFC 9113 §3.3), which is how gRPC clients
    /// open cleartext connections; or HTTP/2 negotiated by TLS ALPN.
    case http2
}
