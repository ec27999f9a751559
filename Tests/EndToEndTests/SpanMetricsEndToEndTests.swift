import Foundation
import OpenSRETestSupport
import Testing

/// Span metrics through the built executable, fed by a Flask app under
/// `opentelemetry-instrument` (`flask_spans_app.py`): its server spans,
/// exported over OTLP/HTTP protobuf and over gRPC, become RED series, golden
/// signals and SLO events, with exact counts.
///
/// Durations are the server's own: the fast routes answer in a few
/// milliseconds (well under the 0.25 s bound asserted), the slow ones sleep
/// 350 ms (over the SLO's 0.3 s, under 0.5 s).
@Suite("Span metrics end to end", .serialized)
struct SpanMetricsEndToEndTests {
    static let calls = "opensre_traces_span_metrics_calls_total"
    static let bucket = "opensre_traces_span_metrics_duration_seconds_bucket"
    static let count = "opensre_traces_span_metrics_duration_seconds_count"

    /// An SLO on the span duration: a `/checkout` span is good when it did not
    /// fail and took at most 300 ms (a bound the collector adds to the buckets).
    static let checkoutSLO = """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: checkout-fast
          displayName: Checkout within 300 ms
        spec:
          service: flask-spans
          budgetingMethod: Occurrences
          timeWindow:
            - duration: 1d
              isRolling: true
          objectives:
            - target: 0.9
          indicator:
            metadata:
              name: checkout-fast-and-ok
            spec:
              ratioMetric:
                counter: true
                good:
                  metricSource:
                    type: opensre
                    spec:
                      metric: traces.span.metrics.duration
                      match:
                        service.name: flask-spans
                        http.route: /checkout
                        status.code: STATUS_CODE_(UNSET|OK)
                      le: 0.3
                total:
                  metricSource:
                    type: opensre
                    spec:
                      metric: traces.span.metrics.duration
                      match:
                        service.name: flask-spans
                        http.route: /checkout
        """

    /// The labels of a Flask server span's series (old HTTP conventions, the
    /// instrumentation's default), sorted as the exposition writes them.
    static func labels(_ route: String, code: Int = 200, job: String = "flask-spans", instance: String = "flask-1") -> String {
        let status = code >= 500 ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET"
        return #"http_method="GET",http_route="\#(route)",http_status_code="\#(code)",instance="\#(instance)",job="\#(job)","#
            + #"otel_scope_name="spanmetricsconnector",service_name="\#(job)",span_kind="SPAN_KIND_SERVER","#
            + #"span_name="GET \#(route)",status_code="\#(status)""#
    }

    // MARK: 1. RED series, golden signals and an SLO from spans alone

    @Test(
        "Flask spans alone (traces exporter only): exact calls, buckets, golden signals and SLO events",
        arguments: ["http/protobuf", "grpc"])
    func spansAlone(transport: String) async throws {
        let collector = try await SpanMetricsCollector.start(slo: Self.checkoutSLO)
        defer { collector.kill() }
        let app = try FlaskApp.start(
            environment: collector.appEnvironment(service: "flask-spans", transport: transport), script: "flask_spans_app.py")
        defer { app.stop() }
        // 6 fast, 3 slow, 2 failing; on /checkout 5 fast, 2 slow and 1 failing.
        let traffic: [(path: String, times: Int, status: Int)] = [
            ("/fast", 6, 200), ("/slow", 3, 200), ("/fail", 2, 500),
            ("/checkout", 5, 200), ("/checkout?delay=0.4", 2, 200), ("/checkout?status=500", 1, 500),
        ]
        try await Self.send(traffic, to: app)

        let job = #"{job="flask-spans"}"#
        let page = try await collector.waitForPage { $0.contains("opensre_golden_requests_total\(job) 19\n") }
        #expect(page != nil, "\(transport): golden requests never reached 19\n\(collector.lastPage)\n\(collector.log)")
        let text = page ?? ""
        let lines = Set(text.split(separator: "\n").map(String.init))

        // Exactly one series per route and status; /checkout's fast and slow 200s share one.
        let expectedCalls: Set<String> = [
            "\(Self.calls){\(Self.labels("/fast"))} 6",
            "\(Self.calls){\(Self.labels("/slow"))} 3",
            "\(Self.calls){\(Self.labels("/fail", code: 500))} 2",
            "\(Self.calls){\(Self.labels("/checkout"))} 7",
            "\(Self.calls){\(Self.labels("/checkout", code: 500))} 1",
        ]
        #expect(lines.filter { $0.hasPrefix(Self.calls + "{") } == expectedCalls, "\(transport):\n\(text)")
        // Buckets: the SLO's 0.3 sits between the conventions' 0.25 and 0.5.
        let buckets: [(labels: String, le: String, count: Int)] = [
            (Self.labels("/fast"), "0.25", 6), (Self.labels("/fast"), "+Inf", 6),
            (Self.labels("/slow"), "0.25", 0), (Self.labels("/slow"), "0.3", 0), (Self.labels("/slow"), "0.5", 3),
            (Self.labels("/fail", code: 500), "0.25", 2),
            (Self.labels("/checkout"), "0.25", 5), (Self.labels("/checkout"), "0.3", 5), (Self.labels("/checkout"), "0.5", 7),
            (Self.labels("/checkout", code: 500), "0.25", 1),
        ]
        for (labels, le, count) in buckets {
            let line = #"\#(Self.bucket){\#(labels),le="\#(le)"} \#(count)"#
            #expect(lines.contains(line), "\(transport): missing \(line)\n\(text)")
        }
        #expect(lines.contains("\(Self.count){\(Self.labels("/slow"))} 3"))

        // Golden signals from the same spans: 19 requests, the 3 with a 500 are errors.
        for line in [
            "opensre_golden_requests_total\(job) 19",
            "opensre_golden_errors_total\(job) 3",
            #"opensre_golden_request_duration_seconds_bucket{job="flask-spans",le="0.25"} 14"#,
            #"opensre_golden_request_duration_seconds_bucket{job="flask-spans",le="0.5"} 19"#,
        ] {
            #expect(lines.contains(line), "\(transport): missing \(line)\n\(text)")
        }

        // The SLO: of the 8 /checkout spans, 5 are good; the 2 slow ones and the failed one are bad.
        for line in [
            #"opensre_slo_events_total{outcome="good",slo="checkout-fast"} 5"#,
            #"opensre_slo_events_total{outcome="bad",slo="checkout-fast"} 3"#,
        ] {
            #expect(lines.contains(line), "\(transport): missing \(line)\n\(text)")
        }
        let api = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/api/v1/slos/checkout-fast")
        let slo = try #require((try JSONSerialization.jsonObject(with: Data(api.body)) as? [String: Any])?["slo"] as? [String: Any])
        #expect(slo["events"] as? Int == 8 && slo["badEvents"] as? Int == 3, "\(transport): \(api.text)")

        // OpenMetrics: the slow route's 0.5 bucket carries the slowest span's IDs and duration.
        let openMetrics = try await TestHTTPConnection.send(
            port: collector.exporterPort, .GET, "/metrics",
            headers: [("Accept", "application/openmetrics-text; version=1.0.0")]
        ).text
        let prefix = #"\#(Self.bucket){\#(Self.labels("/slow")),le="0.5"} 3 # {"#
        let exemplar = try #require(
            openMetrics.split(separator: "\n").first { $0.hasPrefix(prefix) }, "\(transport): no exemplar\n\(openMetrics)")
        let match = try #require(
            exemplar.dropFirst(prefix.count).wholeMatch(of: /trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\} ([0-9.e-]+) [0-9.]+/),
            "\(transport): \(exemplar)")
        let value = try #require(Double(match.3))
        #expect(value > 0.35 && value <= 0.5, "\(transport): \(exemplar)")

        // Every span was accepted; none went to overflow.
        #expect(RealClientTests.total(of: "opensre_collector_points_refused_total", in: text) == 0, "\(text)")
        #expect(RealClientTests.total(of: "opensre_collector_span_metrics_overflow_spans_total", in: text) == 0)
        let served = transport == "grpc"
            ? RealClientTests.total(of: #"opensre_collector_requests_total{code="OK",transport="grpc"}"#, in: text)
            : RealClientTests.total(of: #"opensre_collector_requests_total{code="200",transport="http"}"#, in: text)
        #expect(served >= 1, "\(transport): no exports answered over \(transport)\n\(text)")
        #expect(try await collector.stop() == 0)
    }

    // MARK: 2. Spans and metrics from one app: counted once

    /// The handover rule (``GoldenSignals``): a resource's spans feed the
    /// golden signals until its request metrics arrive; from that batch on
    /// only the metrics count. Requests whose spans arrive after the metrics
    /// that already include them are missed (never doubled), so with periodic
    /// exports the first interval is a race. The app therefore exports only
    /// when asked (`/flush?signal=…`; both periodic intervals are ten
    /// minutes), which makes every count exact, and lets each source run
    /// ahead of the other: golden signals that follow the spans' counts, or
    /// add both, show. The service instance is the SDK's default (a random
    /// UUID per process, shared by the app's spans and metrics).
    @Test("an app sending spans and request metrics: counted by spans, then by metrics from their first export, never both")
    func spansAndMetrics() async throws {
        let collector = try await SpanMetricsCollector.start()
        defer { collector.kill() }
        var environment = collector.appEnvironment(service: "flask-both", transport: "http/protobuf", instance: nil)
        environment["OTEL_METRICS_EXPORTER"] = "otlp"
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "600000"
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "600000"
        let app = try FlaskApp.start(environment: environment, script: "flask_spans_app.py")
        defer { app.stop() }
        let job = #"{job="flask-both"}"#
        let metricCount = "opensre_http_server_duration_milliseconds_count"
        func golden(_ requests: Int, _ errors: Int) -> (String) -> Bool {
            { $0.contains("opensre_golden_requests_total\(job) \(requests)\n") && $0.contains("opensre_golden_errors_total\(job) \(errors)\n") }
        }

        // 5 requests, their spans alone exported: the spans count them.
        try await Self.send([("/fast", 4, 200), ("/fail", 1, 500)], to: app)
        try await Self.flush(app, "traces")
        var page = try await collector.waitForPage { RealClientTests.total(of: Self.calls, in: $0) == 5 }
        #expect(page.map(golden(5, 1)) == true, "spans did not count\n\(page ?? collector.lastPage)")
        #expect(RealClientTests.total(of: metricCount, in: page ?? "") == 0, "no metrics exported yet")

        // The first metrics export (cumulative: it includes those 5): the metrics take over at their values.
        try await Self.flush(app, "metrics")
        page = try await collector.waitForPage { RealClientTests.total(of: metricCount, in: $0) == 5 }
        #expect(page.map(golden(5, 1)) == true, "handover\n\(page ?? collector.lastPage)")

        // 6 more requests, metrics exported first: the golden signals follow the metrics.
        try await Self.send([("/fast", 3, 200), ("/fail", 2, 500), ("/slow", 1, 200)], to: app)
        try await Self.flush(app, "metrics")
        page = try await collector.waitForPage { RealClientTests.total(of: metricCount, in: $0) == 11 }
        #expect(page.map(golden(11, 3)) == true, "metrics did not count\n\(page ?? collector.lastPage)")
        #expect(RealClientTests.total(of: Self.calls, in: page ?? "") == 5, "spans of the second round not exported yet")

        // Their spans arrive later: exported as span metrics, not counted again.
        try await Self.flush(app, "traces")
        page = try await collector.waitForPage { RealClientTests.total(of: Self.calls, in: $0) == 11 }
        let final = try #require(page, "spans of the second round missing\n\(collector.lastPage)")
        let lines = Set(final.split(separator: "\n").map(String.init))
        for line in [
            "opensre_golden_requests_total\(job) 11",
            "opensre_golden_errors_total\(job) 3",
            #"opensre_golden_request_duration_seconds_bucket{job="flask-both",le="0.25"} 10"#,
            #"opensre_golden_request_duration_seconds_bucket{job="flask-both",le="0.5"} 11"#,
        ] {
            #expect(lines.contains(line), "missing \(line)\n\(final)")
        }
        #expect(RealClientTests.total(of: metricCount, in: final) == 11)
        #expect(try await collector.stop() == 0)
    }

    // MARK: 3. An app restart

    @Test("an app restarted (new process, same service and instance): calls keep adding, no reset in Prometheus")
    func appRestart() async throws {
        let prometheusBinary = try #require(ProgramRun.which("prometheus"), "prometheus missing: apt-get install prometheus")
        let collector = try await SpanMetricsCollector.start()
        defer { collector.kill() }
        let prometheus = try PrometheusProcess.start(binary: prometheusBinary, target: collector.exporterPort)
        defer { prometheus.stop() }
        let environment = collector.appEnvironment(service: "flask-restart", transport: "http/protobuf")
        let fast = "\(Self.calls){\(Self.labels("/fast", job: "flask-restart"))}"
        let failed = "\(Self.calls){\(Self.labels("/fail", code: 500, job: "flask-restart"))}"
        var seen: [String: Double] = [:]

        /// Scrapes until `done`, checking on every scrape that no span series went down.
        func watch(until done: (String) -> Bool) async throws -> String? {
            try await collector.waitForPage { page in
                for line in page.split(separator: "\n") where line.hasPrefix(Self.calls + "{") || line.hasPrefix(Self.count + "{") {
                    guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
                    let series = String(line[..<space])
                    #expect(value >= seen[series, default: 0], "\(series) went from \(seen[series, default: 0]) to \(value)")
                    seen[series] = value
                }
                return done(page)
            }
        }

        let first = try FlaskApp.start(environment: environment, script: "flask_spans_app.py")
        defer { first.stop() }
        try await Self.send([("/fast", 4, 200), ("/fail", 1, 500)], to: first)
        let before = try await watch { $0.contains("\(fast) 4\n") && $0.contains("\(failed) 1\n") }
        #expect(before != nil, "first run never counted\n\(collector.lastPage)")
        let query = #"sum(opensre_traces_span_metrics_calls_total{job="flask-restart"})"#
        #expect(try await prometheus.waitFor(query, toEqual: 5, timeout: .seconds(30)) == 5, "\(prometheus.log())")
        first.stop()

        let second = try FlaskApp.start(environment: environment, script: "flask_spans_app.py")
        defer { second.stop() }
        try await Self.send([("/fast", 3, 200)], to: second)
        let after = try await watch { $0.contains("\(fast) 7\n") }
        #expect(after != nil, "second run never counted\n\(collector.lastPage)")
        let lines = Set((after ?? "").split(separator: "\n").map(String.init))
        #expect(lines.contains("\(failed) 1"))
        #expect(lines.contains("\(Self.count){\(Self.labels("/fast", job: "flask-restart"))} 7"))
        #expect(lines.contains(#"opensre_golden_requests_total{job="flask-restart"} 8"#))
        #expect(lines.contains(#"opensre_golden_errors_total{job="flask-restart"} 1"#))

        // Prometheus saw 5, then 8, and never a drop.
        #expect(try await prometheus.waitFor(query, toEqual: 8, timeout: .seconds(30)) == 8, "\(prometheus.log())")
        let resets = try await prometheus.value(#"sum(resets(opensre_traces_span_metrics_calls_total{job="flask-restart"}[5m]))"#)
        #expect(resets == 0, "\(prometheus.log())")
        #expect(try await collector.stop() == 0)
    }

    // MARK: 4. The cardinality limit

    @Test("aggregation_cardinality_limit 3: three series for the first three routes, the rest in the overflow series")
    func cardinalityLimit() async throws {
        let collector = try await SpanMetricsCollector.start(connector: "aggregation_cardinality_limit: 3")
        defer { collector.kill() }
        let app = try FlaskApp.start(
            environment: collector.appEnvironment(service: "flask-many", transport: "http/protobuf"), script: "flask_spans_app.py")
        defer { app.stop() }
        // Routes in order, each with its own count: /r/1 to /r/3 take the three places.
        try await Self.send((1...5).map { ("/r/\($0)", $0, 200) }, to: app)
        let overflowLabels = #"instance="flask-1",job="flask-many",otel_metric_overflow="true",otel_scope_name="spanmetricsconnector",service_name="flask-many",status_code="STATUS_CODE_UNSET""#
        var page = try await collector.waitForPage { $0.contains(#"opensre_golden_requests_total{job="flask-many"} 15\#n"#) }
        #expect(page != nil, "golden requests never reached 15\n\(collector.lastPage)")
        var lines = (page ?? "").split(separator: "\n").map(String.init)
        #expect(
            Set(lines.filter { $0.hasPrefix(Self.calls + "{") }) == [
                "\(Self.calls){\(Self.labels("/r/1", job: "flask-many"))} 1",
                "\(Self.calls){\(Self.labels("/r/2", job: "flask-many"))} 2",
                "\(Self.calls){\(Self.labels("/r/3", job: "flask-many"))} 3",
                "\(Self.calls){\(overflowLabels)} 9",
            ], "\(page ?? "")")
        #expect(lines.contains("\(Self.count){\(overflowLabels)} 9"))
        #expect(lines.contains(#"\#(Self.bucket){\#(overflowLabels),le="0.25"} 9"#))
        #expect(lines.contains("opensre_collector_span_metrics_overflow_spans_total 9"), "\(page ?? "")")

        // Known routes keep their places; a sixth route overflows too.
        try await Self.send([("/r/1", 2, 200), ("/r/6", 1, 200)], to: app)
        page = try await collector.waitForPage { $0.contains(#"opensre_golden_requests_total{job="flask-many"} 18\#n"#) }
        lines = (page ?? "").split(separator: "\n").map(String.init)
        #expect(lines.contains("\(Self.calls){\(Self.labels("/r/1", job: "flask-many"))} 3"), "\(page ?? "")")
        #expect(lines.contains("\(Self.calls){\(overflowLabels)} 10"))
        #expect(lines.filter { $0.hasPrefix(Self.calls + "{") }.count == 4)
        #expect(lines.contains("opensre_collector_span_metrics_overflow_spans_total 10"))

        // Failures on a new key overflow into the service's ERROR overflow series: still its errors.
        try await Self.send([("/fail", 2, 500)], to: app)
        page = try await collector.waitForPage { $0.contains(#"opensre_golden_requests_total{job="flask-many"} 20\#n"#) }
        lines = (page ?? "").split(separator: "\n").map(String.init)
        let errorOverflow = overflowLabels.replacingOccurrences(of: "STATUS_CODE_UNSET", with: "STATUS_CODE_ERROR")
        #expect(lines.contains("\(Self.calls){\(overflowLabels)} 10"), "\(page ?? collector.lastPage)")
        #expect(lines.contains("\(Self.calls){\(errorOverflow)} 2"), "\(page ?? collector.lastPage)")
        #expect(lines.contains(#"opensre_golden_errors_total{job="flask-many"} 2"#))
        #expect(try await collector.stop() == 0)
    }

    // MARK: 5. Expiry

    @Test("metrics_expiration 2s on the connector: span series leave the scrape after 2 s idle, other series stay")
    func expiry() async throws {
        let collector = try await SpanMetricsCollector.start(connector: "metrics_expiration: 2s")
        defer { collector.kill() }
        let posted = try await TestHTTPConnection.send(
            port: collector.receiverPort, .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")],
            body: Fixtures.bytes("mixed.pb"))
        #expect(posted.status == .ok)
        let other = #"opensre_system_cpu_utilization_ratio{cpu_state="user",instance="pod-1",job="shop/checkout",otel_scope_name="fixture.meter",otel_scope_version="0.1.0"} 0.25"#
        let app = try FlaskApp.start(
            environment: collector.appEnvironment(service: "flask-idle", transport: "http/protobuf"), script: "flask_spans_app.py")
        defer { app.stop() }
        let fast = "\(Self.calls){\(Self.labels("/fast", job: "flask-idle"))}"

        try await Self.send([("/fast", 2, 200)], to: app)
        let lastRequest = ContinuousClock.now
        let counted = try await collector.waitForPage { $0.contains("\(fast) 2\n") }
        #expect(counted?.contains(other + "\n") == true, "\(counted ?? "")")
        let gone = try await collector.waitForPage { !$0.contains("opensre_traces_span_metrics_") }
        let idle = ContinuousClock.now - lastRequest
        #expect(gone != nil, "span series never expired\n\(collector.lastPage)")
        // The spans were folded in after the last request ended, so not before 2 s from it.
        #expect(idle >= .seconds(2), "gone after \(idle)")
        #expect(gone?.contains(other + "\n") == true, "the fixture's series expired too\n\(gone ?? "")")
        #expect(gone?.contains(#"opensre_golden_requests_total{job="flask-idle"} 2"#) == true, "\(gone ?? "")")
        #expect(RealClientTests.total(of: "opensre_collector_series_expired_total", in: gone ?? "") >= 2)

        // A new span starts the series again, from its own count.
        try await Self.send([("/fast", 1, 200)], to: app)
        let back = try await collector.waitForPage { $0.contains("\(fast) 1\n") }
        #expect(back != nil, "\(collector.lastPage)")
        #expect(back?.contains(#"opensre_golden_requests_total{job="flask-idle"} 3"#) == true, "\(back ?? "")")
        #expect(try await collector.stop() == 0)
    }

    // MARK: Helpers

    /// Sends each path `times` times, one after the other, expecting `status`.
    static func send(_ traffic: [(path: String, times: Int, status: Int)], to app: FlaskApp) async throws {
        for (path, times, status) in traffic {
            for _ in 0..<times {
                let response = try await TestHTTPConnection.send(port: app.port, .GET, path)
                #expect(Int(response.status.code) == status, "\(path): \(response.status)")
            }
        }
    }

    /// Has the app export its finished spans or its metrics (`signal`:
    /// `traces` or `metrics`), answered before this returns.
    static func flush(_ app: FlaskApp, _ signal: String) async throws {
        let response = try await TestHTTPConnection.send(port: app.port, .GET, "/flush?signal=\(signal)")
        #expect(response.status == .ok && response.text == "\(signal)=True", "\(response.text)")
    }
}

/// The `opensre` executable with a traces pipeline into a `spanmetrics`
/// connector (its settings given), OTLP over HTTP and gRPC on ports of their
/// own, an optional `slo` processor, and its log in a file.
final class SpanMetricsCollector: @unchecked Sendable {
    // @unchecked: used only by the test that started it.
    let receiverPort: Int
    let grpcPort: Int
    let exporterPort: Int
    private let executable: RunningExecutable
    private let directory: URL
    private var stopped = false

    private init(receiverPort: Int, grpcPort: Int, exporterPort: Int, executable: RunningExecutable, directory: URL) {
        self.receiverPort = receiverPort
        self.grpcPort = grpcPort
        self.exporterPort = exporterPort
        self.executable = executable
        self.directory = directory
    }

    /// - Parameters:
    ///   - connector: the `spanmetrics` connector's settings (YAML flow items); empty for its defaults.
    ///   - slo: an OpenSLO document for the `slo` processor, nil for none.
    static func start(connector: String = "", slo: String? = nil) async throws -> SpanMetricsCollector {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-spans-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let receiver = try ExecutableTests.freePort()
        let grpc = try ExecutableTests.freePort()
        let exporter = try ExecutableTests.freePort()
        var processors = "  batch: { timeout: 200ms }\n"
        if let slo {
            let definitions = directory.appendingPathComponent("slos.yaml").path
            try slo.write(toFile: definitions, atomically: true, encoding: .utf8)
            processors += "  slo: { definitions: [\(definitions)], state_dir: \(directory.appendingPathComponent("state").path) }\n"
        }
        let config = directory.appendingPathComponent("opensre.yaml").path
        try """
            receivers:
              otlp:
                protocols:
                  http: { endpoint: "127.0.0.1:\(receiver)" }
                  grpc: { endpoint: "127.0.0.1:\(grpc)" }
            processors:
            \(processors)
            connectors:
              spanmetrics:\(connector.isEmpty ? "" : " { \(connector) }")
            exporters:
              prometheus: { endpoint: "127.0.0.1:\(exporter)", shutdown_grace_period: 0s }
            service:
              pipelines:
                traces: { receivers: [otlp], exporters: [spanmetrics] }
                metrics: { receivers: [otlp, spanmetrics], processors: [batch\(slo == nil ? "" : ", slo")], exporters: [prometheus] }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("opensre.log").path
        let executable = try await RunningExecutable.start(config: config, readyPort: receiver, readyPath: "/readyz", log: log)
        let collector = SpanMetricsCollector(
            receiverPort: receiver, grpcPort: grpc, exporterPort: exporter, executable: executable, directory: directory)
        guard (try? await TestHTTPConnection.send(port: receiver, .GET, "/readyz"))?.status == .ok else {
            let text = collector.log
            collector.kill()
            throw SpanMetricsCollectorError.notReady(text)
        }
        return collector
    }

    /// What the executable logged (warnings and errors).
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("opensre.log"), encoding: .utf8)) ?? ""
    }

    /// The `OTEL_*` settings of an app exporting spans only to this collector,
    /// over `transport` (`http/protobuf` or `grpc`, each to its own port), its
    /// batch span processor exporting every 100 ms. `instance` pins
    /// `service.instance.id` (nil: the SDK's random one).
    func appEnvironment(service: String, transport: String, instance: String? = "flask-1") -> [String: String] {
        var environment = [
            "OTEL_SERVICE_NAME": service,
            "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(transport == "grpc" ? grpcPort : receiverPort)",
            "OTEL_EXPORTER_OTLP_PROTOCOL": transport,
            "OTEL_TRACES_EXPORTER": "otlp",
            "OTEL_METRICS_EXPORTER": "none",
            "OTEL_LOGS_EXPORTER": "none",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            // The test's own flush requests make no span and no measurement.
            "OTEL_PYTHON_FLASK_EXCLUDED_URLS": "flush",
        ]
        if let instance { environment["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=\(instance)" }
        return environment
    }

    /// The page of the latest scrape (for failure messages).
    private(set) var lastPage = ""

    func scrapeText() async throws -> String {
        lastPage = try await TestHTTPConnection.send(port: exporterPort, .GET, "/metrics").text
        return lastPage
    }

    /// Scrapes every 100 ms until `condition` holds (the page), or nil after `timeout`.
    func waitForPage(timeout: Duration = .seconds(30), _ condition: (String) -> Bool) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let page = try await scrapeText()
            if condition(page) { return page }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    /// SIGTERM; the exit status.
    func stop() async throws -> Int32 {
        stopped = true
        return try await executable.stop()
    }

    /// SIGKILL unless stopped already; removes the files.
    func kill() {
        if !stopped { executable.kill9() }
        stopped = true
        try? FileManager.default.removeItem(at: directory)
    }

    enum SpanMetricsCollectorError: Error { case notReady(String) }
}
