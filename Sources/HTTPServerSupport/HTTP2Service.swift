import NIOCore
import NIOHTTP2

/// What an ``HTTPServer`` runs on its HTTP/2 connections: the library's
/// HTTP/2 handler (framing, flow control, HPACK, SETTINGS) with one child
/// channel per stream, plus a connection-level handler after it.
package struct HTTP2Service: Sendable {
    /// Settings advertised and enforced (e.g. `maxConcurrentStreams`).
    package var connection: NIOHTTP2Handler.ConnectionConfiguration
    package var stream: NIOHTTP2Handler.StreamConfiguration
    /// Connection-level work after the HTTP/2 handler: keepalive pings,
    /// connection age, GOAWAY on shutdown. With the library's inline stream
    /// multiplexer, streams opening and closing are not events in the
    /// connection's pipeline: the handler learns of them through its
    /// `NIOHTTP2StreamDelegate` (called on the connection's event loop).
    package var makeConnectionHandler: @Sendable (any Channel) -> (any ChannelHandler, (any NIOHTTP2StreamDelegate)?)
    /// The handler of one gRPC call's stream (reads and writes
    /// `HTTP2Frame.FramePayload`); other requests over HTTP/2 go to the
    /// listener's HTTP handler (see ``HTTP2StreamRouter``).
    package var makeStreamHandler: @Sendable (any Channel) -> any RemovableChannelHandler

    package init(
        connection: NIOHTTP2Handler.ConnectionConfiguration, stream: NIOHTTP2Handler.StreamConfiguration,
        makeConnectionHandler: @escaping @Sendable (any Channel) -> (any ChannelHandler, (any NIOHTTP2StreamDelegate)?),
        makeStreamHandler: @escaping @Sendable (any Channel) -> any RemovableChannelHandler
    ) {
        self.connection = connection
        self.stream = stream
        self.makeConnectionHandler = makeConnectionHandler
        self.makeStreamHandler = makeStreamHandler
    }

    /// Adds the HTTP/2 handlers to a connection (on its event loop).
    /// - Parameter makeHTTPHandler: the listener's handler for requests that are not gRPC.
    func configure(_ channel: any Channel, makeHTTPHandler: @escaping @Sendable (any Channel) -> any ChannelHandler) throws {
        let makeStreamHandler = self.makeStreamHandler
        let (connectionHandler, streams) = makeConnectionHandler(channel)
        _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: connection, streamConfiguration: stream, streamDelegate: streams
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                let grpc = makeStreamHandler(stream)
                try stream.pipeline.syncOperations.addHandlers(HTTP2StreamRouter(grpcHandler: grpc, http: makeHTTPHandler), grpc)
            }
        }
        try channel.pipeline.syncOperations.addHandler(connectionHandler)
    }
}
