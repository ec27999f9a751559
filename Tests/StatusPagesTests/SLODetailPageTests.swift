import OpenSRESLO
import Testing

@testable import StatusPages

@Suite("SLO detail page")
struct SLODetailPageTests {
    @Test("facts, windows and alerts are the engine's; three charts; the definition and rules escaped")
    func detail() throws {
        let engine = PageFixtures.engine()
        let status = engine.status(slo: 0, now: PageFixtures.start + 2 * PageFixtures.minute, historyMinutes: 360)
        let page = SLODetailPage.render(status, definition: engine.definitions[0].source, rules: "expr: a > 1 and b < 2")
        for fragment in [
            #"<span class="status red" id="status">RED</span>"#,
            #"<b id="sli">99.000%</b>"#, #"<b id="budget">-900.0%</b>"#, #"<b id="events">1,000</b>"#,
            #"<b id="bad-events">10</b>"#, #"<b id="exhaustion">0s</b>"#,
            #"<tr data-window="1h"><td>1h</td><td class="number events">1,000</td><td class="number bad">10</td><td class="number burn">10.00×</td><td>yes</td></tr>"#,
            #"<tr data-window="5m"><td>5m</td><td class="number events">1,000</td><td class="number bad">10</td><td class="number burn">10.00×</td><td></td></tr>"#,
            #"<span class="alert critical">CheckoutAvailabilityBurnRateHigh (critical)</span>"#,
            #"<div class="panel" id="budget-chart">"#, #"<div class="panel" id="burn-chart">"#, #"<div class="panel" id="events-chart">"#,
            "14.40× critical (1h &amp; 5m)", "1.00× warning (3d &amp; 6h)",
            #"<pre id="definition">kind: SLO"#, #"<pre id="rules">expr: a &gt; 1 and b &lt; 2</pre>"#,
        ] {
            #expect(page.contains(fragment), "missing \(fragment)")
        }
        #expect(page.components(separatedBy: "<svg").count == 4)
    }

    @Test("events chart: bars of five minutes")
    func sums() {
        #expect(SLODetailPage.sums([1, 2, 3, 4, 5, 6, 7], by: 5) == [15, 13])
    }
}
