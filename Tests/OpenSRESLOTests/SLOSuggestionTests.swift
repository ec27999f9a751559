import Foundation
import Testing

@testable import OpenSRESLO

@Suite("opensre slo suggest: SLOs drafted from the golden baseline")
struct SLOSuggestionTests {
    /// 2025-12-03T16:30:00Z: the window ends with hour 490,216 (16:00).
    static let now: Int64 = 1_764_777_600 + 1800
    static let hour: Int64 = 490_216

    /// Every hour of `days` days ending with the current one: 1,000 requests
    /// with 600 ≤ 50 ms, 300 ≤ 75 ms, 90 ≤ 100 ms, 8 ≤ 250 ms, 2 ≤ 500 ms;
    /// `errors` spread one per hour from the newest.
    static func baseline(days: Int = 14, errors: Int = 30, slowest: [Int: UInt64] = [3: 600, 4: 300, 5: 90, 6: 8, 7: 2])
        -> GoldenBaseline
    {
        var baseline = GoldenBaseline()
        for offset in 0..<(days * 24) {
            let buckets = (0..<15).map { slowest[$0] ?? 0 }
            baseline.add(
                GoldenBaseline.Hour(
                    hour: hour - Int64(offset), requests: buckets.reduce(0, +), errors: offset < errors ? 1 : 0,
                    buckets: buckets))
        }
        return baseline
    }

    @Test("availability: the highest ladder step using at most half its budget; latency: the smallest bound at 99%")
    func rules() throws {
        let suggestion = try SLOSuggestion.suggest(service: "checkout", baselines: ["checkout": Self.baseline()], days: 14, now: Self.now)
        #expect(suggestion.requests == 336_000 && suggestion.errors == 30)
        // 30 / 336,000 = 0.0089%: 99.99% would use 89.29% of its budget, 99.95% uses 17.86%.
        #expect(suggestion.availabilityTarget == 9995)
        #expect(SLOSuggestion.two(suggestion.availabilityBudgetUsed) == "17.86")
        // Slower than 100 ms: 1% (the whole budget of 99%); slower than 250 ms: 0.2%, 20% of it.
        #expect(suggestion.latencyBoundSeconds == 0.25 && suggestion.latencyTarget == 9900)
        #expect(suggestion.slow == 672)
        #expect(SLOSuggestion.two(suggestion.latencyBudgetUsed) == "20.00")
    }

    @Test("exactly half the budget is allowed, a request more is not")
    func halfBudget() throws {
        // 336,000 requests: half the 99.95% budget is 84 errors.
        let at = try SLOSuggestion.suggest(service: "a", baselines: ["a": Self.baseline(errors: 84)], days: 14, now: Self.now)
        #expect(at.availabilityTarget == 9995)
        #expect(SLOSuggestion.two(at.availabilityBudgetUsed) == "50.00")
        let over = try SLOSuggestion.suggest(service: "a", baselines: ["a": Self.baseline(errors: 85)], days: 14, now: Self.now)
        #expect(over.availabilityTarget == 9990)
        #expect(SLOSuggestion.two(over.availabilityBudgetUsed) == "25.30")
        // 0.5% slower than 250 ms is exactly half the budget of 99% within 250 ms.
        let edge = try SLOSuggestion.suggest(
            service: "a", baselines: ["a": Self.baseline(slowest: [3: 990, 6: 5, 7: 5])], days: 14, now: Self.now)
        #expect(edge.latencyBoundSeconds == 0.25 && edge.latencyTarget == 9900)
        #expect(SLOSuggestion.two(edge.latencyBudgetUsed) == "50.00")
    }

    @Test("--days: only the last days count; a baseline failing every rung gets the lowest, over budget")
    func window() throws {
        // Errors in the newest 100 hours: over 2 days (48,000 requests, 48 errors) 0.1%: 99.5% uses 20%.
        let two = try SLOSuggestion.suggest(service: "a", baselines: ["a": Self.baseline(errors: 100)], days: 2, now: Self.now)
        #expect(two.requests == 48_000 && two.errors == 48 && two.availabilityTarget == 9950)
        #expect(SLOSuggestion.two(two.availabilityBudgetUsed) == "20.00")
        // Every request an error, every request slower than 10 s.
        var failing = GoldenBaseline()
        for offset in 0..<24 {
            failing.add(
                GoldenBaseline.Hour(hour: Self.hour - Int64(offset), requests: 100, errors: 100, buckets: Array(repeating: 0, count: 14) + [100]))
        }
        let bad = try SLOSuggestion.suggest(service: "a", baselines: ["a": failing], days: 1, now: Self.now)
        #expect(bad.availabilityTarget == 9000 && bad.latencyTarget == 9000 && bad.latencyBoundSeconds == 10)
        #expect(bad.errors == 2400 && bad.requests == 2400)
        #expect(SLOSuggestion.two(bad.availabilityBudgetUsed) == "1000.00")
        #expect(SLOSuggestion.two(bad.latencyBudgetUsed) == "1000.00")
        #expect(try bad.yaml().contains("1000.00% of the budget (more than half: no bound up to 10 s keeps 90% within half the budget)."))
    }

    @Test("no usable baseline: the reason, naming the services that have one")
    func problems() {
        let baselines = ["checkout": Self.baseline(), "cart": Self.baseline(days: 1)]
        #expect(throws: SLOSuggestion.Problem.unknownService("payments", known: ["cart", "checkout"])) {
            try SLOSuggestion.suggest(service: "payments", baselines: baselines, days: 14, now: Self.now)
        }
        #expect(
            "\(SLOSuggestion.Problem.unknownService("payments", known: ["cart", "checkout"]))"
                == "no baseline for service payments; services with a baseline: cart, checkout")
        // One day of 1,000 an hour, but only 24 hours... the newest hour alone: 1,000 requests is enough, 999 is not.
        var few = GoldenBaseline()
        few.add(GoldenBaseline.Hour(hour: Self.hour, requests: 999, errors: 0, buckets: [999] + Array(repeating: 0, count: 14)))
        #expect(throws: SLOSuggestion.Problem.tooFewRequests("few", requests: 999, days: 3)) {
            try SLOSuggestion.suggest(service: "few", baselines: ["few": few], days: 3, now: Self.now)
        }
        #expect(throws: SLOSuggestion.Problem.tooFewRequests("cart", requests: 0, days: 1)) {
            try SLOSuggestion.suggest(service: "cart", baselines: baselines, days: 1, now: Self.now + 2 * 86_400)
        }
        #expect(throws: SLOSuggestion.Problem.days(15)) {
            try SLOSuggestion.suggest(service: "checkout", baselines: baselines, days: 15, now: Self.now)
        }
        #expect(throws: SLOSuggestion.Problem.noBaselines(file: "f")) {
            try SLOSuggestion.suggest(service: "checkout", baselines: [:], days: 14, now: Self.now, file: "f")
        }
    }

    @Test("the whole YAML for one baseline")
    func golden() throws {
        let yaml = try SLOSuggestion.suggest(service: "checkout", baselines: ["checkout": Self.baseline()], days: 14, now: Self.now).yaml()
        #expect(yaml == Self.expected)
    }

    @Test("README's example is this output")
    func readme() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("```yaml\n" + Self.expected + "```\n"))
    }

    @Test("the output loads and validates with the OpenSLO loader: targets, le and matches as suggested")
    func loads() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("suggest-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (job, name) in [("checkout", "checkout"), ("shop/Check Out", "shop-check-out")] {
            let yaml = try SLOSuggestion.suggest(service: job, baselines: [job: Self.baseline()], days: 14, now: Self.now).yaml()
            let path = directory + "/\(name).yaml"
            try yaml.write(toFile: path, atomically: true, encoding: .utf8)
            let slos = try OpenSLOLoader.load(patterns: [path])
            #expect(slos.map(\.name) == ["\(name)-availability", "\(name)-latency"])
            #expect(slos.map { "\($0.target.numerator)/\($0.target.denominator)" } == ["9995/10000", "99/100"])
            #expect(slos[1].good?.lessOrEqual == 0.25)
            #expect(slos[0].bad?.match.map(\.key) == ["http.response.status_code"] + slos[0].total.match.map(\.key))
            #expect(slos.map(\.periodLabel) == ["28d", "28d"])
        }
    }

    static let expected = """
        # Drafted by `opensre slo suggest` from the golden baseline of checkout over the last
        # 14 days (2025-11-19T17:00Z to 2025-12-03T17:00Z): 336,000 requests, 30 errors.
        # Availability: observed 99.9911%. Target 99.95%: the highest of 99.99, 99.95, 99.9, 99.5, 99, 98, 95, 90%
        # whose error budget the window used at most half of. It used 17.86% of it.
        # (Errors here are the golden signals': 5xx, error.type, non-OK gRPC; this SLO counts 5xx.)
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: checkout-availability
          displayName: checkout availability
        spec:
          description: 99.95% of checkout requests succeed (no 5xx) over 28 days.
          service: checkout
          budgetingMethod: Occurrences
          timeWindow:
          - duration: 28d
            isRolling: true
          objectives:
          - displayName: Requests without server errors
            target: 0.9995
          indicator:
            metadata:
              name: checkout-server-errors
            spec:
              ratioMetric:
                counter: true
                bad:
                  metricSource:
                    type: opensre
                    spec:
                      metric: http.server.request.duration
                      match:
                        service.name: checkout
                        http.response.status_code: "5.."
                total:
                  metricSource:
                    type: opensre
                    spec:
                      metric: http.server.request.duration
                      match:
                        service.name: checkout
        ---
        # Latency: observed p50 45.833 ms, p90 75 ms, p99 100 ms; 99.80% of 336,000
        # requests within 250 ms. Target 99% within 250 ms (le: 0.25): the smallest golden
        # bucket bound at which the window used at most half the budget of 99% (else 95%, then 90%).
        # 672 requests were slower: 20.00% of the budget.
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: checkout-latency
          displayName: checkout latency
        spec:
          description: 99% of checkout requests complete within 250 ms over 28 days.
          service: checkout
          budgetingMethod: Occurrences
          timeWindow:
          - duration: 28d
            isRolling: true
          objectives:
          - target: 0.99
          indicator:
            metadata:
              name: checkout-fast-requests
            spec:
              ratioMetric:
                counter: true
                good:
                  metricSource:
                    type: opensre
                    spec:
                      metric: http.server.request.duration
                      match:
                        service.name: checkout
                      le: 0.25
                total:
                  metricSource:
                    type: opensre
                    spec:
                      metric: http.server.request.duration
                      match:
                        service.name: checkout

        """
}
