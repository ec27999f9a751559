import Foundation
import OpenSRETestSupport
import Testing

/// The built executable writing to Debian's Prometheus 2.42 (started with
/// `--web.enable-remote-write-receiver --enable-feature=native-histograms`),
/// fed by the Python OpenTelemetry SDK; values read back through the query API.
@Suite("Remote write end to end", .serialized)
struct RemoteWriteEndToEndTests {
    static func prometheus() async throws -> PrometheusProcess {
        let binary = try #require(ProgramRun.which("prometheus"), "prometheus missing: apt-get install prometheus")
        let prometheus = try PrometheusProcess.start(
            binary: binary, target: nil,
            arguments: ["--web.enable-remote-write-receiver", "--enable-feature=native-histograms"])
        #expect(try await prometheus.waitUntilReady(timeout: .seconds(30)), "Prometheus log:\n\(prometheus.log())")
        return prometheus
    }

    /// A configuration writing to `prometheus`; `scrapePort` adds the
    /// prometheus exporter there; `remoteWrite` adds keys to the exporter.
    static func config(
        receiver: Int, prometheus: Int, scrapePort: Int? = nil, remoteWrite: [String] = [], exportInterval: String = "1s",
        processors: String = "batch: {}", pipeline: String = "[batch]"
    ) throws -> String {
        let scrape = scrapePort.map { #"prometheus: { endpoint: "127.0.0.1:\#($0)", shutdown_grace_period: 0s, namespace: opensre }"# } ?? ""
        return try ExecutableTests.writeConfig(
            """
            receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:\(receiver)" } } } }
            processors: { \(processors) }
            exporters:
              \(scrape)
              prometheusremotewrite:
                endpoint: http://127.0.0.1:\(prometheus)/api/v1/write
                \(scrapePort == nil ? "namespace: opensre" : "")
                export_interval: \(exportInterval)
                retry_on_failure: { max_interval: 1s, max_elapsed_time: 0s }
                \(remoteWrite.joined(separator: "\n    "))
            service:
              pipelines:
                metrics:
                  receivers: [otlp]
                  processors: \(pipeline)
                  exporters: [\(scrapePort == nil ? "" : "prometheus, ")prometheusremotewrite]
            """)
    }

    static func client(_ script: String, _ arguments: [String]) async throws -> ProgramRun {
        try await ProgramRun.run(
            EndToEndTests.python,
            [Fixtures.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/\(script)").path] + arguments)
    }

    /// A self-metric of the collector's own page (summed over its series).
    static func selfMetric(_ name: String, port: Int) async throws -> Double {
        let page = try await TestHTTPConnection.send(port: port, .GET, "/metrics").text
        return page.split(separator: "\n").filter { $0.hasPrefix(name + " ") || $0.hasPrefix(name + "{") }
            .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }

    static func within(_ value: Double?, _ expected: Double) -> Bool {
        guard let value else { return false }
        return abs(value - expected) <= 1e-9 * max(1, abs(expected))
    }

    @Test("SDK counters, delta counters, histograms, exponential histograms (native), golden signals and SLOs, exact; remote write alone listens on nothing else")
    func sdkToPrometheus() async throws {
        let prometheus = try await Self.prometheus()
        defer { prometheus.stop() }
        let receiver = try ExecutableTests.freePort()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-rw-slo-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let slos = Fixtures.repositoryRoot.appendingPathComponent("config/slos/checkout.yaml").path
        let config = try Self.config(
            receiver: receiver, prometheus: prometheus.port, remoteWrite: ["external_labels: { collector: rw-a }"],
            processors: "batch: {}, slo: { definitions: [\(slos)], state_dir: \(state) }", pipeline: "[batch, slo]")
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = try await RunningExecutable.start(config: config, readyPort: receiver, readyPath: "/readyz")

        // Only the receiver listens: no scrape endpoint without the prometheus exporter.
        if let ss = ProgramRun.which("ss") {
            let listening = try await ProgramRun.run(ss, ["-ltnpH"]).output.split(separator: "\n")
                .filter { $0.contains("pid=\(collector.pid),") }
            #expect(listening.count == 1 && listening[0].contains(":\(receiver) "), "\(listening)")
        }

        let once = try await Self.client("sdk_remote_write_client.py", ["http://127.0.0.1:\(receiver)/v1/metrics", "once"])
        #expect(once.status == 0, "\(once.output)")
        let slo = try await Self.client("sdk_slo_client.py", ["http://127.0.0.1:\(receiver)/v1/metrics", "985", "10", "5"])
        #expect(slo.status == 0, "\(slo.output)")

        let exact: [(String, Double)] = [
            (#"opensre_orders_placed_total{payment_method="card",collector="rw-a",job="rw-shop"}"#, 3),
            (#"opensre_orders_placed_total{payment_method="cash"}"#, 2),
            ("opensre_events_seen_total", 10),  // delta 4 + 6, accumulated
            ("opensre_checkout_duration_seconds_count", 4),
            ("opensre_checkout_duration_seconds_sum", 3),
            (#"opensre_checkout_duration_seconds_bucket{le="0.5"}"#, 3),
            ("histogram_count(opensre_payload_size_bytes)", 5),
            ("histogram_sum(opensre_payload_size_bytes)", 18),
            (#"opensre_golden_requests_total{job="checkout"}"#, 1000),
            (#"opensre_golden_errors_total{job="checkout"}"#, 10),
            (#"opensre_slo_events_total{outcome="bad",slo="checkout-availability"}"#, 10),
            (#"opensre_slo_events_total{outcome="good",slo="checkout-availability"}"#, 990),
            (#"opensre_slo_error_budget_remaining_ratio{slo="checkout-availability"}"#, -9),
            (#"count(opensre_target_info{job="rw-shop"})"#, 1),
        ]
        for (query, value) in exact {
            let got = try await prometheus.waitFor(query, toEqual: value, timeout: .seconds(20))
            #expect(got == value, "\(query): \(String(describing: got))")
        }
        // Classic buckets: the median lies in (0.1, 0.5], 2 of its 3 observations in.
        let median = try await prometheus.value("histogram_quantile(0.5, opensre_checkout_duration_seconds_bucket)")
        #expect(Self.within(median, 0.1 + 0.4 * 2 / 3), "\(String(describing: median))")
        // The exponential histogram arrived as one native series, not as buckets.
        #expect(try await prometheus.value(#"count({__name__=~"opensre_payload_size_bytes_bucket"})"#) == nil)
        // Every series carries the external label.
        #expect(try await prometheus.value(#"count({__name__=~".+",collector!="rw-a"})"#) == nil)
        #expect(try await collector.stop() == 0)
    }

    @Test("Prometheus down for 20 s while data flows: every sample arrives afterwards, in order, none dropped")
    func outage() async throws {
        let prometheus = try await Self.prometheus()
        defer { prometheus.stop() }
        let receiver = try ExecutableTests.freePort()
        let scrape = try ExecutableTests.freePort()
        let config = try Self.config(receiver: receiver, prometheus: prometheus.port, scrapePort: scrape)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = try await RunningExecutable.start(config: config, readyPort: scrape)

        let ticker = Process()
        ticker.executableURL = URL(fileURLWithPath: EndToEndTests.python)
        ticker.arguments = [
            Fixtures.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/sdk_remote_write_client.py").path,
            "http://127.0.0.1:\(receiver)/v1/metrics", "ticks", "30",
        ]
        let output = Pipe()
        ticker.standardOutput = output
        try ticker.run()
        try await Task.sleep(for: .seconds(4))
        prometheus.pause()
        try await Task.sleep(for: .seconds(20))
        try prometheus.restart()
        #expect(try await prometheus.waitUntilReady(timeout: .seconds(30)))
        ticker.waitUntilExit()
        #expect(ticker.terminationStatus == 0)
        let total = Double(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines))
        let ticks = try #require(total)

        let got = try await prometheus.waitFor("opensre_ticks_total", toEqual: ticks, timeout: .seconds(30))
        #expect(got == ticks)
        // Export k carries exports_total = k: k+1 samples when none is missing.
        let exports = "opensre_collector_remote_write_exports_total"
        let last = try #require(try await prometheus.value("max_over_time(\(exports)[10m])"))
        #expect(try await prometheus.value("count_over_time(\(exports)[10m])") == last + 1)
        #expect(last >= 25)
        // The outage was felt (attempts failed and were retried), and nothing was given up.
        #expect(try await Self.selfMetric("opensre_collector_remote_write_samples_retried_total", port: scrape) > 0)
        #expect(try await Self.selfMetric("opensre_collector_remote_write_samples_dropped_total", port: scrape) == 0)
        #expect(try await collector.stop() == 0)
    }

    @Test("kill -9 during an outage with a wal: after a restart every acknowledged point's effect arrives, nothing acknowledged is sent twice")
    func killWithWAL() async throws {
        let prometheus = try await Self.prometheus()
        defer { prometheus.stop() }
        let receiver = try ExecutableTests.freePort()
        let scrape = try ExecutableTests.freePort()
        let wal = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-wal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: wal) }
        let first = try Self.config(
            receiver: receiver, prometheus: prometheus.port, scrapePort: scrape,
            remoteWrite: ["external_labels: { run: a }", "wal: { directory: \(wal) }"])
        defer { try? FileManager.default.removeItem(atPath: first) }
        var collector = try await RunningExecutable.start(config: first, readyPort: scrape)

        // Delivered before the outage.
        let once = try await Self.client("sdk_remote_write_client.py", ["http://127.0.0.1:\(receiver)/v1/metrics", "once"])
        #expect(once.status == 0, "\(once.output)")
        #expect(try await prometheus.waitFor(#"opensre_orders_placed_total{payment_method="card"}"#, toEqual: 3, timeout: .seconds(20)) == 3)
        let sentBefore = try await Self.selfMetric("opensre_collector_remote_write_requests_total", port: scrape)
        let exportsAtPause = try await Self.selfMetric("opensre_collector_remote_write_exports_total", port: scrape)
        prometheus.pause()

        // Acknowledged by the collector while Prometheus is down.
        let ticks = try await Self.client("sdk_remote_write_client.py", ["http://127.0.0.1:\(receiver)/v1/metrics", "ticks", "3"])
        #expect(ticks.status == 0, "\(ticks.output)")
        let total = try #require(Double(ticks.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        try await Task.sleep(for: .seconds(3))
        let queued = try await Self.selfMetric("opensre_collector_remote_write_queue_requests", port: scrape)
        let exportsAtKill = try await Self.selfMetric("opensre_collector_remote_write_exports_total", port: scrape)
        #expect(try await Self.selfMetric("opensre_collector_remote_write_wal_bytes", port: scrape) > 0)
        collector.kill9()

        // The same WAL, no exports of its own for an hour: what it sends is what the log held.
        let second = try Self.config(
            receiver: receiver, prometheus: prometheus.port, scrapePort: scrape,
            remoteWrite: ["external_labels: { run: b }", "wal: { directory: \(wal) }"], exportInterval: "1h")
        defer { try? FileManager.default.removeItem(atPath: second) }
        collector = try await RunningExecutable.start(config: second, readyPort: scrape)
        let replayed = try await Self.selfMetric("opensre_collector_remote_write_queue_requests", port: scrape)
        let perExport = queued / max(exportsAtKill - exportsAtPause, 1)
        #expect(replayed >= queued && replayed <= queued + perExport + 1, "queued \(queued), replayed \(replayed), per export \(perExport), sent before \(sentBefore)")

        try prometheus.restart()
        #expect(try await prometheus.waitUntilReady(timeout: .seconds(30)))
        #expect(try await prometheus.waitFor(#"opensre_ticks_total{run="a"}"#, toEqual: total, timeout: .seconds(30)) == total)
        for _ in 0..<200 where try await Self.selfMetric("opensre_collector_remote_write_queue_requests", port: scrape) > 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        // Each replayed request went out once, accepted at the first attempt.
        #expect(try await Self.selfMetric(#"opensre_collector_remote_write_requests_total{code="204"}"#, port: scrape) == replayed)
        let exports = #"opensre_collector_remote_write_exports_total{run="a"}"#
        let last = try #require(try await prometheus.value("max_over_time(\(exports)[10m])"))
        #expect(try await prometheus.value("count_over_time(\(exports)[10m])") == last + 1)
        #expect(try await collector.stop() == 0)
    }

    @Test("three collectors with their own external_labels write to one Prometheus: sums across them are what the apps sent")
    func threeInstances() async throws {
        let prometheus = try await Self.prometheus()
        defer { prometheus.stop() }
        var collectors: [RunningExecutable] = []
        var configs: [String] = []
        defer { for config in configs { try? FileManager.default.removeItem(atPath: config) } }
        for (name, (fast, errors)) in zip(["a", "b", "c"], [(100, 1), (200, 2), (300, 3)]) {
            let receiver = try ExecutableTests.freePort()
            let config = try Self.config(
                receiver: receiver, prometheus: prometheus.port, remoteWrite: ["external_labels: { collector: \(name) }"])
            configs.append(config)
            collectors.append(try await RunningExecutable.start(config: config, readyPort: receiver, readyPath: "/readyz"))
            let run = try await Self.client("sdk_slo_client.py", ["http://127.0.0.1:\(receiver)/v1/metrics", "\(fast - errors)", "\(errors)", "0"])
            #expect(run.status == 0, "\(run.output)")
        }
        let requests = #"sum(opensre_golden_requests_total{job="checkout"})"#
        #expect(try await prometheus.waitFor(requests, toEqual: 600, timeout: .seconds(20)) == 600)
        #expect(try await prometheus.waitFor(#"sum(opensre_golden_errors_total{job="checkout"})"#, toEqual: 6, timeout: .seconds(20)) == 6)
        #expect(try await prometheus.value(#"count(opensre_golden_requests_total{job="checkout"})"#) == 3)
        #expect(try await prometheus.value(#"sum by (collector) (opensre_golden_requests_total{collector="b"})"#) == 200)
        for collector in collectors { #expect(try await collector.stop() == 0) }
    }
}
