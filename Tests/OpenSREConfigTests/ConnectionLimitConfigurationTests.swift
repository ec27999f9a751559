import HTTPServerSupport
import OpenSREConfig
import Testing

/// `max_connections` on both listeners, and how it is fitted to the open-file limit.
@Suite("Connection limits")
struct ConnectionLimitConfigurationTests {
    static func parse(receiver: String = "", exporter: String = "") throws -> CollectorConfiguration {
        try CollectorConfiguration.parse(
            yaml: """
                receivers: { otlp: { protocols: { http: { \(receiver) } } } }
                exporters: { prometheus: { \(exporter) } }
                service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
                """)
    }

    @Test("max_connections defaults to 4096 on both listeners and is read from each")
    func keys() throws {
        let defaults = try Self.parse()
        #expect(defaults.receiver.maxConnections == 4096)
        #expect(defaults.exporter.maxConnections == 4096)
        let set = try Self.parse(receiver: "max_connections: 100", exporter: "max_connections: 8")
        #expect(set.receiver.maxConnections == 100)
        #expect(set.exporter.maxConnections == 8)
    }

    @Test("max_connections must be a positive integer, reported with its key path")
    func invalid() throws {
        do {
            _ = try Self.parse(receiver: "max_connections: 0", exporter: "max_connections: many")
            Issue.record("accepted")
        } catch let error as ConfigurationError {
            let text = error.description
            #expect(text.contains("receivers.otlp.protocols.http.max_connections"))
            #expect(text.contains("exporters.prometheus.max_connections"))
        }
    }

    @Test("the cap is lowered so both listeners stay 64 descriptors under the open-file limit")
    func fitted() {
        #expect(ConnectionLimit.effective(configured: 4096, openFileLimit: 1_048_576) == 4096)
        #expect(ConnectionLimit.effective(configured: 4096, openFileLimit: 1024) == 480)
        #expect(ConnectionLimit.effective(configured: 4096, openFileLimit: 200) == 68)
        #expect(ConnectionLimit.effective(configured: 10, openFileLimit: 200) == 10)
        #expect(ConnectionLimit.effective(configured: 4096, openFileLimit: 10) == 1)
        #expect(ConnectionLimit.effective(configured: 4096, openFileLimit: .max) == 4096)
    }
}
