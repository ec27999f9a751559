import Foundation
import OpenSRESLO
import OpenSRETestSupport
import Testing

@Suite("Grafana dashboard")
struct GrafanaDashboardTests {
    static func model(_ definitions: [SLODefinition] = []) throws -> [String: Any] {
        let text = try GrafanaDashboard.json(definitions: definitions)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The queries with the dashboard's variables as Grafana fills them for "All".
    static func filled(_ expr: String) -> String {
        expr.replacingOccurrences(of: "$__rate_interval", with: "1m")
            .replacingOccurrences(of: "$service", with: ".+").replacingOccurrences(of: "$slo", with: ".+")
    }

    @Test("the JSON model: variables for the data source, service (job) and SLO; every panel's targets are the listed queries")
    func model() throws {
        let dashboard = try Self.model()
        #expect(dashboard["uid"] as? String == "opensre-slo-golden")
        let variables = try #require((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        #expect(variables.map { $0["name"] as? String } == ["datasource", "service", "slo"])
        #expect(variables[1]["definition"] as? String == "label_values(opensre_golden_requests_total, job)")
        #expect(variables[2]["definition"] as? String == "label_values(opensre_slo_objective_ratio, slo)")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(Set(ids).count == panels.count)
        let exprs = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(exprs == GrafanaDashboard.queries.map(\.expr))
        #expect(exprs.count == 13)
        #expect(panels.filter { $0["type"] as? String == "row" }.map { $0["title"] as? String } == ["SLOs", "Golden signals"])
        // Every query panel reads the chosen data source; none reads anything else.
        for panel in panels where panel["type"] as? String != "row" {
            #expect((panel["datasource"] as? [String: Any])?["uid"] as? String == "${datasource}")
        }
    }

    @Test("with definitions, the SLO variable lists their names")
    func definitions() throws {
        let slos = try OpenSLOLoader.load(patterns: ["config/slos/*.yaml"], relativeTo: Fixtures.repositoryRoot.path)
        let variables = try #require((try Self.model(slos)["templating"] as? [String: Any])?["list"] as? [[String: Any]])
        #expect(variables[2]["type"] as? String == "custom")
        #expect(variables[2]["query"] as? String == "checkout-availability,checkout-latency")
    }

    @Test("promtool parses every query (each wrapped in a recording rule, variables filled as for All)")
    func promtoolParses() throws {
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (index, query) in GrafanaDashboard.queries.enumerated() {
            let quoted = Self.filled(query.expr).replacingOccurrences(of: "'", with: "''")
            rules += "      - record: opensre:dashboard_query_\(index)\n        expr: '\(quoted)'\n"
        }
        let (status, said) = try Promtool.checkRules(rules)
        #expect(status == 0, "promtool: \(said)\n\(rules)")
        #expect(said.contains("SUCCESS: \(GrafanaDashboard.queries.count) rules found"))
    }
}
