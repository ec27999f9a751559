import Foundation
import OpenSREConfig
import OpenSREModel
import Testing

@Suite("Configuration from the environment")
struct EnvironmentTests {
    @Test("${env:NAME}, ${NAME}, defaults and $$ are expanded; an unset variable is an error naming it")
    func substitution() throws {
        let environment = ["PORT": "9999", "NS": "team", "EMPTY": ""]
        #expect(try EnvironmentSubstitution.expand("a ${env:PORT} ${NS} $$5 ${env:EMPTY:-x} ${MISSING:-y} $HOME", environment: environment) == "a 9999 team $5 x y $HOME")
        #expect(throws: ConfigurationError.self) { try EnvironmentSubstitution.expand("${env:NOPE}", environment: environment) }
        do {
            _ = try EnvironmentSubstitution.expand("${env:NOPE}", environment: [:])
        } catch {
            #expect(error.description == "<root>: environment variable NOPE is not set (use ${env:NOPE:-default} for a default)")
        }
    }

    @Test("a file with references and OPENSRE_* overrides")
    func load() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("env-\(UUID()).yaml").path
        try """
        receivers: { otlp: { protocols: { http: { endpoint: "0.0.0.0:${env:OTLP_PORT}" } } } }
        exporters: { prometheus: { namespace: "${env:NAMESPACE:-opensre}" } }
        service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try CollectorConfiguration.load(
            path: path,
            environment: ["OTLP_PORT": "14318", "OPENSRE_PROMETHEUS_ENDPOINT": "127.0.0.1:19999", "OPENSRE_MEMORY_LIMIT_MIB": "256"])
        #expect(configuration.receiver.endpoint == Endpoint(host: "0.0.0.0", port: 14318))
        #expect(configuration.exporter.endpoint == Endpoint(host: "127.0.0.1", port: 19999))
        #expect(configuration.exporter.exposition.namespace == "opensre")
        #expect(configuration.memoryLimiter?.limitMiB == 256)
        #expect(throws: ConfigurationError.self) {
            try CollectorConfiguration.load(path: path, environment: ["OTLP_PORT": "1", "OPENSRE_OTLP_HTTP_ENDPOINT": "nowhere"])
        }
    }
}
