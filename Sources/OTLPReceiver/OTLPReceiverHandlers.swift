import NIOCore

/// The receiver's channel handlers without a server, for the micro benchmarks
/// (`opensre-bench`), which drive calls through them one at a time on an
/// `EmbeddedChannel` and count their allocations.
package enum OTLPReceiverHandlers {
    /// The handler of one OTLP/gRPC call (the server makes one per HTTP/2
    /// stream): reads `HTTP2Frame.FramePayload`s, answers with them.
    package static func grpcCall(ingestor: OTLPIngestor, maxMessageSize: Int) -> any ChannelHandler {
        OTLPGRPCStreamHandler(
            ingestor: ingestor, rules: GRPCCallRules(maxMessageSize: maxMessageSize, bearerToken: nil), health: nil)
    }

    /// The handler of one OTLP/HTTP connection (HTTP/1.1 request parts in, response parts out).
    package static func http(ingestor: OTLPIngestor) -> any ChannelHandler {
        OTLPHTTPHandler(ingestor: ingestor)
    }
}
