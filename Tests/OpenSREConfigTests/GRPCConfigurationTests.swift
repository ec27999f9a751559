import Foundation
import NIOCore
import OTLPReceiver
import OpenSREConfig
import OpenSREModel
import Testing

/// `receivers.otlp.protocols.grpc`, with the Collector's key names.
@Suite("OTLP/gRPC configuration")
struct GRPCConfigurationTests {
    static func parse(_ grpc: String?) throws -> CollectorConfiguration {
        let protocols = grpc.map { "grpc: { \($0) }, http:" } ?? "http:"
        return try CollectorConfiguration.parse(
            yaml: """
                receivers: { otlp: { protocols: { \(protocols) } } }
                exporters: { prometheus: }
                service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
                """)
    }

    @Test("left out, gRPC has no port of its own; listed, it serves 0.0.0.0:4317 with documented defaults")
    func defaults() throws {
        #expect(try Self.parse(nil).grpcReceiver == nil)
        let grpc = try #require(try Self.parse("").grpcReceiver)
        #expect(grpc.endpoint == Endpoint(host: "0.0.0.0", port: 4317))
        #expect(grpc.maxReceiveMessageSize == 64 << 20)
        #expect(grpc.maxConcurrentStreams == 100)
        #expect(grpc.maxConnections == 4096)
        #expect(grpc.keepalive.maxConnectionIdle == nil)
        #expect(grpc.keepalive.maxConnectionAge == nil)
        #expect(grpc.keepalive.maxConnectionAgeGrace == nil)
        #expect(grpc.keepalive.time == .hours(2))
        #expect(grpc.keepalive.timeout == .seconds(20))
        #expect(grpc.tls == nil && grpc.bearerToken == nil)
    }

    @Test("every key is read under the Collector's name")
    func keys() throws {
        let token = FileManager.default.temporaryDirectory.appendingPathComponent("grpc-token-\(UUID())").path
        try "s3cret\n".write(toFile: token, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: token) }
        let grpc = try #require(
            try Self.parse(
                """
                endpoint: 127.0.0.1:5317, max_recv_msg_size_mib: 8, max_concurrent_streams: 16, max_connections: 50,
                auth: { bearer_token_file: \(token) },
                keepalive: { server_parameters: { max_connection_idle: 11s, max_connection_age: 30s,
                  max_connection_age_grace: 5s, time: 10s, timeout: 2s } }
                """
            ).grpcReceiver)
        #expect(grpc.endpoint == Endpoint(host: "127.0.0.1", port: 5317))
        #expect(grpc.maxReceiveMessageSize == 8 << 20)
        #expect(grpc.maxConcurrentStreams == 16)
        #expect(grpc.maxConnections == 50)
        #expect(grpc.bearerToken == "s3cret")
        #expect(grpc.keepalive.maxConnectionIdle == .seconds(11))
        #expect(grpc.keepalive.maxConnectionAge == .seconds(30))
        #expect(grpc.keepalive.maxConnectionAgeGrace == .seconds(5))
        #expect(grpc.keepalive.time == .seconds(10))
        #expect(grpc.keepalive.timeout == .seconds(2))
    }

    @Test("bad values are refused with their key paths")
    func invalid() {
        func issues(_ grpc: String) -> String {
            do {
                _ = try Self.parse(grpc)
                return ""
            } catch {
                return "\(error)"
            }
        }
        #expect(issues("max_recv_msg_size_mib: 0").contains("receivers.otlp.protocols.grpc.max_recv_msg_size_mib"))
        #expect(issues("max_recv_msg_size_mib: 1025").contains("receivers.otlp.protocols.grpc.max_recv_msg_size_mib"))
        #expect(issues("max_concurrent_streams: -1").contains("receivers.otlp.protocols.grpc.max_concurrent_streams"))
        #expect(issues("keepalive: { server_parameters: { time: 0s } }").contains("keepalive.server_parameters.time"))
        #expect(issues("keepalive: { server_parameters: { timeout: soon } }").contains("keepalive.server_parameters.timeout"))
        #expect(issues("keepalive: { enforcement: {} }").contains("receivers.otlp.protocols.grpc.keepalive"))
        #expect(issues("transport: tcp").contains("receivers.otlp.protocols.grpc"))
    }

    @Test("OPENSRE_OTLP_GRPC_ENDPOINT moves the gRPC port and turns gRPC on")
    func environment() throws {
        var configuration = try Self.parse(nil)
        try EnvironmentOverrides.apply(["OPENSRE_OTLP_GRPC_ENDPOINT": "127.0.0.1:6317"], to: &configuration)
        #expect(configuration.grpcReceiver?.endpoint == Endpoint(host: "127.0.0.1", port: 6317))
    }
}
