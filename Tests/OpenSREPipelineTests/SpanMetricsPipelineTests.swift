import Foundation
import Synchronization
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRESLO
import OpenSRETestSupport
import Testing

/// Spans decoded into span metrics and folded into the store: cumulative
/// series, the golden signals' fallback source, SLO events, the per-service
/// cap and expiry.
@Suite("Span metrics in the store")
struct SpanMetricsPipelineTests {
    typealias Span = OTLPTraceProtobuf

    static let now: UInt64 = 1_700_000_000 * 1_000_000_000

    static func apply(
        _ store: SeriesStore, _ spans: [ProtobufWriter], service: String = "checkout", instance: String = "i1",
        rules: SpanMetricsRules = SpanMetricsRules(SpanMetricsConfiguration(), cardinality: nil), wallClock: UInt64 = now
    ) throws -> OTLPDecodeResult {
        let body = Span.request(spans, service: service, instance: instance)
        let result = try body.withUnsafeBytes { try OTLPProtobufDecoder().decodeTraces($0, rules: rules) }
        store.apply(result.batch, now: wallClock, wallClock: wallClock)
        return result
    }

    static func lines(_ store: SeriesStore, _ prefixes: String...) -> [String] {
        String(decoding: ScrapeSources.render(store, wallClock: now), as: UTF8.self).split(separator: "\n")
            .map(String.init).filter { line in prefixes.contains { line.hasPrefix($0) } }
    }

    static func route(_ route: String, status: Int64 = 200) -> [ProtobufWriter] {
        [OTLPProtobuf.keyValue("http.route", route), Span.keyValue("http.response.status_code", status)]
    }

    static let payLabels =
        #"http_response_status_code="200",http_route="/pay",instance="i1",job="checkout",otel_scope_name="spanmetricsconnector",service_name="checkout",span_kind="SPAN_KIND_SERVER",span_name="POST /pay",status_code="STATUS_CODE_UNSET""#

    @Test("calls and duration accumulate across requests, and a new process adds to them")
    func accumulate() throws {
        let store = SeriesStore()
        _ = try Self.apply(store, [
            Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay")),
            Span.span("POST /pay", milliseconds: 260, attributes: Self.route("/pay")),
            Span.span("GET /child", kind: 3, milliseconds: 5),  // a client span: not counted
        ])
        _ = try Self.apply(store, [Span.span("POST /pay", milliseconds: 70, attributes: Self.route("/pay"))], instance: "i1")
        #expect(Self.lines(store, "opensre_traces_span_metrics_calls_total") == [
            "opensre_traces_span_metrics_calls_total{\(Self.payLabels)} 3"
        ])
        #expect(Self.lines(store, "opensre_traces_span_metrics_duration_seconds_bucket{\(Self.payLabels),le=\"0.05\"}",
            "opensre_traces_span_metrics_duration_seconds_bucket{\(Self.payLabels),le=\"0.075\"}",
            "opensre_traces_span_metrics_duration_seconds_bucket{\(Self.payLabels),le=\"0.5\"}",
            "opensre_traces_span_metrics_duration_seconds_sum{\(Self.payLabels)}") == [
            "opensre_traces_span_metrics_duration_seconds_bucket{\(Self.payLabels),le=\"0.05\"} 1",
            "opensre_traces_span_metrics_duration_seconds_bucket{\(Self.payLabels),le=\"0.075\"} 2",
            "opensre_traces_span_metrics_duration_seconds_bucket{\(Self.payLabels),le=\"0.5\"} 3",
            "opensre_traces_span_metrics_duration_seconds_sum{\(Self.payLabels)} 0.37",
        ])
    }

    @Test("errors: status ERROR, an HTTP 5xx or a non-OK gRPC status; latency on the golden buckets")
    func golden() throws {
        let store = SeriesStore()
        _ = try Self.apply(store, [
            Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay")),
            Span.span("POST /pay", milliseconds: 300, status: 2, attributes: Self.route("/pay", status: 500)),
            Span.span("POST /pay", milliseconds: 20, attributes: Self.route("/pay", status: 503)),
            Span.span("Check", milliseconds: 2, attributes: [
                OTLPProtobuf.keyValue("rpc.method", "Check"), Span.keyValue("rpc.grpc.status_code", 5),
            ]),
            Span.span("Check", milliseconds: 3, attributes: [
                OTLPProtobuf.keyValue("rpc.method", "Check"), Span.keyValue("rpc.grpc.status_code", 0),
            ]),
        ])
        #expect(Self.lines(store, "opensre_golden_requests_total", "opensre_golden_errors_total",
            #"opensre_golden_request_duration_seconds_bucket{job="checkout",le="0.005"}"#,
            #"opensre_golden_request_duration_seconds_bucket{job="checkout",le="0.25"}"#) == [
            #"opensre_golden_errors_total{job="checkout"} 3"#,
            #"opensre_golden_request_duration_seconds_bucket{job="checkout",le="0.005"} 2"#,
            #"opensre_golden_request_duration_seconds_bucket{job="checkout",le="0.25"} 4"#,
            #"opensre_golden_requests_total{job="checkout"} 5"#,
        ])
    }

    /// `http.server.request.duration` points of the same resource the spans came from.
    static func metrics(ok: Int, start: UInt64 = 1) -> [UInt8] {
        var histogram = ProtobufWriter()
        var point = ProtobufWriter()
        point.fixed64(2, start)
        point.fixed64(3, now)
        point.fixed64(4, UInt64(ok))
        point.double(5, 0.01 * Double(ok))
        point.message(9, OTLPProtobuf.keyValue("http.route", "/pay"))
        point.fixed64(6, UInt64(ok))
        point.fixed64(6, 0)
        point.double(7, 0.1)
        histogram.message(1, point)
        histogram.varint(2, 2)
        var metric = ProtobufWriter()
        metric.string(1, "http.server.request.duration")
        metric.string(3, "s")
        metric.message(9, histogram)
        return OTLPProtobuf.request(
            [metric], resource: [OTLPProtobuf.keyValue("service.name", "checkout"), OTLPProtobuf.keyValue("service.instance.id", "i1")])
    }

    @Test("metrics win: spans count until the resource's request metrics arrive, then never again")
    func metricsWin() throws {
        let store = SeriesStore()
        _ = try Self.apply(store, [Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay"))])
        _ = try Self.apply(store, [Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay"))])
        #expect(Self.lines(store, "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="checkout"} 2"#])
        // The app's metrics (cumulative since its start) include those two
        // requests and a third: they only set the baseline.
        store.apply(try Self.metrics(ok: 3).withUnsafeBytes { try OTLPProtobufDecoder().decode($0) }.batch)
        _ = try Self.apply(store, [Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay"))])
        #expect(Self.lines(store, "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="checkout"} 2"#])
        store.apply(try Self.metrics(ok: 7).withUnsafeBytes { try OTLPProtobufDecoder().decode($0) }.batch)
        #expect(Self.lines(store, "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="checkout"} 6"#])
        // The span series themselves are still exported.
        #expect(Self.lines(store, "opensre_traces_span_metrics_calls_total").first?.hasSuffix("} 3") == true)
    }

    @Test("metrics first: the resource's spans never feed the golden signals")
    func metricsFirst() throws {
        let store = SeriesStore()
        store.apply(try Self.metrics(ok: 4).withUnsafeBytes { try OTLPProtobufDecoder().decode($0) }.batch)
        _ = try Self.apply(store, [Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay"))])
        #expect(Self.lines(store, "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="checkout"} 4"#])
        // Another instance that sends only spans is counted from them.
        _ = try Self.apply(store, [Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay"))], instance: "i2")
        #expect(Self.lines(store, "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="checkout"} 5"#])
    }

    static let slos = try! OpenSLOLoader.parse(
        yaml: """
            apiVersion: openslo/v1
            kind: SLO
            metadata: { name: pay-fast }
            spec:
              budgetingMethod: Occurrences
              timeWindow: [{ duration: 7d, isRolling: true }]
              objectives: [{ target: 0.9 }]
              indicator:
                spec:
                  ratioMetric:
                    good: { metricSource: { type: opensre, spec: { metric: traces.span.metrics.duration, le: 0.3, match: { service.name: checkout, http.route: /pay, status.code: "STATUS_CODE_(OK|UNSET)" } } } }
                    total: { metricSource: { type: opensre, spec: { metric: traces.span.metrics.duration, match: { service.name: checkout, http.route: /pay } } } }
            """)

    @Test("an SLO on span-derived events: good = not ERROR and under 300 ms, counted exactly")
    func slo() throws {
        let store = SeriesStore(slo: SLOEngine(definitions: Self.slos, now: 0))
        // What the configuration does: the SLO's 0.3 becomes a bucket bound.
        let rules = SpanMetricsRules(SpanMetricsConfiguration().addingBounds([0.3]), cardinality: nil)
        _ = try Self.apply(store, [
            Span.span("POST /pay", milliseconds: 120, attributes: Self.route("/pay")),
            Span.span("POST /pay", milliseconds: 290, attributes: Self.route("/pay")),
            Span.span("POST /pay", milliseconds: 310, attributes: Self.route("/pay")),
            Span.span("POST /pay", milliseconds: 50, status: 2, attributes: Self.route("/pay", status: 500)),
            Span.span("GET /cart", milliseconds: 50, attributes: Self.route("/cart")),
        ], rules: rules)
        #expect(Self.lines(store, "opensre_slo_events_total") == [
            #"opensre_slo_events_total{outcome="bad",slo="pay-fast"} 2"#,
            #"opensre_slo_events_total{outcome="good",slo="pay-fast"} 2"#,
        ])
    }

    @Test("past aggregation_cardinality_limit a service's new keys go to its overflow series")
    func overflow() throws {
        let clock = TestTime()
        let guardian = SpanCardinalityGuard(limit: 2, expiration: 60_000_000_000, clock: { clock.now })
        let rules = SpanMetricsRules(SpanMetricsConfiguration(), cardinality: guardian)
        let store = SeriesStore()
        let spans = ["/a", "/b", "/c", "/d"].map { Span.span("GET \($0)", milliseconds: 10, attributes: Self.route($0)) }
        _ = try Self.apply(store, spans + [spans[3]], rules: rules)
        let calls = Self.lines(store, "opensre_traces_span_metrics_calls_total")
        #expect(calls.count == 3)
        #expect(calls.filter { $0.contains(#"http_route="/a""#) || $0.contains(#"http_route="/b""#) }.map { $0.hasSuffix(" 1") } == [true, true])
        #expect(calls.contains(
            #"opensre_traces_span_metrics_calls_total{instance="i1",job="checkout",otel_metric_overflow="true",otel_scope_name="spanmetricsconnector",service_name="checkout",status_code="STATUS_CODE_UNSET"} 3"#))
        #expect(guardian.overflowedSpans == 3)
        // Known keys keep their series; another service has its own limit.
        _ = try Self.apply(store, [spans[0], spans[2]], rules: rules)
        _ = try Self.apply(store, [spans[2]], service: "cart", rules: rules)
        let after = Self.lines(store, "opensre_traces_span_metrics_calls_total")
        #expect(after.contains { $0.contains(#"http_route="/a""#) && $0.hasSuffix(" 2") })
        #expect(after.contains { $0.contains("otel_metric_overflow") && $0.contains(#"job="checkout""#) && $0.hasSuffix(" 4") })
        #expect(after.contains { $0.contains(#"http_route="/c""#) && $0.contains(#"job="cart""#) })
        #expect(guardian.takeReport() == "span metrics over aggregation_cardinality_limit (2 series per service) went to the overflow series (otel.metric.overflow=true): checkout: 4 spans")
        #expect(guardian.takeReport() == nil)
        // Failed spans past the limit go to the ERROR overflow series: still golden errors.
        _ = try Self.apply(store, [Span.span("GET /e", milliseconds: 10, status: 2, attributes: Self.route("/e", status: 500))], rules: rules)
        #expect(Self.lines(store, "opensre_traces_span_metrics_calls_total").contains(
            #"opensre_traces_span_metrics_calls_total{instance="i1",job="checkout",otel_metric_overflow="true",otel_scope_name="spanmetricsconnector",service_name="checkout",status_code="STATUS_CODE_ERROR"} 1"#))
        #expect(Self.lines(store, #"opensre_golden_errors_total{job="checkout"}"#) == [#"opensre_golden_errors_total{job="checkout"} 1"#])
        #expect(guardian.takeReport() == nil)
        // A key unseen for the expiration frees its place.
        clock.now = 120_000_000_000
        _ = try Self.apply(store, [spans[3]], rules: rules)
        #expect(guardian.overflowedSpans == 5)
        clock.now = 200_000_000_000
        _ = try Self.apply(store, [spans[3]], rules: rules)
        #expect(guardian.overflowedSpans == 5)
    }

    @Test("span series expire on metrics_expiration while other series stay")
    func expiry() throws {
        var settings = ExpositionSettings(metricExpiration: .seconds(300))
        settings.derivedExpiration = .seconds(2)
        let store = SeriesStore(settings: settings)
        _ = try Self.apply(store, [Span.span("POST /pay", milliseconds: 40, attributes: Self.route("/pay"))], wallClock: 1_000_000_000)
        store.apply(try Self.metrics(ok: 1).withUnsafeBytes { try OTLPProtobufDecoder().decode($0) }.batch, now: 1_000_000_000)
        #expect(store.expire(now: 2_500_000_000) == 0)
        #expect(store.expire(now: 3_500_000_000) == 2)
        #expect(Self.lines(store, "opensre_traces_span_metrics").isEmpty)
        #expect(!Self.lines(store, "opensre_http_server_request_duration_seconds_count").isEmpty)
    }
}

/// A monotonic clock the test sets.
final class TestTime: Sendable {
    private let value = Atomic<UInt64>(0)
    var now: UInt64 {
        get { value.load(ordering: .relaxed) }
        set { value.store(newValue, ordering: .relaxed) }
    }
}
