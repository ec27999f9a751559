import OpenSRESLO

/// `GET /`: one row per SLO (name, service, objective and window, SLI,
/// remaining budget with a bar, burn rates over the alerting windows,
/// GREEN/RED status, time to exhaustion, the generated alerts that hold
/// now), sorted and filtered by ``OverviewQuery``.
package enum OverviewPage {
    package static func render(_ statuses: [SLOStatus], query: OverviewQuery) -> String {
        var html = HTML()
        html.element("h1", [], "Service level objectives")
        filters(statuses, query: query, into: &html)
        let rows = query.apply(to: statuses)
        guard !rows.isEmpty else {
            html.element(
                "p", [("class", "empty")],
                statuses.isEmpty ? "No SLOs are defined (processors.slo.definitions)." : "No SLO matches these filters.")
            return PageLayout.page(title: "SLOs", body: html.text)
        }
        html.raw("<table id=\"slos\"><thead><tr>")
        html.raw("<th><a href=\"\(HTML.escape(query.with(sort: .name)))\">SLO</a></th><th>Service</th><th>Objective</th>")
        html.raw("<th class=\"number\">SLI</th>")
        html.raw("<th><a href=\"\(HTML.escape(query.with(sort: .budget)))\">Budget remaining</a></th>")
        html.raw("<th><a href=\"\(HTML.escape(query.with(sort: .burn)))\">Burn rate</a></th>")
        html.raw("<th>Status</th><th>Exhausted in</th><th>Alerts now</th></tr></thead><tbody>")
        for status in rows { row(status, into: &html) }
        html.raw("</tbody></table>")
        html.element(
            "p", [("class", "muted")],
            "Budget and SLI over each SLO's rolling window; burn rates over the alert windows (1× spends the budget in exactly one window). Times are UTC; the page reloads every \(PageLayout.refreshSeconds) s.")
        return PageLayout.page(title: "SLOs", body: html.text)
    }

    private static func filters(_ statuses: [SLOStatus], query: OverviewQuery, into html: inout HTML) {
        html.raw("<form class=\"filters\" method=\"get\" action=\"/\">")
        html.raw("<label>Service<select name=\"service\"><option value=\"\">all</option>")
        for service in Set(statuses.map(\.service)).sorted() {
            html.open("option", [("value", service)] + (service == query.service ? [("selected", "selected")] : []))
            html.text(service.isEmpty ? "(none)" : service)
            html.close("option")
        }
        html.raw("</select></label><label>Status<select name=\"status\">")
        for (value, label) in [("", "all"), ("green", "GREEN"), ("red", "RED")] {
            html.open("option", [("value", value)] + (value == query.status ? [("selected", "selected")] : []))
            html.text(label)
            html.close("option")
        }
        html.raw("</select></label><label>Sort<select name=\"sort\">")
        for (sort, label) in [(OverviewQuery.Sort.budget, "remaining budget"), (.burn, "burn rate"), (.name, "name")] {
            html.open("option", [("value", sort.rawValue)] + (sort == query.sort ? [("selected", "selected")] : []))
            html.text(label)
            html.close("option")
        }
        html.raw("</select></label><button type=\"submit\">Apply</button></form>")
    }

    private static func row(_ status: SLOStatus, into html: inout HTML) {
        html.open("tr", [("class", "slo"), ("data-slo", status.name), ("data-status", status.status)])
        html.raw("<td class=\"name\">")
        html.element("a", [("href", "/slo/" + status.name)], status.displayName.isEmpty ? status.name : status.displayName)
        if !status.displayName.isEmpty { html.element("div", [("class", "muted")], status.name) }
        html.raw("</td>")
        html.element("td", [("class", "service")], status.service)
        html.element(
            "td", [("class", "objective")],
            "\(PageFormat.percent(status.objective)) \(status.kind) over \(status.window)")
        html.element("td", [("class", "sli number")], PageFormat.percent(status.sli))
        html.raw("<td class=\"budget\">")
        html.element("span", [("class", "value")], PageFormat.percent(status.errorBudgetRemaining, digits: 1))
        budgetBar(status.errorBudgetRemaining, into: &html)
        html.raw("</td><td class=\"burn-rates\">")
        for window in status.windows where window.alerting {
            html.open("span", [("class", "burn"), ("data-window", window.window)])
            html.element("span", [("class", "muted")], window.window + " ")
            html.element("b", [], PageFormat.burnRate(window.burnRate))
            html.close("span")
        }
        html.raw("</td><td>")
        html.element("span", [("class", "status " + status.status)], status.status.uppercased())
        html.raw("</td>")
        html.element("td", [("class", "exhaustion")], PageFormat.duration(seconds: status.timeToExhaustionSeconds))
        html.raw("<td class=\"alerts\">")
        if status.alerts.isEmpty { html.element("span", [("class", "muted")], "none") }
        for alert in status.alerts {
            html.element("span", [("class", "alert " + alert.severity), ("title", alert.severity)], alert.alert)
        }
        html.raw("</td></tr>")
    }

    /// A bar of the remaining budget: its width the share left (full red when overspent).
    static func budgetBar(_ remaining: Double?, into html: inout HTML) {
        guard let remaining else { return }
        let overspent = remaining < 0
        let width = overspent ? 100 : Int((min(remaining, 1) * 100).rounded())
        html.raw("<div class=\"bar\(overspent ? " overspent" : "")\"><span style=\"width:\(width)%\"></span></div>")
    }
}
