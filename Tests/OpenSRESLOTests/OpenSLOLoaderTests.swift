import Foundation
import OpenSRESLO
import OpenSRETestSupport
import Testing

@Suite("OpenSLO loading and validation")
struct OpenSLOLoaderTests {
    static func slo(name: String = "api-availability", window: String = "30d", target: String = "target: 0.999",
                    method: String = "Occurrences", source: String = "type: opensre", extra: String = "") -> String {
        """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: \(name)
        spec:
          service: api
          budgetingMethod: \(method)
          timeWindow:
            - duration: \(window)
              isRolling: true
          objectives:
            - \(target)
          indicator:
            metadata: { name: api-errors }
            spec:
              ratioMetric:
                counter: true
                bad:
                  metricSource:
                    \(source)
                    spec:
                      metric: http.server.request.duration
                      match: { http.response.status_code: "5..", service.name: api }
                total:
                  metricSource:
                    type: opensre
                    spec: { metric: http.server.request.duration, match: { service.name: api } }\(extra)
        """
    }

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try OpenSLOLoader.parse(yaml: yaml, file: "slos.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test("the committed example file loads: an availability and a latency SLO")
    func example() throws {
        let slos = try OpenSLOLoader.load(patterns: ["config/slos/*.yaml"], relativeTo: Fixtures.repositoryRoot.path)
        #expect(slos.map(\.name) == ["checkout-availability", "checkout-latency"])
        #expect(slos[0].target == SLOTarget(decimal: "0.999") && slos[0].period == .seconds(30 * 86400) && slos[0].periodLabel == "30d")
        #expect(slos[0].bad?.match == [AttributeMatch(key: "http.response.status_code", pattern: "5.."), AttributeMatch(key: "service.name", pattern: "checkout")])
        #expect(!slos[0].isLatency)
        #expect(slos[1].good?.lessOrEqual == 0.5 && slos[1].isLatency && slos[1].periodLabel == "28d")
    }

    @Test("several documents per file, other kinds skipped, targetPercent")
    func documents() throws {
        let yaml = Self.slo() + "\n---\napiVersion: openslo/v1\nkind: Service\nmetadata: { name: api }\nspec: {}\n---\n"
            + Self.slo(name: "second", window: "4w", target: "targetPercent: 99.5")
        let slos = try OpenSLOLoader.parse(yaml: yaml)
        #expect(slos.map(\.name) == ["api-availability", "second"])
        #expect(slos[1].target == SLOTarget(decimal: "0.995") && slos[1].period == .seconds(28 * 86400))
    }

    @Test(
        "clear errors naming file, document, SLO and field",
        arguments: [
            (Self.slo(target: "target: 1.0"), "slos.yaml: document 1 (SLO api-availability): spec.objectives[0].target: must be a decimal in [0, 1) (1.0 would leave no error budget), got 1.0"),
            (Self.slo(window: "1M"), "slos.yaml: document 1 (SLO api-availability): spec.timeWindow[0].duration: expected a duration such as 28d, 30d, 12h or 4w (m, h, d, w), got 1M"),
            (Self.slo(window: "30m"), "slos.yaml: document 1 (SLO api-availability): spec.timeWindow[0].duration: must be between 1h and 90d, got 30m"),
            (Self.slo(method: "Timeslices"), "slos.yaml: document 1 (SLO api-availability): spec.budgetingMethod: only Occurrences is supported, got Timeslices"),
            (Self.slo(source: "type: prometheus"), "slos.yaml: document 1 (SLO api-availability): spec.indicator.spec.ratioMetric.bad.metricSource.type: must be opensre, got prometheus"),
            (Self.slo(name: "Bad_Name"), "slos.yaml: document 1: metadata.name: required, lowercase letters, digits and '-' (RFC 1123), at most 63 characters"),
            (Self.slo().replacingOccurrences(of: "isRolling: true", with: "isRolling: false"), "slos.yaml: document 1 (SLO api-availability): spec.timeWindow[0]: calendar-aligned windows are not supported yet; use a rolling window (isRolling: true)"),
            (Self.slo().replacingOccurrences(of: "\"5..\"", with: "\"5(\""), "slos.yaml: document 1 (SLO api-availability): spec.indicator.spec.ratioMetric.bad.metricSource.spec.match.http.response.status_code: not a valid regular expression: 5("),
            (Self.slo().replacingOccurrences(of: "spec: { metric: http.server.request.duration, match", with: "spec: { le: 0.5, metric: http.server.request.duration, match"), "slos.yaml: document 1 (SLO api-availability): spec.indicator.spec.ratioMetric.total.metricSource.spec.le: le selects good or bad events, not the total"),
            (Self.slo().replacingOccurrences(of: "apiVersion: openslo/v1", with: "apiVersion: openslo/v2alpha"), "slos.yaml: document 1: apiVersion: must be openslo/v1, got openslo/v2alpha"),
        ])
    func errors(yaml: String, expected: String) {
        #expect(problems(yaml) == [expected])
    }

    @Test("le inside match is refused with where it belongs (it would silently count nothing as good)")
    func leInsideMatch() {
        let yaml = Self.slo().replacingOccurrences(
            of: #"match: { http.response.status_code: "5..", service.name: api }"#,
            with: #"match: { le: "0.3", service.name: api }"#)
        #expect(
            problems(yaml) == [
                "slos.yaml: document 1 (SLO api-availability): spec.indicator.spec.ratioMetric.bad.metricSource.spec.match.le: le is a histogram bound, not an attribute: write it beside match (spec.le: 0.3), not inside it"
            ])
    }

    @Test("a missing file or duplicate names are errors")
    func files() {
        #expect(throws: SLOLoadError.self) { try OpenSLOLoader.load(patterns: ["nowhere/*.yaml"]) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("slo-\(UUID())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try? Self.slo().write(to: directory.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try? Self.slo().write(to: directory.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        do {
            _ = try OpenSLOLoader.load(patterns: ["*.yaml"], relativeTo: directory.path)
            Issue.record("expected an error")
        } catch {
            #expect(error.problems == ["SLO api-availability is defined more than once"])
        }
    }
}
