import ArgumentParser
import NIOCore
import NIOPosix
import OpenSREConfig
import OpenSREModel
import ServiceLifecycle

/// `opensre validate --config PATH`: exit 0 when valid, 2 with every problem listed otherwise.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a configuration file and exit.")

    @Option(name: .long, help: "Path of the configuration file.")
    var config = "config/opensre.yaml"

    func run() throws {
        do {
            let configuration = try CollectorConfiguration.load(path: config)
            for warning in configuration.warnings {
                print("warning: \(warning)")
            }
            print("\(config): configuration is valid")
        } catch {
            printError("\(config): configuration is invalid:\n\(error)")
            throw ExitCode(2)
        }
    }
}
