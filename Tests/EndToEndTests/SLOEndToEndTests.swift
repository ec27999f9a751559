import Foundation
import OpenSRETestSupport
import Testing

/// SLOs through the built executable: a real SDK's HTTP server histograms in,
/// SLO series out, state kept across a restart, alert rules accepted by promtool.
@Suite("SLOs end to end", .serialized)
struct SLOEndToEndTests {
    static let stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-slo-\(UUID())").path

    static func config(receiver: Int, exporter: Int, stateDirectory: String = Self.stateDirectory, ui: Bool = true) throws -> String {
        let slos = Fixtures.repositoryRoot.appendingPathComponent("config/slos/checkout.yaml").path
        return try ExecutableTests.writeConfig(
            """
            receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:\(receiver)" } } } }
            processors:
              batch:
              slo:
                definitions: [\(slos)]
                state_dir: \(stateDirectory)
                persist_interval: 1s
            exporters: { prometheus: { endpoint: "127.0.0.1:\(exporter)", shutdown_grace_period: 0s, ui: \(ui) } }
            service: { pipelines: { metrics: { receivers: [otlp], processors: [batch, slo], exporters: [prometheus] } } }
            """)
    }

    func sendRequests(port: Int, fast: Int, errors: Int, slow: Int) async throws {
        let run = try await ProgramRun.run(
            EndToEndTests.python,
            [Fixtures.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/sdk_slo_client.py").path,
             "http://127.0.0.1:\(port)/v1/metrics", String(fast), String(errors), String(slow)])
        #expect(run.status == 0, "sdk_slo_client.py: \(run.output)")
    }

    /// ``sendRequests(port:fast:errors:slow:)``, recording a failure to run as an issue.
    func sendRequestsOrRecord(port: Int, fast: Int, errors: Int, slow: Int) async {
        do { try await sendRequests(port: port, fast: fast, errors: errors, slow: slow) } catch { Issue.record(error) }
    }

    func sloLines(_ port: Int) async throws -> [String] {
        try await TestHTTPConnection.send(port: port, .GET, "/metrics").text.split(separator: "\n")
            .map(String.init).filter { $0.hasPrefix("opensre_slo_") }
    }

    @Test("availability and latency SLOs from SDK histograms; state survives a restart of the executable")
    func sdkAndRestart() async throws {
        defer { try? FileManager.default.removeItem(atPath: Self.stateDirectory) }
        let receiver = try ExecutableTests.freePort()
        let exporter = try ExecutableTests.freePort()
        let config = try Self.config(receiver: receiver, exporter: exporter)
        defer { try? FileManager.default.removeItem(atPath: config) }

        var collector = try await RunningExecutable.start(config: config, readyPort: exporter)
        try await sendRequests(port: receiver, fast: 985, errors: 10, slow: 5)
        var lines = try await sloLines(exporter)
        // Availability (99.9%): 10 bad of 1000 — ten budgets' worth: remaining 1 - 10 = -9.
        // Latency (99% within 0.5 s): the 5 slow ones are bad: remaining 1 - 0.5 = 0.5.
        let expected = [
            #"opensre_slo_events_total{outcome="bad",slo="checkout-availability"} 10"#,
            #"opensre_slo_events_total{outcome="bad",slo="checkout-latency"} 5"#,
            #"opensre_slo_events_total{outcome="good",slo="checkout-availability"} 990"#,
            #"opensre_slo_events_total{outcome="good",slo="checkout-latency"} 995"#,
            #"opensre_slo_error_budget_remaining_ratio{slo="checkout-availability"} -9"#,
            #"opensre_slo_error_budget_remaining_ratio{slo="checkout-latency"} 0.5"#,
            #"opensre_slo_budget_status{slo="checkout-availability",status="red"} 1"#,
            #"opensre_slo_budget_status{slo="checkout-latency",status="green"} 1"#,
            #"opensre_slo_burn_rate{slo="checkout-availability",window="5m"} 10"#,
            #"opensre_slo_events_in_window{slo="checkout-latency",window="28d"} 1000"#,
            #"opensre_slo_objective_ratio{slo="checkout-availability"} 0.999"#,
            #"opensre_slo_time_to_exhaustion_seconds{slo="checkout-availability"} 0"#,
        ]
        for line in expected { #expect(lines.contains(line), "missing \(line) in \(lines)") }
        try await checkAPI(exporter)
        try await checkPages(exporter)

        // SIGTERM persists the state; a new process restores it before serving.
        #expect(try await collector.stop() == 0)
        collector = try await RunningExecutable.start(config: config, readyPort: exporter)
        lines = try await sloLines(exporter)
        for line in expected.prefix(6) { #expect(lines.contains(line), "after restart: missing \(line) in \(lines)") }
        // A new SDK process (a new cumulative series) adds exactly its own events.
        try await sendRequests(port: receiver, fast: 100, errors: 0, slow: 0)
        lines = try await sloLines(exporter)
        #expect(lines.contains(#"opensre_slo_events_total{outcome="good",slo="checkout-availability"} 1090"#))
        #expect(lines.contains(#"opensre_slo_events_total{outcome="bad",slo="checkout-availability"} 10"#))
        #expect(try await collector.stop() == 0)
    }

    /// The JSON API shows the numbers the scrape shows.
    func checkAPI(_ port: Int) async throws {
        let list = try await TestHTTPConnection.send(port: port, .GET, "/api/v1/slos")
        #expect(list.status == .ok && list.headers.first(name: "Content-Type") == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(list.body)) as? [String: Any])
        let slos = try #require(body["slos"] as? [[String: Any]])
        #expect(slos.map { $0["name"] as? String } == ["checkout-availability", "checkout-latency"])
        let availability = slos[0]
        #expect(availability["service"] as? String == "checkout" && availability["kind"] as? String == "availability")
        #expect(availability["objective"] as? Double == 0.999 && availability["window"] as? String == "30d")
        #expect(availability["sli"] as? Double == 0.99 && availability["events"] as? Int == 1000 && availability["badEvents"] as? Int == 10)
        #expect(availability["errorBudgetRemaining"] as? Double == -9 && availability["status"] as? String == "red")
        #expect(availability["timeToExhaustionSeconds"] as? Double == 0)
        let windows = try #require(availability["windows"] as? [[String: Any]])
        #expect(windows.first?["window"] as? String == "5m" && windows.first?["burnRate"] as? Double == 10)
        let alerts = (availability["alerts"] as? [[String: Any]] ?? []).compactMap { $0["alert"] as? String }
        #expect(alerts.contains("CheckoutAvailabilityErrorBudgetExhausted"))
        let latency = slos[1]
        #expect(latency["kind"] as? String == "latency" && latency["sli"] as? Double == 0.995)
        #expect(latency["errorBudgetRemaining"] as? Double == 0.5 && latency["status"] as? String == "green")

        let one = try await TestHTTPConnection.send(port: port, .GET, "/api/v1/slos/checkout-latency")
        let slo = try #require((try JSONSerialization.jsonObject(with: Data(one.body)) as? [String: Any])?["slo"] as? [String: Any])
        #expect(one.status == .ok && slo["name"] as? String == "checkout-latency")
        // The detail carries six hours of events per minute for its charts; the list does not.
        let events = try #require(slo["history"] as? [String: Any])
        #expect((events["good"] as? [Int])?.count == 360 && (events["good"] as? [Int])?.reduce(0, +) == 995)
        #expect((events["bad"] as? [Int])?.reduce(0, +) == 5 && events["step"] as? Int == 60)
        #expect(slos.allSatisfy { $0["history"] == nil })
        let missing = try await TestHTTPConnection.send(port: port, .GET, "/api/v1/slos/nope")
        #expect(missing.status == .notFound && missing.text == #"{"error":"no SLO named nope"}"#)
        let post = try await TestHTTPConnection.send(port: port, .POST, "/api/v1/slos")
        #expect(post.status == .methodNotAllowed && post.headers.first(name: "Allow") == "GET")
        // The golden signals of the same requests: totals, and all of them within the history.
        let golden = try await TestHTTPConnection.send(port: port, .GET, "/api/v1/golden")
        let jobs = try #require((try JSONSerialization.jsonObject(with: Data(golden.body)) as? [String: Any])?["jobs"] as? [[String: Any]])
        #expect(golden.status == .ok && jobs.map { $0["job"] as? String } == ["checkout"])
        #expect(jobs.first?["requests"] as? Int == 1000 && jobs.first?["errors"] as? Int == 10)
        let history = try #require(jobs.first?["history"] as? [String: Any])
        #expect((history["requests"] as? [Int])?.reduce(0, +) == 1000 && (history["requests"] as? [Int])?.count == 360)
        #expect((history["errors"] as? [Int])?.reduce(0, +) == 10)
        // 995 requests in the SDK's (0, 0.1] bucket, which goes to the golden 0.1 bound: a p50 in (0.075, 0.1].
        let p50 = (history["p50"] as? [Any])?.compactMap { $0 as? Double } ?? []
        #expect(!p50.isEmpty && p50.allSatisfy { $0 > 0.075 && $0 <= 0.1 })
        let elsewhere = try await TestHTTPConnection.send(port: port, .GET, "/api/v1/other")
        #expect(
            elsewhere.status == .notFound
                && elsewhere.text == "no such endpoint: /api/v1/other (metrics are served on GET /metrics, SLOs on GET /api/v1/slos, golden signals on GET /api/v1/golden, pages on GET /)\n")
    }

    /// The pages' routes (their content is checked in a browser, StatusPagesBrowserTests).
    func checkPages(_ port: Int) async throws {
        let overview = try await TestHTTPConnection.send(port: port, .GET, "/?sort=burn")
        #expect(overview.status == .ok && overview.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
        #expect(
            overview.headers.first(name: "Content-Security-Policy")
                == "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'")
        #expect(overview.text.contains(#"<tr class="slo" data-slo="checkout-availability" data-status="red">"#))
        let script = try await TestHTTPConnection.send(port: port, .GET, "/ui.js")
        #expect(script.status == .ok && script.headers.first(name: "Content-Type") == "text/javascript; charset=utf-8")
        #expect(script.text.hasPrefix(#"document.documentElement.classList.add("js");"#))
        let detail = try await TestHTTPConnection.send(port: port, .GET, "/slo/checkout-latency")
        #expect(detail.status == .ok && detail.text.contains(#"<b id="sli">99.500%</b>"#))
        let missing = try await TestHTTPConnection.send(port: port, .GET, "/slo/nope")
        #expect(missing.status == .notFound && missing.text == "no SLO named nope (the SLOs are listed on /)\n")
        let post = try await TestHTTPConnection.send(port: port, .POST, "/")
        #expect(post.status == .methodNotAllowed && post.headers.first(name: "Allow") == "GET")
        let golden = try await TestHTTPConnection.send(port: port, .GET, "/golden")
        #expect(golden.status == .ok && golden.text.contains(#"<section class="job" data-job="checkout">"#))
    }

    @Test("exporters.prometheus.ui: false answers the pages 404; the JSON API and /metrics stay")
    func uiOff() async throws {
        let receiver = try ExecutableTests.freePort()
        let exporter = try ExecutableTests.freePort()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-ui-off-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let config = try Self.config(receiver: receiver, exporter: exporter, stateDirectory: state, ui: false)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = try await RunningExecutable.start(config: config, readyPort: exporter)
        defer { collector.kill9() }
        for path in ["/", "/slo/checkout-latency", "/golden", "/ui.js"] {
            let page = try await TestHTTPConnection.send(port: exporter, .GET, path)
            #expect(page.status == .notFound && page.text.hasPrefix("no such endpoint: \(path) "), "\(path): \(page.text)")
            #expect(!page.text.contains("pages on GET /"))
        }
        #expect(try await TestHTTPConnection.send(port: exporter, .GET, "/api/v1/slos").status == .ok)
        #expect(try await TestHTTPConnection.send(port: exporter, .GET, "/metrics").status == .ok)
    }

    @Test("opensre slo rules: promtool check rules accepts the output; budget prints the arithmetic")
    func rules() throws {
        let config = try Self.config(receiver: 1, exporter: 2)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let ruleFile = try ProgramRun.runBlocking(ExecutableTests.binary, ["slo", "rules", "--config", config, "--format", "rule-file", "--min-events", "100"])
        #expect(ruleFile.status == 0, "\(ruleFile.output)")
        #expect(ruleFile.output.contains("alert: CheckoutAvailabilityBurnRateHigh"))
        #expect(ruleFile.output.contains("alert: CheckoutLatencyBurnRateHigh"))
        // 28 days: 2% in 1h is 13.44.
        #expect(ruleFile.output.contains(#"opensre_slo_burn_rate{slo="checkout-latency",window="1h"} > 13.44"#))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID()).yaml").path
        try ruleFile.output.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let promtool = try #require(ProgramRun.which("promtool"), "promtool missing: apt-get install prometheus")
        let check = try ProgramRun.runBlocking(promtool, ["check", "rules", path])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 6 rules found"))

        let operatorRule = try ProgramRun.runBlocking(ExecutableTests.binary, ["slo", "rules", "--config", config])
        #expect(operatorRule.output.hasPrefix("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"))

        let budget = try ProgramRun.runBlocking(ExecutableTests.binary, ["slo", "budget", "--total", "1000", "--bad", "1", "--target", "0.999"])
        #expect(budget.output.contains("budget remaining: 0%\n") && budget.output.contains("status: GREEN"))
    }

    @Test("opensre slo rules from OpenSLO alert policies (the committed example): promtool check rules accepts them")
    func policyRules() throws {
        let definitions = Fixtures.repositoryRoot.appendingPathComponent("config/slos-alerting/*.yaml").path
        let ruleFile = try ProgramRun.runBlocking(ExecutableTests.binary, ["slo", "rules", "--definitions", definitions, "--format", "rule-file"])
        #expect(ruleFile.status == 0, "\(ruleFile.output)")
        #expect(ruleFile.output.contains(#"expr: opensre_slo_burn_rate{slo="checkout-availability",window="1h"} >= 14.4"#))
        #expect(ruleFile.output.contains(#"expr: opensre_slo_events_in_window{slo="checkout-availability",window="3d"} == 0"#))
        #expect(!ruleFile.output.contains("BurnRateHigh"), "the policies replace the default ladder")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("policy-rules-\(UUID()).yaml").path
        try ruleFile.output.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let promtool = try #require(ProgramRun.which("promtool"), "promtool missing: apt-get install prometheus")
        let check = try ProgramRun.runBlocking(promtool, ["check", "rules", path])
        #expect(check.status == 0, "\(check.output)")
        // Fast burn, slow burn and its no-data rule, the exhaustion rule.
        #expect(check.output.contains("SUCCESS: 4 rules found"))
    }
}

/// The `opensre` executable running in the background.
final class RunningExecutable: @unchecked Sendable {
    // @unchecked: the process handle is only touched by the test that owns it.
    private let process: Process

    /// Starts the executable and waits until `GET readyPath` answers on `readyPort`.
    static func start(config: String, readyPort: Int, readyPath: String = "/metrics", log: String? = nil) async throws
        -> RunningExecutable
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExecutableTests.binary)
        process.arguments = ["--config", config, "--log-level", "warning"]
        if let log, let handle = FileHandle(forWritingAtPath: log) ?? {
            FileManager.default.createFile(atPath: log, contents: nil)
            return FileHandle(forWritingAtPath: log)
        }() {
            handle.seekToEndOfFile()
            process.standardError = handle
            process.standardOutput = handle
        }
        try process.run()
        for _ in 0..<200 {
            if (try? await TestHTTPConnection.send(port: readyPort, .GET, readyPath))?.status == .ok { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        return RunningExecutable(process: process)
    }

    private init(process: Process) {
        self.process = process
    }

    var pid: Int32 { process.processIdentifier }

    /// SIGKILL: no shutdown, nothing flushed.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM, then the exit status.
    func stop() async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(25)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }
}
