import ArgumentParser
import Foundation
import OpenSREConfig
import OpenSRESLO

/// `opensre slo …`: tools around the SLO definitions.
struct SLOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slo", abstract: "SLO tools: alert rules, a Grafana dashboard, budget arithmetic and SLOs drafted from the baseline.",
        subcommands: [Rules.self, Dashboard.self, Budget.self, Suggest.self])

    /// `opensre slo rules`: multiwindow, multi-burn-rate alert rules for the SLOs.
    struct Rules: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print Prometheus alert rules (PrometheusRule or a plain rule file) for the SLOs.")

        @Option(name: .long, help: "Configuration whose processors.slo.definitions name the SLO files.")
        var config = "config/opensre.yaml"

        @Option(name: .long, parsing: .upToNextOption, help: "OpenSLO files or globs (instead of the configuration).")
        var definitions: [String] = []

        @Option(name: .long, help: "prometheus-rule (Prometheus Operator) or rule-file (plain Prometheus).")
        var format: Format = .prometheusRule

        @Option(name: .long, help: "metadata.name of the PrometheusRule.")
        var name = "opensre-slo-alerts"

        @Option(name: .long, help: "Only alert when the long window holds at least this many events.")
        var minEvents: Int?

        enum Format: String, ExpressibleByArgument {
            case prometheusRule = "prometheus-rule"
            case ruleFile = "rule-file"
        }

        func run() throws {
            let slos: [SLODefinition]
            do {
                if definitions.isEmpty {
                    slos = try CollectorConfiguration.load(path: config).slo?.definitions ?? []
                } else {
                    slos = try OpenSLOLoader.load(patterns: definitions)
                }
            } catch {
                printError("opensre slo rules: \(error)")
                throw ExitCode(2)
            }
            guard !slos.isEmpty else {
                printError("opensre slo rules: no SLOs defined (processors.slo.definitions, or --definitions)")
                throw ExitCode(2)
            }
            switch format {
            case .prometheusRule: print(try AlertRules.prometheusRule(slos, name: name, minimumEvents: minEvents), terminator: "")
            case .ruleFile: print(try AlertRules.ruleGroups(slos, minimumEvents: minEvents), terminator: "")
            }
        }
    }

    /// `opensre slo dashboard`: a Grafana dashboard for the SLO and golden-signal series.
    struct Dashboard: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a Grafana dashboard (JSON model) of the SLO and golden-signal series.")

        @Option(
            name: .long, parsing: .upToNextOption,
            help: "OpenSLO files or globs: the SLO variable lists their names (default: every SLO Prometheus has).")
        var definitions: [String] = []

        func run() throws {
            let slos: [SLODefinition]
            do {
                slos = definitions.isEmpty ? [] : try OpenSLOLoader.load(patterns: definitions)
            } catch {
                printError("opensre slo dashboard: \(error)")
                throw ExitCode(2)
            }
            print(try GrafanaDashboard.json(definitions: slos), terminator: "")
        }
    }

    /// `opensre slo budget --total N --bad N --target T`.
    struct Budget: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the error-budget arithmetic for given counts.")

        @Option(name: .long, help: "Total events.")
        var total: UInt64

        @Option(name: .long, help: "Bad events.")
        var bad: UInt64

        @Option(name: .long, help: "Target as a ratio (0.999) or a percentage (99.9%).")
        var target: String

        func run() throws {
            let percent = target.hasSuffix("%")
            let text = percent ? String(target.dropLast()) : target
            guard let parsed = SLOTarget(decimal: text, percent: percent) else {
                printError("opensre slo budget: --target must be in [0, 1) (or [0%, 100%)), got \(target)")
                throw ExitCode(2)
            }
            guard bad <= total else {
                printError("opensre slo budget: --bad (\(bad)) cannot exceed --total (\(total))")
                throw ExitCode(2)
            }
            print(BudgetReport.render(total: total, bad: bad, target: parsed), terminator: "")
        }
    }
}
