import OTLPDecoding
import OpenSREConfig
import OpenSREModel
import OpenSREPipeline
import Testing

/// `connectors.spanmetrics` and the traces pipeline, in the Collector's shape.
@Suite("Span metrics configuration")
struct SpanMetricsConfigurationTests {
    static func yaml(connector: String = "spanmetrics:", traces: String? = nil, metricsReceivers: String = "[otlp, spanmetrics]") -> String {
        """
        receivers:
          otlp:
            protocols:
              http:
        processors:
          batch:
        exporters:
          prometheus:
        connectors:
          \(connector.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n  "))
        service:
          pipelines:
            traces: \(traces ?? "{ receivers: [otlp], exporters: [spanmetrics] }")
            metrics: { receivers: \(metricsReceivers), processors: [batch], exporters: [prometheus] }
        """
    }

    func issues(_ yaml: String) -> [String] {
        do {
            _ = try CollectorConfiguration.parse(yaml: yaml)
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test("the issue's file: defaults, and without a traces pipeline no span metrics")
    func defaults() throws {
        let configuration = try CollectorConfiguration.parse(yaml: Self.yaml())
        let spans = try #require(configuration.spanMetrics)
        #expect(spans == SpanMetricsConfiguration())
        #expect(spans.namespace == "traces.span.metrics")
        #expect(spans.buckets == .explicit([0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]))
        #expect(spans.unit == .seconds)
        #expect(spans.spanKinds == [2, 5])
        #expect(spans.cardinalityLimit == 1000)
        #expect(spans.exemplars)
        #expect(configuration.warnings.isEmpty)
        #expect(try CollectorConfiguration.parse(yaml: CollectorConfigurationTests.collectorShaped).spanMetrics == nil)
    }

    @Test("the committed config/opensre-traces.yaml loads with the defaults")
    func committedFile() throws {
        let path = #filePath.replacingOccurrences(
            of: "Tests/OpenSREConfigTests/SpanMetricsConfigurationTests.swift", with: "config/opensre-traces.yaml")
        let configuration = try CollectorConfiguration.load(path: path, environment: [:])
        #expect(configuration.spanMetrics == SpanMetricsConfiguration())
        #expect(configuration.grpcReceiver != nil)
        #expect(configuration.warnings.isEmpty)
    }

    @Test("every key of the Collector's connector, and span_metrics as its new name")
    func keys() throws {
        let connector = """
            span_metrics/red:
              namespace: red
              dimensions:
                - name: http.route
                - name: tenant
                  default: none
              exclude_dimensions: [http.route]
              histogram:
                unit: ms
                explicit:
                  buckets: [2ms, 100ms, 1s, 2500]
              exemplars: { enabled: false, max_per_data_point: 5 }
              metrics_expiration: 2m
              aggregation_cardinality_limit: 50
              span_kinds: [SPAN_KIND_SERVER, SPAN_KIND_CLIENT]
              aggregation_temporality: AGGREGATION_TEMPORALITY_CUMULATIVE
              metrics_flush_interval: 15s
            """
        let configuration = try CollectorConfiguration.parse(
            yaml: Self.yaml(
                connector: connector, traces: "{ receivers: [otlp], processors: [batch], exporters: [span_metrics/red] }",
                metricsReceivers: "[otlp, span_metrics/red]"))
        let spans = try #require(configuration.spanMetrics)
        #expect(spans.namespace == "red")
        #expect(spans.callsName == "red.calls")
        #expect(spans.dimensions == [.init(name: "tenant", defaultValue: "none")])
        #expect(spans.unit == .milliseconds)
        #expect(spans.buckets == .explicit([2, 100, 1000, 2500]))
        #expect(!spans.exemplars)
        #expect(spans.metricsExpiration == .seconds(120))
        #expect(configuration.exporter.exposition.effectiveDerivedExpiration == .seconds(120))
        #expect(spans.cardinalityLimit == 50)
        #expect(spans.spanKinds == [2, 3])
        #expect(configuration.warnings == [
            "connectors.span_metrics/red.metrics_flush_interval is ignored: spans are folded into span metrics as each request arrives"
        ])
    }

    @Test("exponential buckets, seconds bounds from durations")
    func histograms() throws {
        let exponential = try CollectorConfiguration.parse(
            yaml: Self.yaml(connector: "spanmetrics:\n  histogram: { exponential: { max_size: 80 } }"))
        #expect(exponential.spanMetrics?.buckets == .exponential(maxSize: 80))
        let explicit = try CollectorConfiguration.parse(
            yaml: Self.yaml(connector: "spanmetrics:\n  histogram: { explicit: { buckets: [100ms, 0.3, 2s] } }"))
        #expect(explicit.spanMetrics?.buckets == .explicit([0.1, 0.3, 2]))
    }

    @Test("the Collector's other keys: cache sizes and resource key attributes warn, what OpenSRE does not derive is refused with why")
    func collectorKeys() throws {
        let accepted = try CollectorConfiguration.parse(
            yaml: Self.yaml(
                connector: "spanmetrics:\n  metric_timestamp_cache_size: 500\n  resource_metrics_key_attributes: [service.name]"))
        #expect(accepted.spanMetrics != nil)
        #expect(accepted.warnings == [
            "connectors.spanmetrics.metric_timestamp_cache_size is ignored: spans are folded into span metrics as each request arrives",
            "connectors.spanmetrics.resource_metrics_key_attributes is ignored: span series are keyed by job and instance like every series (other resource attributes go to target_info), so attributes that change across restarts do not split them",
        ])
        let refused = issues(
            Self.yaml(
                connector: """
                    spanmetrics:
                      events: { enabled: true, dimensions: [{ name: exception.type }] }
                      calls_dimensions: [{ name: tenant }]
                      include_instrumentation_scope: [flask]
                      histogram: { dimensions: [{ name: tenant }] }
                    """))
        #expect(refused.map { $0.replacing(#/ \(line \d+\)/#, with: "") } == [
            "connectors.spanmetrics.events: span event metrics (events) are not supported",
            "connectors.spanmetrics.calls_dimensions: dimensions on calls only are not supported: list them in dimensions (both metrics)",
            "connectors.spanmetrics.include_instrumentation_scope: instrumentation scope dimensions are not supported",
            "connectors.spanmetrics.histogram.dimensions: dimensions on duration only are not supported: list them in dimensions (both metrics)",
        ])
    }

    @Test("mistakes are named by their key")
    func mistakes() {
        #expect(issues(Self.yaml(connector: "spanmetrics:\n  dimensionz: []")) == [
            "connectors.spanmetrics.dimensionz (line 11): unknown key \"dimensionz\" (expected one of: dimensions, exclude_dimensions, histogram, exemplars, metrics_expiration, aggregation_cardinality_limit, namespace, span_kinds, aggregation_temporality, metrics_flush_interval, dimensions_cache_size, resource_metrics_cache_size, metric_timestamp_cache_size, resource_metrics_key_attributes, calls_dimensions, events, include_instrumentation_scope)"
        ])
        #expect(issues(Self.yaml(connector: "spanmetrics:\n  histogram: { unit: h, explicit: { buckets: [1s, 500ms] } }")) == [
            "connectors.spanmetrics.histogram.unit (line 11): expected s or ms, got \"h\"",
            "connectors.spanmetrics.histogram.explicit.buckets[1] (line 11): bucket bounds must increase",
        ])
        #expect(issues(Self.yaml(connector: "spanmetrics:\n  aggregation_temporality: AGGREGATION_TEMPORALITY_DELTA")).count == 1)
        #expect(issues(Self.yaml(connector: "spanmetrics:\n  span_kinds: [SERVER]")).first?.contains("unknown span kind \"SERVER\"") == true)
        #expect(issues(Self.yaml(metricsReceivers: "[otlp]")) == [
            "service.pipelines.traces.exporters (line 13): connector \"spanmetrics\" must also be listed as a receiver of the metrics pipeline"
        ])
        #expect(issues(Self.yaml(traces: "{ receivers: [otlp], exporters: [prometheus] }")) == [
            "service.pipelines.traces.exporters (line 13): a traces pipeline exports into exactly one spanmetrics connector (defined in connectors); spans are not stored or forwarded"
        ])
        #expect(issues(Self.yaml(traces: "{ receivers: [otlp], processors: [slo], exporters: [spanmetrics] }")).first?.contains("takes only batch and memory_limiter processors") == true)
    }

    static func parseHistogram(_ histogram: String) throws(ConfigurationError) -> CollectorConfiguration {
        try CollectorConfiguration.parse(yaml: yaml(connector: "spanmetrics:\n  histogram: \(histogram)"))
    }

    @Test("exponential max_size is 2 to 4096: one bucket cannot hold durations on both sides of one unit")
    func exponentialMaxSize() throws {
        #expect(try Self.parseHistogram("{ exponential: { max_size: 2 } }").spanMetrics?.buckets == .exponential(maxSize: 2))
        #expect(try Self.parseHistogram("{ exponential: { max_size: 4096 } }").spanMetrics?.buckets == .exponential(maxSize: 4096))
        do {
            _ = try Self.parseHistogram("{ exponential: { max_size: 1 } }")
            Issue.record("accepted max_size 1")
        } catch {
            let text = error.issues.map(\.description).joined(separator: "\n")
            #expect(text.contains("connectors.spanmetrics.histogram.exponential.max_size (line 11): must be at least 2, got 1"), "\(text)")
        }
    }
}
