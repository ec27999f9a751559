import Foundation
import OpenSRETestSupport
import Testing

/// `opensre slo dashboard` against a real Prometheus scraping the collector:
/// every query of the dashboard returns data.
@Suite("Grafana dashboard end to end", .serialized)
struct GrafanaDashboardEndToEndTests {
    /// A gauge for saturation and an up-down counter for requests in flight,
    /// from the same service as the SDK's request durations.
    static let saturation = #"""
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
         "scopeMetrics":[{"metrics":[
          {"name":"process.cpu.utilization","unit":"1","gauge":{"dataPoints":[{"timeUnixNano":"TIME","asDouble":0.25}]}},
          {"name":"http.server.active_requests","unit":"{request}","sum":{"aggregationTemporality":2,"isMonotonic":false,
           "dataPoints":[{"startTimeUnixNano":"1","timeUnixNano":"TIME","asInt":"3"}]}}]}]}]}
        """#

    @Test("every query of the printed dashboard returns data from Prometheus (variables as for All)")
    func queriesReturnData() async throws {
        let prometheusBinary = try #require(ProgramRun.which("prometheus"), "prometheus missing: apt-get install prometheus")
        let receiver = try ExecutableTests.freePort()
        let exporter = try ExecutableTests.freePort()
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-dashboard-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let config = try SLOEndToEndTests.config(receiver: receiver, exporter: exporter, stateDirectory: state)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = try await RunningExecutable.start(config: config, readyPort: exporter)
        let prometheus = try PrometheusProcess.start(binary: prometheusBinary, target: exporter)
        defer { prometheus.stop() }

        let printed = try await ProgramRun.run(ExecutableTests.binary, ["slo", "dashboard"])
        #expect(printed.status == 0, "\(printed.output)")
        let model = try #require(try JSONSerialization.jsonObject(with: Data(printed.output.utf8)) as? [String: Any])
        let exprs = (model["panels"] as? [[String: Any]] ?? []).flatMap {
            ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        #expect(exprs.count == 13)

        // Requests in two rounds a few scrapes apart, so that rates have two samples that differ.
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let gauges = Array(Self.saturation.replacingOccurrences(of: "TIME", with: String(now)).utf8)
        let posted = try await TestHTTPConnection.send(
            port: receiver, .POST, "/v1/metrics", headers: [("Content-Type", "application/json")], body: gauges)
        #expect(posted.status == .ok)
        await SLOEndToEndTests().sendRequestsOrRecord(port: receiver, fast: 200, errors: 3, slow: 2)
        _ = try await prometheus.waitFor(#"count(opensre_golden_requests_total{job="checkout"})"#, toEqual: 1, timeout: .seconds(30))
        try await Task.sleep(for: .seconds(3))
        await SLOEndToEndTests().sendRequestsOrRecord(port: receiver, fast: 200, errors: 3, slow: 2)
        _ = try await prometheus.waitFor(#"sum(opensre_golden_requests_total{job="checkout"})"#, toEqual: 410, timeout: .seconds(30))
        try await Task.sleep(for: .seconds(2))

        for expr in exprs {
            let query = expr.replacingOccurrences(of: "$__rate_interval", with: "1m")
                .replacingOccurrences(of: "$service", with: ".+").replacingOccurrences(of: "$slo", with: ".+")
            let value = try await prometheus.value(query)
            #expect(value != nil, "no data for \(query)\nPrometheus log:\n\(prometheus.log())")
        }
        #expect(try await collector.stop() == 0)
    }
}
