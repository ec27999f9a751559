import Foundation
import OpenSRESLO
import OpenSRETestSupport
import Testing
import Yams

@Suite("Alert rules")
struct AlertRulesTests {
    static func committedSLOs() throws -> [SLODefinition] {
        try OpenSLOLoader.load(patterns: ["config/slos/*.yaml"], relativeTo: Fixtures.repositoryRoot.path)
    }

    /// `opensre slo rules --format rule-file --min-events 100` for the committed
    /// example SLOs, as written before the rules were built with Yams (by string
    /// concatenation, sequences indented under their keys).
    static let concatenatedRuleFile = #"""
        groups:
          - name: opensre-slo-checkout-availability
            rules:
              - alert: CheckoutAvailabilityBurnRateHigh
                expr: |-
                  (opensre_slo_burn_rate{slo="checkout-availability",window="1h"} > 14.4 and on (slo) opensre_slo_burn_rate{slo="checkout-availability",window="5m"} > 14.4 and on (slo) opensre_slo_events_in_window{slo="checkout-availability",window="1h"} >= 100)
                  or (opensre_slo_burn_rate{slo="checkout-availability",window="6h"} > 6 and on (slo) opensre_slo_burn_rate{slo="checkout-availability",window="30m"} > 6 and on (slo) opensre_slo_events_in_window{slo="checkout-availability",window="6h"} >= 100)
                labels:
                  severity: critical
                  slo_severity: page
                  slo: checkout-availability
                annotations:
                  summary: "Checkout availability: availability error budget burning too fast (page)"
                  description: "Burn rates over the long and short windows exceed the threshold for 0.999 over 30d."
              - alert: CheckoutAvailabilityBurnRateHigh
                expr: |-
                  (opensre_slo_burn_rate{slo="checkout-availability",window="1d"} > 3 and on (slo) opensre_slo_burn_rate{slo="checkout-availability",window="2h"} > 3 and on (slo) opensre_slo_events_in_window{slo="checkout-availability",window="1d"} >= 100)
                  or (opensre_slo_burn_rate{slo="checkout-availability",window="3d"} > 1 and on (slo) opensre_slo_burn_rate{slo="checkout-availability",window="6h"} > 1 and on (slo) opensre_slo_events_in_window{slo="checkout-availability",window="3d"} >= 100)
                labels:
                  severity: warning
                  slo_severity: ticket
                  slo: checkout-availability
                annotations:
                  summary: "Checkout availability: availability error budget burning too fast (ticket)"
                  description: "Burn rates over the long and short windows exceed the threshold for 0.999 over 30d."
              - alert: CheckoutAvailabilityErrorBudgetExhausted
                expr: opensre_slo_budget_status{slo="checkout-availability",status="red"} == 1
                for: 5m
                labels:
                  severity: info
                  slo: checkout-availability
                annotations:
                  summary: "checkout-availability: error budget spent over 30d; freeze risky changes"
          - name: opensre-slo-checkout-latency
            rules:
              - alert: CheckoutLatencyBurnRateHigh
                expr: |-
                  (opensre_slo_burn_rate{slo="checkout-latency",window="1h"} > 13.44 and on (slo) opensre_slo_burn_rate{slo="checkout-latency",window="5m"} > 13.44 and on (slo) opensre_slo_events_in_window{slo="checkout-latency",window="1h"} >= 100)
                  or (opensre_slo_burn_rate{slo="checkout-latency",window="6h"} > 5.6 and on (slo) opensre_slo_burn_rate{slo="checkout-latency",window="30m"} > 5.6 and on (slo) opensre_slo_events_in_window{slo="checkout-latency",window="6h"} >= 100)
                labels:
                  severity: critical
                  slo_severity: page
                  slo: checkout-latency
                annotations:
                  summary: "Checkout latency: latency error budget burning too fast (page)"
                  description: "Burn rates over the long and short windows exceed the threshold for 0.99 over 28d."
              - alert: CheckoutLatencyBurnRateHigh
                expr: |-
                  (opensre_slo_burn_rate{slo="checkout-latency",window="1d"} > 2.8 and on (slo) opensre_slo_burn_rate{slo="checkout-latency",window="2h"} > 2.8 and on (slo) opensre_slo_events_in_window{slo="checkout-latency",window="1d"} >= 100)
                  or (opensre_slo_burn_rate{slo="checkout-latency",window="3d"} > 0.933 and on (slo) opensre_slo_burn_rate{slo="checkout-latency",window="6h"} > 0.933 and on (slo) opensre_slo_events_in_window{slo="checkout-latency",window="3d"} >= 100)
                labels:
                  severity: warning
                  slo_severity: ticket
                  slo: checkout-latency
                annotations:
                  summary: "Checkout latency: latency error budget burning too fast (ticket)"
                  description: "Burn rates over the long and short windows exceed the threshold for 0.99 over 28d."
              - alert: CheckoutLatencyErrorBudgetExhausted
                expr: opensre_slo_budget_status{slo="checkout-latency",status="red"} == 1
                for: 5m
                labels:
                  severity: info
                  slo: checkout-latency
                annotations:
                  summary: "checkout-latency: error budget spent over 28d; freeze risky changes"

        """#

    @Test("the rule file is, as YAML, what the concatenated text was: same values, keys in the same order")
    func sameAsConcatenated() throws {
        let text = try AlertRules.ruleGroups(try Self.committedSLOs(), minimumEvents: 100)
        #expect(try Yams.compose(yaml: text) == Yams.compose(yaml: Self.concatenatedRuleFile))
        // Only the indentation of sequences changed: libyaml writes them level with their key.
        let trimmed = { (text: String) in text.split(separator: "\n").map { $0.drop { $0 == " " } } }
        #expect(trimmed(text) == trimmed(Self.concatenatedRuleFile))
    }

    @Test("the PrometheusRule wraps the same groups; a name that needs quoting gets them")
    func prometheusRule() throws {
        let slos = try Self.committedSLOs()
        let text = try AlertRules.prometheusRule(slos, name: "odd: name", minimumEvents: 100)
        #expect(text.hasPrefix("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: 'odd: name'\n"))
        let document = try #require(try Yams.compose(yaml: text))
        #expect(document["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.string == "opensre")
        #expect(document["spec"]?["groups"] == (try Yams.compose(yaml: Self.concatenatedRuleFile))?["groups"])
    }

    @Test("annotations with quotes, backslashes, a newline and UTF-8 come back as written")
    func annotationText() throws {
        let total = SLOEventSource(metric: "requests")
        let definition = SLODefinition(
            name: "api", displayName: "Say \"hi\" \\ now\nplease – ünïcode", target: SLOTarget(decimal: "0.99")!,
            period: .seconds(7 * 86400), periodLabel: "7d", bad: total, total: total)
        let text = try AlertRules.ruleGroups([definition], minimumEvents: nil)
        let summary = try Yams.compose(yaml: text)?["groups"]?[0]?["rules"]?[0]?["annotations"]?["summary"]?.string
        #expect(summary == "Say \"hi\" \\ now\nplease – ünïcode: availability error budget burning too fast (page)")
        #expect(text.contains("ünïcode"))
    }

    @Test("promtool check rules accepts the rule file, with and without a minimum of events", arguments: [nil, 100] as [Int?])
    func promtoolAccepts(minimumEvents: Int?) throws {
        let text = try AlertRules.ruleGroups(try Self.committedSLOs(), minimumEvents: minimumEvents)
        let (status, said) = try Promtool.checkRules(text)
        #expect(status == 0, "promtool: \(said)\n\(text)")
        #expect(said.contains("SUCCESS: 6 rules found"))
    }
}
