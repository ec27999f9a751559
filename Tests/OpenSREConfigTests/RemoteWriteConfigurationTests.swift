import Foundation
import OpenSREConfig
import RemoteWriteExporter
import Testing

/// `exporters.prometheusremotewrite`, with the Collector's key names and defaults.
@Suite("Remote-write configuration")
struct RemoteWriteConfigurationTests {
    static func parse(_ keys: String, prometheus: String? = nil) throws(ConfigurationError) -> CollectorConfiguration {
        let scrape = prometheus.map { "prometheus: { \($0) }," } ?? ""
        let exporters = prometheus == nil ? "[prometheusremotewrite]" : "[prometheus, prometheusremotewrite]"
        return try CollectorConfiguration.parse(
            yaml: """
                receivers: { otlp: { protocols: { http: } } }
                exporters: { \(scrape) prometheusremotewrite: { \(keys) } }
                service: { pipelines: { metrics: { receivers: [otlp], exporters: \(exporters) } } }
                """)
    }

    static func issues(_ keys: String, prometheus: String? = nil) -> String {
        do {
            _ = try parse(keys, prometheus: prometheus)
            return ""
        } catch {
            // Without the line numbers: `path: reason`.
            return error.issues.map { $0.description.replacing(#/ \(line \d+\)/#, with: "") }.joined(separator: "\n")
        }
    }

    @Test("the Collector's defaults; alone it serves no scrape endpoint")
    func defaults() throws {
        let configuration = try Self.parse("endpoint: http://mimir:9009/api/v1/push")
        let remoteWrite = try #require(configuration.remoteWrite)
        #expect(!configuration.servesScrapes)
        #expect(remoteWrite.endpoint == "http://mimir:9009/api/v1/push")
        #expect(remoteWrite.timeout == .seconds(5))
        #expect(remoteWrite.maxBatchBytes == 3_000_000)
        #expect(remoteWrite.targetInfo && !remoteWrite.sendMetadata)
        #expect(remoteWrite.queue == RemoteWriteConfiguration.Queue())
        #expect(remoteWrite.queue.enabled && remoteWrite.queue.size == 10_000 && remoteWrite.queue.consumers == 5)
        #expect(remoteWrite.retry.enabled && remoteWrite.retry.initialInterval == .milliseconds(50))
        #expect(remoteWrite.retry.maxInterval == .seconds(30) && remoteWrite.retry.maxElapsedTime == .seconds(300))
        #expect(remoteWrite.wal == nil && remoteWrite.exportInterval == .seconds(15))
        #expect(try Self.parse("endpoint: http://a:1", prometheus: "").servesScrapes)
    }

    @Test("every key read")
    func everyKey() throws {
        let configuration = try Self.parse(
            """
            endpoint: "https://mimir:9009/api/v1/push", headers: { X-Scope-OrgID: team-a, Authorization: "Bearer t" },
            tls: { insecure_skip_verify: true }, timeout: 2s, compression: snappy, namespace: shop,
            external_labels: { cluster: eu, replica: r1 }, resource_to_telemetry_conversion: { enabled: true },
            target_info: { enabled: false }, send_metadata: true, max_batch_size_bytes: 500000,
            remote_write_queue: { enabled: true, queue_size: 100, num_consumers: 2 },
            retry_on_failure: { enabled: true, initial_interval: 10ms, max_interval: 5s, max_elapsed_time: 1m },
            wal: { directory: /var/lib/opensre/wal, buffer_size: 50, truncate_frequency: 30s, max_size_bytes: 67108864 },
            export_interval: 30s
            """)
        let remoteWrite = try #require(configuration.remoteWrite)
        #expect(remoteWrite.headers == ["X-Scope-OrgID": "team-a", "Authorization": "Bearer t"])
        #expect(remoteWrite.tls.insecureSkipVerify && remoteWrite.timeout == .seconds(2))
        #expect(remoteWrite.externalLabels == ["cluster": "eu", "replica": "r1"])
        #expect(!remoteWrite.targetInfo && remoteWrite.sendMetadata && remoteWrite.maxBatchBytes == 500_000)
        #expect(remoteWrite.queue.size == 100 && remoteWrite.queue.consumers == 2)
        #expect(remoteWrite.retry.initialInterval == .milliseconds(10) && remoteWrite.retry.maxInterval == .seconds(5))
        #expect(remoteWrite.retry.maxElapsedTime == .seconds(60))
        let wal = try #require(remoteWrite.wal)
        #expect(wal.directory == "/var/lib/opensre/wal" && wal.bufferSize == 50)
        #expect(wal.truncateFrequency == .seconds(30) && wal.maxBytes == 64 << 20)
        #expect(remoteWrite.exportInterval == .seconds(30))
        // Alone, it sets the one translation.
        #expect(configuration.exporter.exposition.namespace == "shop")
        #expect(configuration.exporter.exposition.resourceToTelemetryConversion)
    }

    @Test("beside prometheus: one translation, so namespace and resource_to_telemetry_conversion must agree or be left out")
    func oneTranslation() throws {
        let inherited = try Self.parse("endpoint: http://a:1", prometheus: "namespace: opensre")
        #expect(inherited.exporter.exposition.namespace == "opensre")
        #expect(try Self.parse("endpoint: http://a:1, namespace: opensre", prometheus: "namespace: opensre").remoteWrite != nil)
        let differs = Self.issues("endpoint: http://a:1, namespace: other", prometheus: "namespace: opensre")
        #expect(differs.contains("exporters.prometheusremotewrite.namespace: differs from exporters.prometheus.namespace"))
        let conversion = Self.issues("endpoint: http://a:1, resource_to_telemetry_conversion: { enabled: true }", prometheus: "")
        #expect(conversion.contains("exporters.prometheusremotewrite.resource_to_telemetry_conversion: differs"))
    }

    @Test("bad values are refused with their key path and a reason")
    func refused() {
        let cases: [(String, String)] = [
            ("timeout: 1s", "exporters.prometheusremotewrite.endpoint: missing"),
            ("endpoint: mimir:9009", "exporters.prometheusremotewrite.endpoint: expected an http:// or https:// URL"),
            ("endpoint: http://a:1, headers: { Content-Type: text/plain }", "headers.Content-Type: set by the remote-write protocol"),
            ("endpoint: http://a:1, headers: { user-agent: x }", "headers.user-agent: set by the remote-write protocol"),
            ("endpoint: http://a:1, headers: { \"bad header\": x }", "not a valid HTTP header name"),
            ("endpoint: http://a:1, external_labels: { __name__: x }", "external_labels.__name__: not a valid label name"),
            ("endpoint: http://a:1, external_labels: { cluster: \"\" }", "a label value cannot be empty"),
            ("endpoint: http://a:1, compression: gzip", "remote write is always snappy-compressed"),
            ("endpoint: http://a:1, remote_write_queue: { queue_size: 0 }", "a queue of size 0 would drop everything"),
            ("endpoint: http://a:1, remote_write_queue: { num_consumers: 0 }", "remote_write_queue.num_consumers"),
            ("endpoint: http://a:1, retry_on_failure: { initial_interval: 2s, max_interval: 1s }", "max_interval: must be at least initial_interval"),
            ("endpoint: http://a:1, wal: { buffer_size: 10 }", "wal.directory: missing"),
            ("endpoint: http://a:1, wal: { directory: /tmp/w, max_size_bytes: 1000 }", "wal.max_size_bytes"),
            ("endpoint: http://a:1, export_interval: 0s", "export_interval: must be greater than 0"),
            ("endpoint: http://a:1, tls: { cert_file: /nonexistent.pem }", "tls.cert_file: cannot read /nonexistent.pem"),
            ("endpoint: https://a:1, tls: { insecure: true }", "an https:// endpoint always uses TLS"),
            ("endpoint: http://a:1, max_batch_size_bytes: -1", "max_batch_size_bytes"),
            ("endpoint: http://a:1, remote_timeout: 1s", "remote_timeout"),
            ("endpoint: http://a:1, retry_on_failure: { multiplier: 2 }", "retry_on_failure.multiplier"),
        ]
        for (keys, expected) in cases {
            let issues = Self.issues(keys)
            #expect(issues.contains(expected), "\(keys): \(issues)")
        }
    }

    @Test("the pipeline lists at least one exporter; prometheusremotewrite is a known type")
    func pipeline() throws {
        let none = """
            receivers: { otlp: { protocols: { http: } } }
            exporters: { prometheusremotewrite: { endpoint: "http://a:1" } }
            service: { pipelines: { metrics: { receivers: [otlp] } } }
            """
        do {
            _ = try CollectorConfiguration.parse(yaml: none)
            Issue.record("accepted a pipeline without exporters")
        } catch {
            #expect(error.issues.map(\.description).joined().contains("list the prometheus exporter, the prometheusremotewrite exporter or both"))
        }
    }
}
