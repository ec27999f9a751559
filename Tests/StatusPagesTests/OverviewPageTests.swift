import OpenSRESLO
import Testing

@testable import StatusPages

@Suite("Overview page")
struct OverviewPageTests {
    static let statuses = PageFixtures.engine().statuses(now: PageFixtures.start)

    @Test("one row per SLO with the engine's numbers: SLI, remaining budget and bar, alert-window burn rates, status, exhaustion, alerts")
    func rows() throws {
        let page = OverviewPage.render(Self.statuses, query: OverviewQuery())
        let checkout = try #require(PageFixtures.element(page, startingWith: #"<tr class="slo" data-slo="checkout-availability""#, tag: "tr"))
        let expected = [
            #"data-status="red""#,
            #"<a href="/slo/checkout-availability">Checkout &lt;availability&gt;</a>"#,
            #"<td class="service">checkout</td>"#,
            #"<td class="objective">99.900% availability over 30d</td>"#,
            #"<td class="sli number">99.000%</td>"#,
            #"<span class="value">-900.0%</span><div class="bar overspent"><span style="width:100%"></span></div>"#,
            #"<span class="burn" data-window="1h"><span class="muted">1h </span><b>10.00×</b></span>"#,
            #"<span class="burn" data-window="3d"><span class="muted">3d </span><b>10.00×</b></span>"#,
            #"<span class="status red">RED</span>"#,
            #"<td class="exhaustion">0s</td>"#,
            #"<span class="alert critical" title="critical">CheckoutAvailabilityBurnRateHigh</span>"#,
            #"<span class="alert info" title="info">CheckoutAvailabilityErrorBudgetExhausted</span>"#,
        ]
        for fragment in expected { #expect(checkout.contains(fragment), "missing \(fragment) in \(checkout)") }
        #expect(!checkout.contains(#"data-window="5m""#), "only alerting windows are columns")
        let search = try #require(PageFixtures.element(page, startingWith: #"<tr class="slo" data-slo="search-availability""#, tag: "tr"))
        // 2 bad of 1000 at 99%: SLI 99.8%, a fifth of the budget spent, burn 0.2.
        for fragment in [
            #"<td class="sli number">99.800%</td>"#, #"<span class="value">80.0%</span><div class="bar"><span style="width:80%"></span></div>"#,
            #"<b>0.20×</b>"#, #"<span class="status green">GREEN</span>"#, #"<span class="muted">none</span>"#,
        ] {
            #expect(search.contains(fragment), "missing \(fragment) in \(search)")
        }
        let idle = try #require(PageFixtures.element(page, startingWith: #"<tr class="slo" data-slo="idle""#, tag: "tr"))
        #expect(idle.contains(#"<td class="sli number">–</td>"#) && idle.contains(#"<td class="exhaustion">never</td>"#))
        // The same numbers as the engine's, formatted by one rule.
        let status = try #require(Self.statuses.first)
        #expect(PageFormat.percent(status.sli) == "99.000%" && PageFormat.percent(status.errorBudgetRemaining, digits: 1) == "-900.0%")
        // Works without JavaScript: an Apply button; the one script (same origin) only submits on change.
        #expect(page.contains(#"<button type="submit">Apply</button>"#) && page.contains(#"<script src="/ui.js" defer></script>"#))
    }

    @Test("sorted by remaining budget (least first, no data last) by default, by burn rate or name on request")
    func sorting() {
        func order(_ query: String) -> [String] {
            let page = OverviewPage.render(Self.statuses, query: OverviewQuery(query: Substring(query)))
            return page.components(separatedBy: #"<tr class="slo" data-slo=""#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
        #expect(order("") == ["checkout-availability", "search-availability", "idle"])
        #expect(order("sort=burn") == ["checkout-availability", "search-availability", "idle"])
        #expect(order("sort=name") == ["checkout-availability", "idle", "search-availability"])
        #expect(order("service=search") == ["search-availability", "idle"])
        #expect(order("status=green&sort=name") == ["idle", "search-availability"])
        #expect(order("service=nobody").isEmpty)
        #expect(OverviewPage.render(Self.statuses, query: OverviewQuery(service: "nobody")).contains("No SLO matches these filters."))
        #expect(OverviewPage.render([], query: OverviewQuery()).contains("No SLOs are defined"))
    }

    @Test("the query string: percent-encoded values, unknown keys and values ignored, sort links keep the filters")
    func query() {
        let query = OverviewQuery(query: "service=check%20out&status=purple&sort=nonsense&x=1")
        #expect(query == OverviewQuery(sort: .budget, service: "check out", status: ""))
        #expect(OverviewQuery(service: "a b", status: "red").with(sort: .burn) == "?sort=burn&service=a%20b&status=red")
        let page = OverviewPage.render(Self.statuses, query: OverviewQuery(service: "search"))
        #expect(page.contains(#"<option value="search" selected="selected">search</option>"#))
        #expect(page.contains(#"<th><a href="?sort=burn&amp;service=search">Burn rate</a></th>"#))
    }
}
