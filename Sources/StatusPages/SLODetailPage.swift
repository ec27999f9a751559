import OpenSRESLO

/// `GET /slo/{name}`: one SLO's numbers, its charts (remaining budget over
/// the period, burn rates with the alert thresholds, good and bad events),
/// its OpenSLO definition and the alert rules generated from it.
package enum SLODetailPage {
    /// Minutes per bar of the events chart.
    static let barMinutes = 5

    package static func render(_ status: SLOStatus, definition: String, rules: String) -> String {
        var html = HTML()
        html.open("h1")
        html.text(status.displayName.isEmpty ? status.name : status.displayName)
        html.raw(" ")
        html.element("span", [("class", "status " + status.status), ("id", "status")], status.status.uppercased())
        html.close("h1")
        html.element(
            "p", [("class", "muted")],
            "\(status.name) · service \(status.service.isEmpty ? "(none)" : status.service) · \(PageFormat.percent(status.objective)) \(status.kind) over a rolling \(status.window)")
        html.raw("<div class=\"facts\">")
        fact("SLI", PageFormat.percent(status.sli), id: "sli", into: &html)
        fact("Budget remaining", PageFormat.percent(status.errorBudgetRemaining, digits: 1), id: "budget", into: &html)
        fact("Events", PageFormat.count(status.events), id: "events", into: &html)
        fact("Bad events", PageFormat.count(status.badEvents), id: "bad-events", into: &html)
        fact("Exhausted in", PageFormat.duration(seconds: status.timeToExhaustionSeconds), id: "exhaustion", into: &html)
        html.raw("</div>")
        windows(status, into: &html)
        if let charts = status.charts { self.charts(charts, history: status.history, into: &html) }
        html.raw("<div class=\"columns\"><div>")
        html.element("h2", [], "OpenSLO definition")
        html.element("pre", [("id", "definition")], definition)
        html.raw("</div><div>")
        html.element("h2", [], "Generated alert rules (opensre slo rules)")
        html.element("pre", [("id", "rules")], rules)
        html.raw("</div></div>")
        return PageLayout.page(title: status.name, body: html.text)
    }

    private static func fact(_ label: String, _ value: String, id: String, into html: inout HTML) {
        html.raw("<div class=\"fact\">")
        html.text(label)
        html.element("b", [("id", id)], value)
        html.raw("</div>")
    }

    private static func windows(_ status: SLOStatus, into html: inout HTML) {
        html.element("h2", [], "Windows")
        html.raw("<table id=\"windows\"><thead><tr><th>Window</th><th class=\"number\">Events</th>")
        html.raw("<th class=\"number\">Bad</th><th class=\"number\">Burn rate</th><th>Alerting</th></tr></thead><tbody>")
        for window in status.windows {
            html.open("tr", [("data-window", window.window)])
            html.element("td", [], window.window)
            html.element("td", [("class", "number events")], PageFormat.count(window.events))
            html.element("td", [("class", "number bad")], PageFormat.count(window.badEvents))
            html.element("td", [("class", "number burn")], PageFormat.burnRate(window.burnRate))
            html.element("td", [], window.alerting ? "yes" : "")
            html.close("tr")
        }
        html.raw("</tbody></table>")
        html.element("h2", [], "Alerts whose condition holds now")
        html.raw("<p id=\"alerts\">")
        if status.alerts.isEmpty { html.element("span", [("class", "muted")], "none") }
        for alert in status.alerts {
            html.element("span", [("class", "alert " + alert.severity)], "\(alert.alert) (\(alert.severity))")
        }
        html.raw("</p>")
    }

    private static func charts(_ charts: SLOStatus.Charts, history: SLOStatus.History?, into html: inout HTML) {
        let budget = charts.budget
        let now = budget.start + Int64(max(budget.values.count - 1, 0) * budget.step)
        html.element("h2", [], "Remaining error budget")
        html.raw("<div class=\"panel\" id=\"budget-chart\">")
        html.raw(
            SVGChart(
                title: "Remaining error budget over the rolling window", from: budget.start, to: now,
                lines: [.init(name: "remaining budget", cssClass: "budget", start: budget.start, step: budget.step, values: budget.values)],
                rules: [.init(label: "budget spent", value: 0, cssClass: "zero")], yIncludes: [0, 1],
                yLabel: { PageFormat.percent($0, digits: 0) }
            ).render())
        html.raw("</div>")
        guard let history else { return }
        let end = history.start + Int64(max(history.good.count - 1, 0) * history.step)
        html.element("h2", [], "Burn rate")
        html.raw("<div class=\"panel\" id=\"burn-chart\"><ul class=\"legend\">")
        let colours = ["#1565c0", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"]
        for (index, rate) in charts.burnRates.enumerated() {
            html.element("li", [("style", "--c:\(colours[index % colours.count])")], "over \(rate.window)")
        }
        html.raw("</ul>")
        html.raw(
            SVGChart(
                title: "Burn rate over the alert windows, with the thresholds", from: history.start, to: end,
                lines: charts.burnRates.enumerated().map { index, rate in
                    .init(name: "burn rate over \(rate.window)", cssClass: "w\(index % colours.count)", start: history.start, step: history.step, values: rate.values)
                },
                rules: charts.thresholds.map { threshold in
                    .init(
                        label: "\(PageFormat.burnRate(threshold.burnRate)) \(threshold.severity) (\(threshold.window)\(threshold.shortWindow.map { " & " + $0 } ?? ""))",
                        value: threshold.burnRate, cssClass: threshold.severity)
                },
                yLabel: { PageFormat.burnRate($0) }
            ).render())
        html.raw("</div>")
        html.element("h2", [], "Good and bad events per \(barMinutes) minutes")
        html.raw("<div class=\"panel\" id=\"events-chart\"><ul class=\"legend\">")
        html.raw("<li style=\"--c:#66bb6a\">good</li><li style=\"--c:#e53935\">bad</li></ul>")
        html.raw(
            SVGChart(
                title: "Good and bad events", from: history.start, to: end + Int64(history.step),
                bars: .init(
                    start: history.start, step: history.step * barMinutes,
                    stacks: [("good", sums(history.good, by: barMinutes)), ("bad", sums(history.bad, by: barMinutes))]),
                yLabel: { SVGChart.number($0) }
            ).render())
        html.raw("</div>")
    }

    /// Sums of `width` consecutive values.
    static func sums(_ values: [UInt64], by width: Int) -> [Double] {
        stride(from: 0, to: values.count, by: width).map { start in
            Double(values[start..<min(start + width, values.count)].reduce(0, &+))
        }
    }
}
