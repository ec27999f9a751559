import ArgumentParser
import Foundation
import OpenSREConfig
import OpenSRESLO

extension SLOCommand {
    /// `opensre slo suggest --service NAME [--days 14]`: a first pair of
    /// OpenSLO SLOs drafted from the persisted golden baseline (the rules are
    /// ``SLOSuggestion``'s). Exit 2, with the reason on stderr, when there is
    /// no usable baseline.
    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print OpenSLO availability and latency SLOs drafted from a service's golden baseline.")

        @Option(name: .long, help: "The service (its job: service.name, or service.namespace/service.name).")
        var service: String

        @Option(name: .long, help: "Days of baseline to draft from (1...14).")
        var days = GoldenBaseline.days

        @Option(name: .long, help: "Configuration whose processors.slo.state_dir holds the baseline.")
        var config = "config/opensre.yaml"

        @Option(name: .long, help: "The slo processor's state_dir (instead of the configuration).")
        var stateDir: String?

        func run() throws {
            let directory: String
            if let stateDir {
                directory = stateDir
            } else {
                do {
                    guard let slo = try CollectorConfiguration.load(path: config).slo else {
                        printError("opensre slo suggest: \(config) lists no slo processor, so no baseline is persisted (or pass --state-dir)")
                        throw ExitCode(2)
                    }
                    directory = slo.stateDirectory
                } catch let exit as ExitCode {
                    throw exit
                } catch {
                    printError("opensre slo suggest: \(error)")
                    throw ExitCode(2)
                }
            }
            let file = GoldenBaselineFile(directory: directory)
            do {
                let suggestion = try SLOSuggestion.suggest(
                    service: service, baselines: try file.load(), days: days, now: Int64(Date().timeIntervalSince1970),
                    file: file.path)
                print(try suggestion.yaml(), terminator: "")
            } catch let problem as SLOSuggestion.Problem {
                printError("opensre slo suggest: \(problem)")
                throw ExitCode(2)
            } catch let problem as SLOStateFile.LoadProblem {
                guard case .corrupt(let reason) = problem else { throw ExitCode(2) }
                printError("opensre slo suggest: \(file.path) cannot be read (\(reason))")
                throw ExitCode(2)
            }
        }
    }
}
