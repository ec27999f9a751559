import Foundation
import OpenSREModel
import OpenSREPipeline
import OpenSRESLO
import Testing

@Suite("SLOs fed by the series store")
struct SLOPipelineTests {
    static let start: UInt64 = 1_700_000_000 * 1_000_000_000

    static let slos = try! OpenSLOLoader.parse(
        yaml: """
            apiVersion: openslo/v1
            kind: SLO
            metadata: { name: web-availability }
            spec:
              budgetingMethod: Occurrences
              timeWindow: [{ duration: 30d, isRolling: true }]
              objectives: [{ target: 0.99 }]
              indicator:
                spec:
                  ratioMetric:
                    bad: { metricSource: { type: opensre, spec: { metric: http.server.request.duration, match: { service.name: web, http.response.status_code: "5.." } } } }
                    total: { metricSource: { type: opensre, spec: { metric: http.server.request.duration, match: { service.name: web } } } }
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata: { name: web-latency }
            spec:
              budgetingMethod: Occurrences
              timeWindow: [{ duration: 7d, isRolling: true }]
              objectives: [{ target: 0.9 }]
              indicator:
                spec:
                  ratioMetric:
                    good: { metricSource: { type: opensre, spec: { metric: http.server.request.duration, le: 0.25, match: { service.name: web } } } }
                    total: { metricSource: { type: opensre, spec: { metric: http.server.request.duration, match: { service.name: web } } } }
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata: { name: web-odd-threshold }
            spec:
              budgetingMethod: Occurrences
              timeWindow: [{ duration: 1d, isRolling: true }]
              objectives: [{ target: 0.9 }]
              indicator:
                spec:
                  ratioMetric:
                    good: { metricSource: { type: opensre, spec: { metric: http.server.request.duration, le: 0.3 } } }
                    total: { metricSource: { type: opensre, spec: { metric: http.server.request.duration } } }
            """)

    func lines(_ store: SeriesStore, prefix: String) -> [String] {
        String(decoding: ScrapeSources.render(store, wallClock: Self.start), as: UTF8.self).split(separator: "\n")
            .map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test("histogram observations become good/bad events by status and le; other services do not count")
    func events() throws {
        let engine = SLOEngine(definitions: Self.slos, now: 0)
        let store = SeriesStore(slo: engine)
        let bounds: [Double] = [0.1, 0.25, 1]
        let ok = JSONRequests.attributes(("http.response.status_code", "200"))
        let failed = JSONRequests.attributes(("http.response.status_code", "503"))
        let web = JSONRequests.request(
            service: "web", JSONRequests.histogram("http.server.request.duration", bounds: bounds, points: [(ok, [50, 30, 15, 5]), (failed, [0, 1, 2, 2])]))
        let other = JSONRequests.request(
            service: "other", JSONRequests.histogram("http.server.request.duration", bounds: bounds, points: [(failed, [9, 0, 0, 0])]))
        store.apply(try JSONRequests.batch(web), wallClock: Self.start)
        store.apply(try JSONRequests.batch(other), wallClock: Self.start)
        #expect(
            lines(store, prefix: "opensre_slo_events_total") == [
                #"opensre_slo_events_total{outcome="bad",slo="web-availability"} 5"#,
                #"opensre_slo_events_total{outcome="bad",slo="web-latency"} 24"#,
                #"opensre_slo_events_total{outcome="bad",slo="web-odd-threshold"} 0"#,
                #"opensre_slo_events_total{outcome="good",slo="web-availability"} 100"#,
                #"opensre_slo_events_total{outcome="good",slo="web-latency"} 81"#,
                #"opensre_slo_events_total{outcome="good",slo="web-odd-threshold"} 0"#,
            ])
        // 5 bad of 105 at 99%: (5/105)/0.01 = 4.76 budgets consumed.
        #expect(lines(store, prefix: "opensre_slo_error_budget_remaining_ratio{slo=\"web-availability\"}") == [
            "opensre_slo_error_budget_remaining_ratio{slo=\"web-availability\"} -3.761904761904762"
        ])
        #expect(lines(store, prefix: "opensre_slo_budget_status{slo=\"web-latency\"").contains("opensre_slo_budget_status{slo=\"web-latency\",status=\"red\"} 1"))
        // le 0.3 is no bucket bound: those points are skipped, counted and warned about once.
        #expect(lines(store, prefix: "opensre_slo_threshold_mismatch_total{slo=\"web-odd-threshold\"}") == [
            "opensre_slo_threshold_mismatch_total{slo=\"web-odd-threshold\"} 3"
        ])
        #expect(store.takeWarnings() == [
            "SLO web-odd-threshold: le 0.3 is not a bucket bound of the incoming histogram; its points are not counted"
        ])
        #expect(store.takeWarnings().isEmpty)
    }

    /// An SLO on the same metric whose name sorts before the others.
    static let first = try! OpenSLOLoader.parse(
        yaml: """
            apiVersion: openslo/v1
            kind: SLO
            metadata: { name: api-availability }
            spec:
              budgetingMethod: Occurrences
              timeWindow: [{ duration: 30d, isRolling: true }]
              objectives: [{ target: 0.99 }]
              indicator:
                spec:
                  ratioMetric:
                    bad: { metricSource: { type: opensre, spec: { metric: http.server.request.duration, match: { http.response.status_code: "5.." } } } }
                    total: { metricSource: { type: opensre, spec: { metric: http.server.request.duration } } }
            """)

    @Test("a definition added before the others after a restart: every SLO keeps its own counts and baselines")
    func definitionAddedFirst() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slo-added-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = SLOStateFile(directory: directory)
        let ok = JSONRequests.attributes(("http.response.status_code", "200"))
        let failed = JSONRequests.attributes(("http.response.status_code", "503"))
        func request(ok okCounts: [Int], failed failedCounts: [Int]) throws -> DecodedBatch {
            try JSONRequests.batch(
                JSONRequests.request(
                    service: "web",
                    JSONRequests.histogram(
                        "http.server.request.duration", start: Self.start, bounds: [0.1, 0.25, 1],
                        points: [(ok, okCounts), (failed, failedCounts)])))
        }
        let before = SLOEngine(definitions: Array(Self.slos[0...1]), now: Self.start)
        SeriesStore(slo: before).apply(try request(ok: [50, 30, 15, 5], failed: [0, 1, 2, 2]), wallClock: Self.start)
        try file.save(before)

        // Restarted ten minutes later with a new file that sorts first.
        let later = Self.start + 600_000_000_000
        let after = SLOEngine(definitions: Self.first + Self.slos[0...1], now: later)
        _ = try file.restore(into: after)
        let store = SeriesStore(slo: after)
        store.apply(try request(ok: [100, 60, 30, 10], failed: [0, 2, 4, 4]), wallClock: later)
        #expect(
            String(decoding: ScrapeSources.render(store, wallClock: later), as: UTF8.self).split(separator: "\n").map(String.init)
                .filter { $0.hasPrefix("opensre_slo_events_total") } == [
                    // New: the series ran before it existed, so it starts from their values (nothing yet).
                    #"opensre_slo_events_total{outcome="bad",slo="api-availability"} 0"#,
                    // 5 bad of 105, then 5 of 105 more.
                    #"opensre_slo_events_total{outcome="bad",slo="web-availability"} 10"#,
                    // 81 of 105 within 0.25 s, then 81 of 105 more.
                    #"opensre_slo_events_total{outcome="bad",slo="web-latency"} 48"#,
                    #"opensre_slo_events_total{outcome="good",slo="api-availability"} 0"#,
                    #"opensre_slo_events_total{outcome="good",slo="web-availability"} 200"#,
                    #"opensre_slo_events_total{outcome="good",slo="web-latency"} 162"#,
                ])
    }

    @Test("later cumulative points count only their increase")
    func increments() throws {
        let engine = SLOEngine(definitions: Self.slos, now: 0)
        let store = SeriesStore(slo: engine)
        let failed = JSONRequests.attributes(("http.response.status_code", "500"))
        for counts in [[1, 0, 0, 0], [1, 2, 0, 0], [1, 2, 3, 0]] {
            let request = JSONRequests.request(
                service: "web", JSONRequests.histogram("http.server.request.duration", bounds: [0.1, 0.25, 1], points: [(failed, counts)]))
            store.apply(try JSONRequests.batch(request), wallClock: Self.start)
        }
        #expect(engine.lifetimeEvents(slo: 0) == (good: 0, bad: 6))
        #expect(engine.lifetimeEvents(slo: 1) == (good: 3, bad: 3))
    }
}
