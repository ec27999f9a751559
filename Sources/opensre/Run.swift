import ArgumentParser
import Dispatch
import Logging
import NIOCore
import NIOPosix
import OpenSRECollector
import OpenSREConfig
import OpenSREModel
import ServiceLifecycle

/// `opensre [run] --config PATH`.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the collector (default).")

    @Option(name: .long, help: "Path of the configuration file.")
    var config = "config/opensre.yaml"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        MallocTuning.apply()
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "opensre")
        let openFiles = Collector.raiseOpenFileLimit()
        logger.debug("open-file limit", metadata: ["soft": "\(openFiles)"])
        let configuration: CollectorConfiguration
        do {
            configuration = try CollectorConfiguration.load(path: config)
        } catch {
            printError("opensre: invalid configuration \(config):\n\(error)")
            throw ExitCode(2)
        }
        for warning in configuration.warnings {
            logger.warning("\(warning)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        var failure: (any Error)?
        do {
            try await Self.serve(configuration, group: group, logger: logger)
        } catch {
            logger.error("collector failed: \(error)")
            failure = error
        }
        // The collector is released by now: its listeners must not outlive the loops.
        try await group.shutdownGracefully()
        if failure != nil { throw ExitCode(1) }
    }

    /// Runs the collector until SIGTERM or SIGINT, then stops it gracefully.
    ///
    /// SIGHUP does not reload: a reload that rebinds listeners and changes
    /// naming would leave half-renamed series behind. A restart is the safe
    /// path and is quick (ready in well under a second; SLO state is
    /// persisted), so SIGHUP only logs how to apply a new configuration.
    /// SIGUSR1 and SIGUSR2 have no meaning here; their default action would
    /// end the process without a word, so they are logged and ignored.
    private static func serve(
        _ configuration: CollectorConfiguration, group: MultiThreadedEventLoopGroup, logger: Logger
    ) async throws {
        let ignored: [(Int32, String)] = [
            (SIGHUP, "SIGHUP: configuration reload is not supported; restart the process to apply changes (startup takes well under a second)"),
            (SIGUSR1, "SIGUSR1 ignored: no action is bound to it (SIGTERM or SIGINT stop the collector gracefully)"),
            (SIGUSR2, "SIGUSR2 ignored: no action is bound to it (SIGTERM or SIGINT stop the collector gracefully)"),
        ]
        let sources = ignored.map { number, message in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { logger.warning("\(message)") }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }
        let collector = try Collector(configuration: configuration, group: group, logger: logger)
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: collector.service)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await services.run()
    }
}
