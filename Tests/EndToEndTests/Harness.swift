import Foundation
import Testing
import Logging
import NIOPosix
import OpenSRECollector
import OpenSREConfig
import OpenSREModel
import OpenSRETestSupport
import OTLPDecoding

/// A collector running in this process on free ports.
final class RunningCollector: Sendable {
    let collector: Collector
    let receiverPort: Int
    let exporterPort: Int
    /// The OTLP/gRPC port, when started with `grpc`.
    var grpcPort: Int { collector.receiver.grpcPort ?? receiverPort }

    /// - Parameter grpc: serve OTLP/gRPC on a port of its own, with these
    ///   settings (YAML lines indented 8 spaces, under `grpc:`); nil serves
    ///   HTTP only (gRPC still reaches the HTTP port).
    static func start(
        batchTimeout: String = "10s", receiverSettings: String = "", grpc: String? = nil, memoryLimitMiB: Int? = nil
    ) async throws -> RunningCollector {
        let limiter = memoryLimitMiB.map { "  memory_limiter:\n    check_interval: 100ms\n    limit_mib: \($0)" } ?? ""
        let grpcSection = grpc.map { "      grpc:\n        endpoint: 127.0.0.1:0\n\($0)" } ?? ""
        let configuration = try CollectorConfiguration.parse(
            yaml: """
                receivers:
                  otlp:
                    protocols:
                      http:
                        endpoint: 127.0.0.1:0
                \(receiverSettings)
                \(grpcSection)
                processors:
                  batch:
                    timeout: \(batchTimeout)
                \(limiter)
                exporters:
                  prometheus:
                    endpoint: 127.0.0.1:0
                    shutdown_grace_period: 0s
                service:
                  pipelines:
                    metrics:
                      receivers: [otlp]
                      processors: [\(memoryLimitMiB == nil ? "" : "memory_limiter, ")batch]
                      exporters: [prometheus]
                """)
        let collector = try Collector(
            configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "e2e", factory: { _ in SwiftLogNoOpLogHandler() }))
        let ports = try await collector.start()
        return RunningCollector(collector: collector, receiverPort: ports.receiver, exporterPort: ports.exporter)
    }

    private init(collector: Collector, receiverPort: Int, exporterPort: Int) {
        self.collector = collector
        self.receiverPort = receiverPort
        self.exporterPort = exporterPort
    }

    func scrape() async throws -> TestHTTPResponse {
        try await TestHTTPConnection.send(port: exporterPort, .GET, "/metrics")
    }

    func scrapeText() async throws -> String {
        try await scrape().text
    }

    func stop() async {
        await collector.shutdown()
    }
}

/// Runs a program to completion and returns its exit status and output.
struct ProgramRun {
    var status: Int32
    var output: String

    /// Runs on a thread of its own: waiting for a program on the cooperative
    /// pool (two threads on the CI machines) stalled every other test, and
    /// with two clients running, the wall-clock checks of unrelated suites
    /// (the final-scrape wait saw 10 s pass) failed.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) async throws -> ProgramRun {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try runBlocking(executable, arguments, environment: environment) })
            }
            thread.start()
        }
    }

    /// The same, blocking the calling thread.
    static func runBlocking(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> ProgramRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProgramRun(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    /// `name` found on PATH, or nil.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// The collector's own `opensre_collector_*` families and the golden signals
/// (whose counts depend on when the collector started), left out where a test
/// compares the rest of a page exactly.
enum SelfMetricsFilter {
    static func withoutSelfMetrics(_ page: String) -> String {
        page.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { line in
                let name = line.hasPrefix("# ") ? line.dropFirst(7) : line[...]
                return !name.hasPrefix("opensre_collector_") && !name.hasPrefix("opensre_golden_")
            }
            .joined(separator: "\n")
    }
}

/// Inflates a gzip body with the collector's own inflater (the exporter's
/// gzip output is checked against the plain page).
enum GzipInflaterForTests {
    static func inflate(_ bytes: UnsafeRawBufferPointer) throws -> [UInt8] {
        try GzipInflater().inflate(bytes, limit: 64 << 20) { Array($0) }
    }
}

/// A self-signed certificate for 127.0.0.1, made with openssl: `cert.pem` and
/// `key.pem` in `directory` (TLS listener tests).
enum SelfSignedCertificate {
    static func make(in directory: URL) throws -> (certificate: String, key: String) {
        let openssl = try #require(ProgramRun.which("openssl"), "openssl missing")
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try ProgramRun.runBlocking(
            openssl,
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        #expect(made.status == 0, "\(made.output)")
        return (certificate, key)
    }
}
