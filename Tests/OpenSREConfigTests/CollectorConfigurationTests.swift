import OTLPReceiver
import OpenSREConfig
import OpenSREModel
import OpenSREPipeline
import PrometheusExporter
import PrometheusExposition
import Testing

@Suite("Configuration file")
struct CollectorConfigurationTests {
    /// The file the issue requires to run unchanged (also config/opensre.yaml).
    static let collectorShaped = """
        receivers:
          otlp:
            protocols:
              grpc:
              http:
        processors:
          batch:
        exporters:
          prometheus:
            endpoint: "0.0.0.0:8889"
            namespace: "opensre"
        service:
          pipelines:
            metrics:
              receivers: [otlp]
              processors: [batch]
              exporters: [prometheus]
        """

    func issues(_ yaml: String) -> [String] {
        do {
            _ = try CollectorConfiguration.parse(yaml: yaml)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test("the OpenTelemetry-Collector-shaped file loads with defaults, gRPC served on 4317")
    func collectorShapedFile() throws {
        let configuration = try CollectorConfiguration.parse(yaml: Self.collectorShaped)
        #expect(configuration.receiver == OTLPHTTPConfiguration())
        #expect(configuration.receiver.endpoint == Endpoint(host: "0.0.0.0", port: 4318))
        #expect(configuration.receiver.maxRequestBodySize == 64 << 20)
        #expect(configuration.batching == BatchingConfiguration())
        #expect(configuration.batching.sendBatchSize == 8192)
        #expect(configuration.batching.timeout == .milliseconds(200))
        #expect(configuration.exporter.endpoint == Endpoint(host: "0.0.0.0", port: 8889))
        #expect(configuration.exporter.exposition == ExpositionSettings(namespace: "opensre", constLabels: [:]))
        #expect(configuration.grpcReceiver == OTLPGRPCConfiguration())
        #expect(configuration.grpcReceiver?.endpoint == Endpoint(host: "0.0.0.0", port: 4317))
        #expect(configuration.grpcReceiver?.maxReceiveMessageSize == 64 << 20)
        #expect(configuration.warnings == [])
    }

    @Test("the committed config/opensre.yaml is that file")
    func committedFile() throws {
        let path = #filePath.replacingOccurrences(of: "Tests/OpenSREConfigTests/CollectorConfigurationTests.swift", with: "config/opensre.yaml")
        #expect(try CollectorConfiguration.load(path: path) == CollectorConfiguration.parse(yaml: Self.collectorShaped))
    }

    @Test("every supported key is read")
    func allKeys() throws {
        let configuration = try CollectorConfiguration.parse(
            yaml: """
                receivers:
                  otlp/app:
                    protocols:
                      http:
                        endpoint: 127.0.0.1:14318
                        max_request_body_size: 1048576
                processors:
                  batch/fast:
                    send_batch_size: 100
                    timeout: 1s
                exporters:
                  prometheus:
                    endpoint: ":9464"
                    namespace: app
                    const_labels:
                      cluster: eu-1
                service:
                  pipelines:
                    metrics/main:
                      receivers: [otlp/app]
                      processors: [batch/fast]
                      exporters: [prometheus]
                """)
        #expect(configuration.receiver == OTLPHTTPConfiguration(endpoint: Endpoint(host: "127.0.0.1", port: 14318), maxRequestBodySize: 1_048_576))
        #expect(configuration.batching.sendBatchSize == 100 && configuration.batching.timeout == .seconds(1))
        #expect(configuration.exporter.endpoint == Endpoint(host: "0.0.0.0", port: 9464))
        #expect(configuration.exporter.exposition == ExpositionSettings(namespace: "app", constLabels: ["cluster": "eu-1"]))
        #expect(configuration.warnings.isEmpty)
    }

    @Test("the Collector's Prometheus exporter keys")
    func exporterKeys() throws {
        let configuration = try CollectorConfiguration.parse(
            yaml: """
                receivers: { otlp: { protocols: { http: } } }
                exporters:
                  prometheus:
                    translation_strategy: NoUTF8EscapingWithSuffixes
                    without_scope_info: true
                    resource_to_telemetry_conversion:
                      enabled: true
                    metric_expiration: 10m
                    send_timestamps: true
                    enable_open_metrics: false
                    ui: false
                service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
                """)
        #expect(!configuration.exporter.ui)
        #expect(try CollectorConfiguration.parse(yaml: Self.collectorShaped).exporter.ui, "the pages are on by default")
        #expect(
            configuration.exporter.exposition
                == ExpositionSettings(
                    translationStrategy: .noUTF8EscapingWithSuffixes, withoutScopeInfo: true,
                    resourceToTelemetryConversion: true, metricExpiration: .seconds(600), sendTimestamps: true,
                    enableOpenMetrics: false))
        #expect(configuration.exporter.exposition.metricExpiration == .seconds(600))
        let defaults = try CollectorConfiguration.parse(yaml: Self.collectorShaped).exporter.exposition
        #expect(defaults.metricExpiration == .seconds(300) && defaults.enableOpenMetrics && !defaults.sendTimestamps)
    }

    @Test("max_series_bytes: read in bytes, at least 1 MiB; absent means the default (resolved with the memory_limiter)")
    func maxSeriesBytes() throws {
        func yaml(_ setting: String) -> String {
            """
            receivers: { otlp: { protocols: { http: } } }
            exporters: { prometheus: { \(setting) } }
            service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
            """
        }
        #expect(try CollectorConfiguration.parse(yaml: yaml("max_series_bytes: 268435456")).exporter.exposition.maxSeriesBytes == 256 << 20)
        #expect(try CollectorConfiguration.parse(yaml: yaml("max_series: 10")).exporter.exposition.maxSeriesBytes == nil)
        #expect(issues(yaml("max_series_bytes: 512")) == ["exporters.prometheus.max_series_bytes (line 2): must be at least 1048576, got 512"])
        #expect(issues(yaml("max_series_bytes: 1GiB")) == ["exporters.prometheus.max_series_bytes (line 2): expected an integer"])
    }

    @Test("max_request_body_size: at most 1 GiB, so a remote Content-Length times the reservation factor cannot overflow")
    func maxRequestBodySize() throws {
        let yaml = { (size: String) in
            """
            receivers: { otlp: { protocols: { http: { max_request_body_size: \(size) } } } }
            exporters: { prometheus: }
            service: { pipelines: { metrics: { receivers: [otlp], exporters: [prometheus] } } }
            """
        }
        #expect(try CollectorConfiguration.parse(yaml: yaml("1073741824")).receiver.maxRequestBodySize == 1 << 30)
        #expect(
            issues(yaml("9223372036854775807")) == [
                "receivers.otlp.protocols.http.max_request_body_size (line 1): must be at most 1073741824, got 9223372036854775807"
            ])
    }

    @Test("add_metric_suffixes: false means UnderscoreEscapingWithoutSuffixes (deprecated, warned)")
    func addMetricSuffixes() throws {
        let yaml = Self.collectorShaped.replacingOccurrences(of: "namespace: \"opensre\"", with: "add_metric_suffixes: false")
        let configuration = try CollectorConfiguration.parse(yaml: yaml)
        #expect(configuration.exporter.exposition.translationStrategy == .underscoreEscapingWithoutSuffixes)
        #expect(configuration.warnings.contains("exporters.prometheus.add_metric_suffixes is deprecated; use translation_strategy"))
        #expect(
            issues(yaml.replacingOccurrences(of: "add_metric_suffixes: false", with: "translation_strategy: Fancy")) == [
                "exporters.prometheus.translation_strategy (line 11): unknown strategy \"Fancy\" (expected one of: UnderscoreEscapingWithSuffixes, UnderscoreEscapingWithoutSuffixes, NoUTF8EscapingWithSuffixes, NoTranslation)"
            ])
    }

    @Test("memory_limiter: limits validated, percentages of the available memory")
    func memoryLimiter() throws {
        func limiter(_ settings: String) -> [String] {
            issues(
                """
                receivers: { otlp: { protocols: { http: } } }
                processors: { memory_limiter: { \(settings) } }
                exporters: { prometheus: }
                service: { pipelines: { metrics: { receivers: [otlp], processors: [memory_limiter], exporters: [prometheus] } } }
                """)
        }
        #expect(limiter("check_interval: 1s") == ["processors.memory_limiter.limit_mib (line 2): missing: set limit_mib or limit_percentage"])
        #expect(limiter("limit_mib: 100, spike_limit_mib: 100") == ["processors.memory_limiter.spike_limit_mib (line 2): must be less than limit_mib (100)"])
        #expect(limiter("limit_percentage: 120") == ["processors.memory_limiter.limit_percentage (line 2): must be at most 100"])
        #expect(limiter("limit_mib: 100") == [])
        let percent = MemoryLimiterConfiguration(limitPercentage: 80, spikeLimitPercentage: 20)
        #expect(percent.limits(available: 1000 << 20) == (hard: 800 << 20, soft: 600 << 20))
        let mib = MemoryLimiterConfiguration(limitMiB: 500)
        #expect(mib.limits(available: 1 << 40) == (hard: 500 << 20, soft: 400 << 20))
    }

    @Test("a typo'd key is an error naming its path and line")
    func typo() {
        let yaml = Self.collectorShaped.replacingOccurrences(of: "  batch:", with: "  batch:\n    send_batch_sise: 10")
        #expect(
            issues(yaml) == [
                "processors.batch.send_batch_sise (line 8): unknown key \"send_batch_sise\" (expected one of: send_batch_size, timeout, golden_signals)"
            ])
    }

    @Test("all problems are reported at once")
    func several() {
        let yaml = """
            receivers:
              otlp:
                protocols:
                  http:
                    endpoint: nowhere
            processors:
              batch:
                timeout: soon
                send_batch_size: 0
            exporters:
              prometheus:
                namespace: "bad-name"
                const_labels: { "9x": a }
              kafka:
            service:
              pipelines:
                metrics:
                  receivers: [otlp, zipkin]
                  processors: [batch]
                  exporters: [prometheus]
                traces:
                  receivers: [otlp]
            extras: 1
            """
        #expect(
            issues(yaml) == [
                "extras (line 23): unknown key \"extras\" (expected one of: receivers, processors, exporters, connectors, service)",
                "exporters.kafka (line 14): unknown component type \"kafka\" (supported: prometheus, prometheusremotewrite)",
                "service.pipelines.metrics.receivers[1]: receiver \"zipkin\" is not defined in the receivers section",
                "receivers.otlp.protocols.http.endpoint (line 5): expected host:port (e.g. 0.0.0.0:4318), got \"nowhere\"",
                "processors.batch.timeout (line 8): expected a duration such as 200ms, 5m or 1h, got \"soon\"",
                "processors.batch.send_batch_size (line 9): must be at least 1, got 0",
                "exporters.prometheus.namespace (line 12): must match [a-zA-Z_:][a-zA-Z0-9_:]* (or be empty), got \"bad-name\"",
                "exporters.prometheus.const_labels.9x (line 13): not a valid Prometheus label name",
                "service.pipelines.traces.exporters (line 22): a traces pipeline exports into exactly one spanmetrics connector (defined in connectors); spans are not stored or forwarded",
            ])
    }

    @Test("a pipeline without the exporter, or with an undefined one, is rejected")
    func pipelineReferences() {
        #expect(
            issues(
                """
                receivers: { otlp: { protocols: { http: } } }
                exporters: { prometheus: }
                service: { pipelines: { metrics: { receivers: [otlp] } } }
                """) == ["service.pipelines.metrics.exporters (line 3): missing: list the prometheus exporter, the prometheusremotewrite exporter or both"])
        #expect(
            issues("receivers: { otlp: { protocols: { http: } } }") == [
                "service (line 1): missing: a service.pipelines.metrics section is required"
            ])
        #expect(issues("") == ["<root>: the configuration is empty"])
        #expect(issues("receivers: [") .first?.hasPrefix("<root>: not valid YAML") == true)
    }

    @Test("an otlp receiver without http is rejected (only OTLP/HTTP is served)")
    func grpcOnly() {
        let yaml = Self.collectorShaped.replacingOccurrences(of: "      http:\n", with: "")
        #expect(issues(yaml) == ["receivers.otlp.protocols.http (line 4): missing: OpenSRE receives OTLP over HTTP; add `http:`"])
    }

    @Test("an unreadable file is an error")
    func missingFile() {
        #expect(throws: ConfigurationError.self) { try CollectorConfiguration.load(path: "/nonexistent/opensre.yaml") }
    }

    @Test("the slo processor without definitions (a first SLO still to draft) only persists the golden baselines")
    func sloWithoutDefinitions() throws {
        func yaml(_ slo: String) -> String {
            Self.collectorShaped.replacingOccurrences(of: "  batch:\n", with: "  batch:\n  slo: \(slo)\n")
                .replacingOccurrences(of: "processors: [batch]", with: "processors: [batch, slo]")
        }
        for slo in ["{ state_dir: /var/lib/opensre }", "{ definitions: [], state_dir: /var/lib/opensre }"] {
            let configuration = try CollectorConfiguration.parse(yaml: yaml(slo))
            #expect(configuration.slo?.definitions == [])
            #expect(configuration.slo?.stateDirectory == "/var/lib/opensre")
        }
        #expect(try CollectorConfiguration.parse(yaml: yaml("{}")).slo?.stateDirectory == "data/slo")
    }
}
