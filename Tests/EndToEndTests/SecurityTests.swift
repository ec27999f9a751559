import Foundation
import Logging
import NIOPosix
import OpenSRECollector
import OpenSREConfig
import OpenSRETestSupport
import Testing

/// TLS on both listeners and bearer-token auth on the receiver, checked with
/// openssl-made certificates and curl as the client.
@Suite("TLS and authentication", .serialized)
struct SecurityTests {
    @Test("HTTPS on both listeners; the receiver wants the bearer token; health probes do not")
    func tlsAndToken() async throws {
        let curl = try #require(ProgramRun.which("curl"), "curl missing")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, _) = try SelfSignedCertificate.make(in: directory)
        try "s3cret-token\n".write(to: directory.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try Data(Fixtures.bytes("mixed.pb")).write(to: directory.appendingPathComponent("body.pb"))

        let configuration = try CollectorConfiguration.parse(
            yaml: """
                receivers:
                  otlp:
                    protocols:
                      http:
                        endpoint: 127.0.0.1:0
                        tls: { cert_file: cert.pem, key_file: key.pem }
                        auth: { bearer_token_file: token }
                exporters:
                  prometheus:
                    endpoint: 127.0.0.1:0
                    shutdown_grace_period: 0s
                    tls: { cert_file: cert.pem, key_file: key.pem }
                service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
                """, baseDirectory: directory.path)
        #expect(configuration.receiver.bearerToken == "s3cret-token")
        let collector = try Collector(
            configuration: configuration, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let ports = try await collector.start()

        func curlRun(_ arguments: [String]) throws -> String {
            try ProgramRun.runBlocking(curl, ["-s", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_code} %header{www-authenticate}"] + arguments).output
        }
        let body = directory.appendingPathComponent("body.pb").path
        let post = ["-H", "Content-Type: application/x-protobuf", "--data-binary", "@\(body)", "https://127.0.0.1:\(ports.receiver)/v1/metrics"]
        #expect(try curlRun(post) == "401 Bearer")
        #expect(try curlRun(["-H", "Authorization: Bearer wrong"] + post) == "401 Bearer")
        #expect(try curlRun(["-H", "Authorization: Bearer s3cret-token"] + post) == "200 ")
        #expect(try curlRun(["https://127.0.0.1:\(ports.receiver)/healthz"]) == "200 ")
        // curl negotiates HTTP/2 by ALPN (offered for gRPC): OTLP/HTTP is served over it too.
        let overHTTP2 = try await ProgramRun.run(
            curl, ["-s", "--cacert", certificate, "-o", "/dev/null", "-w", "%{http_version} %{http_code}", "-H", "Authorization: Bearer s3cret-token"] + post)
        #expect(overHTTP2.output == "2 200")
        let scrape = try await ProgramRun.run(curl, ["-s", "--cacert", certificate, "https://127.0.0.1:\(ports.exporter)/metrics"])
        #expect(scrape.output.contains("opensre_http_server_requests_total{"))
        // The pages share the exporter's listener and so its TLS.
        let pages = try await ProgramRun.run(curl, ["-s", "--cacert", certificate, "https://127.0.0.1:\(ports.exporter)/golden"])
        #expect(pages.output.hasPrefix("<!doctype html>") && pages.output.contains("<h1>Golden signals</h1>"))
        // Plain HTTP to a TLS listener gets no HTTP answer.
        for path in ["/metrics", "/"] {
            let plain = try await ProgramRun.run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(ports.exporter)\(path)"])
            #expect(plain.output == "000")
        }
        await collector.shutdown()
    }

    @Test("missing TLS or token files are configuration errors")
    func missingFiles() {
        #expect(throws: ConfigurationError.self) {
            try CollectorConfiguration.parse(
                yaml: """
                    receivers: { otlp: { protocols: { http: { tls: { cert_file: /nonexistent.pem, key_file: /nonexistent.key }, auth: { bearer_token_file: /nonexistent } } } } }
                    exporters: { prometheus: }
                    service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
                    """)
        }
    }
}
