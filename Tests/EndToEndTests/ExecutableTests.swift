import Foundation
import NIOCore
import NIOPosix
import OpenSRETestSupport
import Testing

/// The built `opensre` executable, as a user runs it.
@Suite("opensre executable", .serialized)
struct ExecutableTests {
    /// `swift build` puts the executable next to the test bundle.
    static let binary: String = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("opensre").path

    static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? channel.close().wait() }
        return channel.localAddress!.port!
    }

    static func writeConfig(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-\(UUID()).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("runs the Collector-shaped config, serves data, and exits 0 on SIGTERM")
    func runAndTerminate() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "build first: swift build")
        let receiverPort = try Self.freePort()
        let grpcPort = try Self.freePort()
        let exporterPort = try Self.freePort()
        let original = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("config/opensre.yaml"), encoding: .utf8)
        let config = try Self.writeConfig(
            original
                .replacingOccurrences(of: "      http:\n", with: "      http:\n        endpoint: 127.0.0.1:\(receiverPort)\n")
                .replacingOccurrences(of: "      grpc:\n", with: "      grpc:\n        endpoint: 127.0.0.1:\(grpcPort)\n")
                .replacingOccurrences(of: "0.0.0.0:8889", with: "127.0.0.1:\(exporterPort)"))
        defer { try? FileManager.default.removeItem(atPath: config) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--config", config]
        // Strict: NIO crashes (instead of printing) when anything is scheduled
        // on an event loop after shutdown, e.g. by a server outliving the loops.
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFTNIO_STRICT": "1"]) { $1 }
        let output = Pipe()
        process.standardError = output
        process.standardOutput = output
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let launched = ContinuousClock.now
        var ready = false
        for _ in 0..<200 where !ready {
            ready = (try? await TestHTTPConnection.send(port: receiverPort, .GET, "/readyz"))?.status == .ok
            if !ready { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(ready, "collector did not become ready")
        let startup = ContinuousClock.now - launched
        #expect(startup < .seconds(1), "startup to ready took \(startup)")
        // SIGHUP does not kill it (a reload is a restart; see README).
        kill(process.processIdentifier, SIGHUP)
        try await Task.sleep(for: .milliseconds(100))
        #expect(process.isRunning)
        let answer = try await TestHTTPConnection.send(
            port: receiverPort, .POST, "/v1/metrics",
            headers: [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "gzip")],
            body: Fixtures.bytes("mixed.pb.gz"))
        #expect(answer.status == .ok)
        let page = try await TestHTTPConnection.send(port: exporterPort, .GET, "/metrics").text
        #expect(page.contains("opensre_system_cpu_utilization_ratio{cpu_state=\"user\",instance=\"pod-1\",job=\"shop/checkout\",otel_scope_name=\"fixture.meter\",otel_scope_version=\"0.1.0\"} 0.25\n"))

        // SIGTERM: the receiver stops accepting at once, /readyz turns 503, and the
        // exporter waits (up to shutdown_grace_period, 10 s) for one final scrape.
        kill(process.processIdentifier, SIGTERM)
        var refused = false
        for _ in 0..<100 where !refused {
            refused = (try? await TestHTTPConnection.send(port: receiverPort, .GET, "/healthz")) == nil
            if !refused { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(refused, "the receiver still accepts connections after SIGTERM")
        #expect(try await TestHTTPConnection.send(port: exporterPort, .GET, "/readyz").status == .serviceUnavailable)
        try await Task.sleep(for: .milliseconds(300))
        #expect(process.isRunning, "the exporter should wait for a final scrape")
        let final = try await TestHTTPConnection.send(port: exporterPort, .GET, "/metrics")
        #expect(final.status == .ok && final.text.contains("opensre_system_cpu_utilization_ratio{"))
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!log.contains("not served"))
        #expect(log.contains("endpoint=127.0.0.1:\(grpcPort)"), "the seed config serves OTLP/gRPC too")
        #expect(log.contains("collector stopped"))
        #expect(!log.contains("Cannot schedule tasks"))
        #expect(log.contains("waiting for a final scrape"))
        #expect(log.contains("SIGHUP: configuration reload is not supported"))
    }

    @Test("validate accepts the committed config and rejects a typo'd key, naming it")
    func validate() throws {
        let good = try ProgramRun.runBlocking(
            Self.binary, ["validate", "--config", Fixtures.repositoryRoot.appendingPathComponent("config/opensre.yaml").path])
        #expect(good.status == 0)
        #expect(good.output.contains("configuration is valid"))
        let bad = try Self.writeConfig(
            """
            receivers: { otlp: { protocols: { http: } } }
            exporters: { prometheus: { namespce: opensre } }
            service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
            """)
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let result = try ProgramRun.runBlocking(Self.binary, ["validate", "--config", bad])
        #expect(result.status == 2)
        #expect(result.output.contains("exporters.prometheus.namespce (line 2): unknown key \"namespce\""))
    }
}
