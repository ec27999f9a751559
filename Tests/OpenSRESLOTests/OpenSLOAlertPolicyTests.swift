import Foundation
import OpenSRESLO
import PrometheusExposition
import Testing

@Suite("OpenSLO alert policies, conditions and SLI documents")
struct OpenSLOAlertPolicyTests {
    /// An SLO whose indicator is an SLI document and whose alert policies are
    /// one inline (with an inline condition) and one by reference (whose
    /// condition is a reference too).
    static let documents = """
        apiVersion: openslo/v1
        kind: SLI
        metadata: { name: api-errors }
        spec:
          ratioMetric:
            counter: true
            bad:
              metricSource:
                type: opensre
                spec: { metric: http.server.request.duration, match: { http.response.status_code: "5.." } }
            total:
              metricSource:
                type: opensre
                spec: { metric: http.server.request.duration }
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata: { name: api-availability, displayName: API availability }
        spec:
          service: api
          indicatorRef: api-errors
          budgetingMethod: Occurrences
          timeWindow: [{ duration: 30d, isRolling: true }]
          objectives: [{ target: 0.999 }]
          alertPolicies:
            - kind: AlertPolicy
              metadata: { name: fast-burn, displayName: Fast burn }
              spec:
                description: Two percent of the month's budget in an hour.
                alertWhenBreaching: true
                conditions:
                  - kind: AlertCondition
                    metadata: { name: fast }
                    spec:
                      severity: page
                      condition: { kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 2m }
                notificationTargets:
                  - targetRef: pagerduty-api
            - alertPolicyRef: slow-burn
        ---
        apiVersion: openslo/v1
        kind: AlertPolicy
        metadata: { name: slow-burn }
        spec:
          alertWhenNoData: true
          conditions:
            - conditionRef: slow
        ---
        apiVersion: openslo/v1
        kind: AlertCondition
        metadata: { name: slow }
        spec:
          description: Burning faster than the budget allows.
          severity: ticket
          condition: { kind: burnrate, threshold: 1, lookbackWindow: 15m, alertAfter: 10m }
        ---
        apiVersion: openslo/v1
        kind: Service
        metadata: { name: api }
        spec: {}
        """

    func problems(_ yaml: String) -> [String] { OpenSLOLoaderTests().problems(yaml) }

    @Test("SLI by indicatorRef, policies inline and by reference, conditions inline and by reference")
    func resolved() throws {
        let slos = try OpenSLOLoader.parse(yaml: Self.documents)
        #expect(slos.count == 1)
        let slo = try #require(slos.first)
        #expect(slo.bad?.match == [AttributeMatch(key: "http.response.status_code", pattern: "5..")])
        #expect(slo.total.metric == "http.server.request.duration" && slo.good == nil)
        #expect(slo.alertPolicies == [
            SLOAlertPolicy(
                name: "fast-burn", displayName: "Fast burn", description: "Two percent of the month's budget in an hour.",
                condition: SLOAlertCondition(
                    name: "fast", severity: "page", comparison: .gte, threshold: 14.4, lookbackMinutes: 60, alertAfterMinutes: 2),
                notificationTargets: ["pagerduty-api"]),
            SLOAlertPolicy(
                name: "slow-burn", alertWhenBreaching: true, alertWhenNoData: true,
                condition: SLOAlertCondition(
                    name: "slow", description: "Burning faster than the budget allows.", severity: "ticket",
                    threshold: 1, lookbackMinutes: 15, alertAfterMinutes: 10)),
        ])
    }

    @Test("the rules come from the policies (not the default ladder); the exhaustion rule stays")
    func rules() throws {
        let text = try AlertRules.ruleGroups(try OpenSLOLoader.parse(yaml: Self.documents), minimumEvents: nil)
        // libyaml writes sequences level with their key.
        #expect(text == #"""
            groups:
            - name: opensre-slo-api-availability
              rules:
              - alert: ApiAvailabilityFastBurn
                expr: opensre_slo_burn_rate{slo="api-availability",window="1h"} >= 14.4
                for: 2m
                labels:
                  severity: page
                  slo: api-availability
                  alert_policy: fast-burn
                  notification_targets: pagerduty-api
                annotations:
                  summary: "API availability: Fast burn: burn rate over 1h >= 14.4"
                  description: "Two percent of the month's budget in an hour."
              - alert: ApiAvailabilitySlowBurn
                expr: opensre_slo_burn_rate{slo="api-availability",window="15m"} > 1
                for: 10m
                labels:
                  severity: ticket
                  slo: api-availability
                  alert_policy: slow-burn
                annotations:
                  summary: "API availability: slow-burn: burn rate over 15m > 1"
                  description: "Burning faster than the budget allows."
              - alert: ApiAvailabilitySlowBurnNoData
                expr: opensre_slo_events_in_window{slo="api-availability",window="15m"} == 0
                for: 10m
                labels:
                  severity: ticket
                  slo: api-availability
                  alert_policy: slow-burn
                annotations:
                  summary: "API availability: no events over 15m"
                  description: "Burning faster than the budget allows."
              - alert: ApiAvailabilityErrorBudgetExhausted
                expr: opensre_slo_budget_status{slo="api-availability",status="red"} == 1
                for: 5m
                labels:
                  severity: info
                  slo: api-availability
                annotations:
                  summary: "api-availability: error budget spent over 30d; freeze risky changes"

            """#)
    }

    @Test("the engine exports the burn rate over a condition's own lookback window (15m here)")
    func lookbackWindowExported() throws {
        let slo = try #require(try OpenSLOLoader.parse(yaml: Self.documents).first)
        let start: UInt64 = 1_700_000_000 * 1_000_000_000
        let engine = SLOEngine(definitions: [slo], now: start)
        engine.observe(slo: 0, role: .total, series: 1, startTime: start, cumulative: 1000, now: start)
        engine.observe(slo: 0, role: .selected, series: 2, startTime: start, cumulative: 2, now: start)
        let burn = try #require(engine.families(now: start).first { $0.name == "opensre_slo_burn_rate" })
        #expect(burn.samples.map { $0.labels[1].value } == ["5m", "15m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"])
        // 2 bad of 1000 against an allowed 0.1%: a burn rate of 2 in every window holding the minute.
        #expect(burn.samples.first { $0.labels[1].value == "15m" }?.value == 2)
    }

    @Test("promtool check rules accepts the policies' rules, with and without a minimum of events", arguments: [nil, 50] as [Int?])
    func promtoolAccepts(minimumEvents: Int?) throws {
        let text = try AlertRules.ruleGroups(try OpenSLOLoader.parse(yaml: Self.documents), minimumEvents: minimumEvents)
        let (status, said) = try Promtool.checkRules(text)
        #expect(status == 0, "promtool: \(said)\n\(text)")
        #expect(said.contains("SUCCESS: 4 rules found"))
    }

    static func replacing(_ old: String, _ new: String) -> String {
        precondition(documents.contains(old), old)
        return documents.replacingOccurrences(of: old, with: new)
    }

    @Test(
        "what is not supported or not found is refused, naming the file, the document and the field",
        arguments: [
            (
                Self.documents + "\n---\napiVersion: openslo/v1\nkind: AlertNotificationTarget\nmetadata: { name: pagerduty-api }\nspec: { target: pagerduty }\n",
                "slos.yaml: document 6: kind: AlertNotificationTarget is not supported: OpenSRE writes alert rules; route them in Alertmanager (a policy's targetRef names go on its alerts as the notification_targets label)"
            ),
            (
                Self.replacing("indicatorRef: api-errors", "indicatorRef: nowhere"),
                "slos.yaml: document 2 (SLO api-availability): spec.indicatorRef: no SLI document named nowhere in the definitions"
            ),
            (
                Self.replacing("- alertPolicyRef: slow-burn", "- alertPolicyRef: medium-burn"),
                "slos.yaml: document 2 (SLO api-availability): spec.alertPolicies[1].alertPolicyRef: no AlertPolicy document named medium-burn in the definitions"
            ),
            (
                Self.replacing("- conditionRef: slow", "- conditionRef: slower"),
                "slos.yaml: document 3 (AlertPolicy slow-burn): spec.conditions[0].conditionRef: no AlertCondition document named slower in the definitions"
            ),
            (
                Self.replacing("alertWhenNoData: true", "alertWhenResolved: true"),
                "slos.yaml: document 3 (AlertPolicy slow-burn): spec.alertWhenResolved: not supported: a Prometheus alert fires while its condition holds; Alertmanager sends the resolved notification (send_resolved in its receiver)"
            ),
            (
                Self.replacing("op: gte", "op: above"),
                "slos.yaml: document 2 (SLO api-availability): spec.alertPolicies[0].spec.conditions[0].spec.condition.op: expected gt, gte, lt or lte, got above"
            ),
            (
                Self.replacing("lookbackWindow: 15m", "lookbackWindow: 1M"),
                "slos.yaml: document 4 (AlertCondition slow): spec.condition.lookbackWindow: expected a duration such as 5m, 1h or 1d (m, h, d, w), got 1M"
            ),
            (
                Self.replacing("lookbackWindow: 15m", "lookbackWindow: 31d"),
                "slos.yaml: document 2 (SLO api-availability): spec.alertPolicies (slow-burn): the condition's lookbackWindow 31d is longer than the SLO's time window 30d"
            ),
            (
                Self.replacing("kind: burnrate, threshold: 1", "kind: sli, threshold: 1"),
                "slos.yaml: document 4 (AlertCondition slow): spec.condition.kind: only burnrate is supported, got sli"
            ),
            (
                Self.replacing("  severity: ticket\n", "  severity: ticket\n  priority: high\n"),
                "slos.yaml: document 4 (AlertCondition slow): spec.priority: unknown key (expected condition, description, severity)"
            ),
            (
                Self.replacing("- targetRef: pagerduty-api", "- kind: AlertNotificationTarget"),
                "slos.yaml: document 2 (SLO api-availability): spec.alertPolicies[0].spec.notificationTargets[0]: only targetRef: NAME is supported (the name goes on the alert as notification_targets for Alertmanager to route on); AlertNotificationTarget objects are not"
            ),
        ])
    func refusals(yaml: String, expected: String) {
        #expect(problems(yaml) == [expected])
    }

    @Test("references cross files: an SLO in one file, its SLI, policy and condition in another")
    func acrossFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openslo-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let parts = Self.documents.components(separatedBy: "\n---\n")
        try parts[1].write(to: directory.appendingPathComponent("slo.yaml"), atomically: true, encoding: .utf8)
        try ([parts[0]] + parts[2...]).joined(separator: "\n---\n")
            .write(to: directory.appendingPathComponent("shared.yaml"), atomically: true, encoding: .utf8)
        let slos = try OpenSLOLoader.load(patterns: ["*.yaml"], relativeTo: directory.path)
        #expect(slos == (try OpenSLOLoader.parse(yaml: Self.documents)))
    }
}
