import OpenSRESLO

/// SLOs with known events for the page tests: the numbers the pages must
/// show are the engine's.
enum PageFixtures {
    static let start: UInt64 = 1_700_000_040 * 1_000_000_000  // 2023-11-14 22:14 UTC, a minute boundary
    static let minute: UInt64 = 60_000_000_000

    static func definition(_ name: String, service: String, target: String, displayName: String = "") -> SLODefinition {
        var definition = SLODefinition(
            name: name, displayName: displayName, service: service, target: SLOTarget(decimal: target)!,
            period: .seconds(30 * 86_400), periodLabel: "30d", bad: SLOEventSource(metric: "m"),
            total: SLOEventSource(metric: "m"))
        definition.source = "kind: SLO\nmetadata: { name: \(name) }\n"
        return definition
    }

    /// checkout-availability: 10 bad of 1000 at 99.9% (budget −9, red);
    /// search-availability: 2 bad of 1000 at 99% (budget 0.8, green);
    /// idle: no events. All at `start`.
    static func engine() -> SLOEngine {
        let engine = SLOEngine(
            definitions: [
                definition("checkout-availability", service: "checkout", target: "0.999", displayName: "Checkout <availability>"),
                definition("search-availability", service: "search", target: "0.99"),
                definition("idle", service: "search", target: "0.99"),
            ], now: start)
        for (slo, total, bad) in [(0, UInt64(1000), UInt64(10)), (1, 1000, 2)] {
            engine.observe(slo: slo, role: .total, series: 1, startTime: start, cumulative: total, now: start)
            engine.observe(slo: slo, role: .selected, series: 2, startTime: start, cumulative: bad, now: start)
        }
        return engine
    }

    /// The text of the first element that opens with `prefix` up to its `</tag>`.
    static func element(_ html: String, startingWith prefix: String, tag: String) -> String? {
        guard let open = html.range(of: prefix), let close = html.range(of: "</\(tag)>", range: open.upperBound..<html.endIndex) else {
            return nil
        }
        return String(html[open.lowerBound..<close.upperBound])
    }
}
