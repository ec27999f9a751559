import ArgumentParser
import Foundation
import Logging
import NIOCore
import NIOPosix
import OpenSREConfig
import OpenSREModel

/// `opensre`: runs the collector (the default), or validates a configuration.
@main
struct OpenSRECommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opensre",
        abstract: "OTLP/HTTP metrics in, Prometheus metrics out.",
        subcommands: [Run.self, Validate.self, SLOCommand.self, HealthcheckCommand.self],
        defaultSubcommand: Run.self)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
