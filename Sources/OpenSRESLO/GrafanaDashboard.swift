import Foundation

/// A Grafana dashboard (its JSON model, for "Import dashboard") over the
/// series the collector exports: the SLO series (`opensre_slo_*`) and the
/// golden signals (`opensre_golden_*`), so that a Prometheus scraping
/// OpenSRE (or receiving its remote write) is all Grafana needs; no
/// recording rules. Variables: the Prometheus data source, `service` (the
/// golden series' `job`) and `slo` (every exported SLO, or the names of the
/// definitions given). Each query is in ``queries``, which the tests check
/// with promtool and against a real Prometheus.
package enum GrafanaDashboard {
    /// One panel's query.
    package struct Query: Sendable, Equatable {
        package var panel: String
        package var expr: String
        package var legend: String
    }

    private struct Panel {
        var title: String
        var type: String
        var unit: String
        var width: Int
        var description: String
        var queries: [Query]
        /// Horizontal lines drawn on a time series (e.g. burn rate 1).
        var thresholds: [Double] = []
    }

    /// The rows of panels, top to bottom.
    private static let rows: [(title: String, panels: [Panel])] = [
        (
            "SLOs",
            [
                Panel(
                    title: "Error budget remaining", type: "stat", unit: "percentunit", width: 6,
                    description: "Over each SLO's period, unclamped: below 0 the budget is overspent.",
                    queries: [q("Error budget remaining", #"opensre_slo_error_budget_remaining_ratio{slo=~"$slo"}"#, "{{slo}}")]),
                Panel(
                    title: "Budget status", type: "stat", unit: "none", width: 6,
                    description: "1 while red: the SLO is not met over its period (the budget policy's freeze signal).",
                    queries: [q("Budget status", #"opensre_slo_budget_status{slo=~"$slo",status="red"}"#, "{{slo}} red")]),
                Panel(
                    title: "SLI over the period", type: "stat", unit: "percentunit", width: 6,
                    description: "1 - consumed budget x allowed error ratio: the share of good events over the period.",
                    queries: [
                        q(
                            "SLI over the period",
                            #"1 - opensre_slo_error_budget_consumed_ratio{slo=~"$slo"} * on (slo) (1 - opensre_slo_objective_ratio{slo=~"$slo"})"#,
                            "{{slo}}")
                    ]),
                Panel(
                    title: "Time to exhaustion", type: "stat", unit: "s", width: 6,
                    description: "At the last hour's rates, with old events leaving the window: 0 already spent, +Inf never.",
                    queries: [q("Time to exhaustion", #"opensre_slo_time_to_exhaustion_seconds{slo=~"$slo"}"#, "{{slo}}")]),
                Panel(
                    title: "Burn rate by window", type: "timeseries", unit: "none", width: 12,
                    description: "Error ratio over each window / allowed error ratio: 1 spends the budget exactly over the period.",
                    queries: [q("Burn rate by window", #"opensre_slo_burn_rate{slo=~"$slo"}"#, "{{slo}} {{window}}")],
                    thresholds: [1]),
                Panel(
                    title: "Events per second", type: "timeseries", unit: "reqps", width: 12,
                    description: "Good and bad events counted by the SLOs.",
                    queries: [
                        q(
                            "Events per second",
                            #"sum by (slo, outcome) (rate(opensre_slo_events_total{slo=~"$slo"}[$__rate_interval]))"#,
                            "{{slo}} {{outcome}}")
                    ]),
            ]
        ),
        (
            "Golden signals",
            [
                Panel(
                    title: "Traffic", type: "timeseries", unit: "reqps", width: 8,
                    description: "Requests per second (server request durations' observations).",
                    queries: [
                        q("Traffic", #"sum by (job) (rate(opensre_golden_requests_total{job=~"$service"}[$__rate_interval]))"#, "{{job}}")
                    ]),
                Panel(
                    title: "Errors", type: "timeseries", unit: "percentunit", width: 8,
                    description: "Share of requests that failed (HTTP 5xx, error.type, or a gRPC status other than OK).",
                    queries: [
                        q(
                            "Errors",
                            #"sum by (job) (rate(opensre_golden_errors_total{job=~"$service"}[$__rate_interval])) / sum by (job) (rate(opensre_golden_requests_total{job=~"$service"}[$__rate_interval]))"#,
                            "{{job}}")
                    ]),
                Panel(
                    title: "Latency", type: "timeseries", unit: "s", width: 8,
                    description: "Percentiles of the server request duration.",
                    queries: [0.5, 0.9, 0.99].map { quantile in
                        q(
                            "Latency",
                            "histogram_quantile(\(quantile), sum by (job, le) (rate(opensre_golden_request_duration_seconds_bucket{job=~\"$service\"}[$__rate_interval])))",
                            "{{job}} p\(Int((quantile * 100).rounded()))")
                    }),
                Panel(
                    title: "Saturation", type: "timeseries", unit: "percentunit", width: 12,
                    description: "CPU and memory use against their limits.",
                    queries: [
                        q("Saturation", #"max by (job, resource) (opensre_golden_saturation_ratio{job=~"$service"})"#, "{{job}} {{resource}}")
                    ]),
                Panel(
                    title: "Requests in flight", type: "timeseries", unit: "none", width: 12,
                    description: "http.server.active_requests.",
                    queries: [q("Requests in flight", #"sum by (job) (opensre_golden_active_requests{job=~"$service"})"#, "{{job}}")]),
            ]
        ),
    ]

    private static func q(_ panel: String, _ expr: String, _ legend: String) -> Query {
        Query(panel: panel, expr: expr, legend: legend)
    }

    /// Every panel's query, in dashboard order.
    package static var queries: [Query] { rows.flatMap { $0.panels.flatMap(\.queries) } }

    /// The dashboard's JSON model. With `definitions`, the `slo` variable
    /// lists their names; without, every SLO Prometheus has.
    package static func json(definitions: [SLODefinition] = []) throws -> String {
        var panels: [[String: Any]] = []
        var id = 1
        var y = 0
        for row in rows {
            panels.append([
                "id": id, "type": "row", "title": row.title, "collapsed": false,
                "gridPos": ["h": 1, "w": 24, "x": 0, "y": y], "panels": [Any](),
            ])
            id += 1
            y += 1
            var x = 0
            for panel in row.panels {
                if x + panel.width > 24 {
                    x = 0
                    y += 8
                }
                panels.append(json(panel, id: id, x: x, y: y))
                id += 1
                x += panel.width
            }
            y += 8
        }
        let dashboard: [String: Any] = [
            "title": "OpenSRE: SLOs and golden signals",
            "uid": "opensre-slo-golden",
            "description": "SLO error budgets and burn rates, and the four golden signals, from the series OpenSRE exports.",
            "tags": ["opensre", "slo", "golden-signals"],
            "editable": true,
            "schemaVersion": 39,
            "version": 1,
            "time": ["from": "now-6h", "to": "now"],
            "refresh": "1m",
            "templating": ["list": variables(definitions)],
            "panels": panels,
        ]
        let data = try JSONSerialization.data(
            withJSONObject: dashboard, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static var datasource: [String: Any] { ["type": "prometheus", "uid": "${datasource}"] }

    private static func json(_ panel: Panel, id: Int, x: Int, y: Int) -> [String: Any] {
        var defaults: [String: Any] = ["unit": panel.unit]
        if !panel.thresholds.isEmpty {
            defaults["thresholds"] = [
                "mode": "absolute",
                "steps": [["color": "green", "value": NSNull()]] + panel.thresholds.map { ["color": "red", "value": $0] },
            ]
            defaults["custom"] = ["thresholdsStyle": ["mode": "line"]]
        }
        return [
            "id": id, "type": panel.type, "title": panel.title, "description": panel.description,
            "datasource": datasource, "gridPos": ["h": 8, "w": panel.width, "x": x, "y": y],
            "fieldConfig": ["defaults": defaults, "overrides": [Any]()],
            "targets": panel.queries.enumerated().map { index, query -> [String: Any] in
                [
                    "refId": String(UnicodeScalar(UInt8(65 + index))), "datasource": datasource, "expr": query.expr,
                    "legendFormat": query.legend,
                ]
            },
        ]
    }

    private static func variables(_ definitions: [SLODefinition]) -> [[String: Any]] {
        let slo: [String: Any]
        if definitions.isEmpty {
            slo = queryVariable("slo", "SLO", "label_values(opensre_slo_objective_ratio, slo)")
        } else {
            let names = definitions.map(\.name)
            slo = [
                "name": "slo", "label": "SLO", "type": "custom", "query": names.joined(separator: ","),
                "multi": true, "includeAll": true, "allValue": ".+",
                "current": ["text": ["All"], "value": ["$__all"]],
                "options": [Any](),
            ]
        }
        return [
            [
                "name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
                "current": [String: Any](),
            ],
            queryVariable("service", "Service", "label_values(opensre_golden_requests_total, job)"),
            slo,
        ]
    }

    private static func queryVariable(_ name: String, _ label: String, _ query: String) -> [String: Any] {
        [
            "name": name, "label": label, "type": "query", "datasource": datasource,
            "query": ["query": query, "refId": name], "definition": query, "refresh": 2, "sort": 1,
            "multi": true, "includeAll": true, "allValue": ".+",
            "current": ["text": ["All"], "value": ["$__all"]],
        ]
    }
}
