import Foundation
import OpenSRETestSupport

/// The built `opensre` executable run as a child process on free ports, its
/// log in a file (readable while it runs), optionally under `prlimit`.
final class CollectorProcess {
    let process = Process()
    let receiverPort: Int
    let exporterPort: Int
    let logFile: URL
    private let configFile: String

    /// - Parameters:
    ///   - receiver: extra keys under `receivers.otlp.protocols.http` (YAML flow items, e.g. `max_connections: 10`).
    ///   - processors: the `processors:` mapping body and the pipeline's processor list.
    ///   - openFiles: runs it under `prlimit --nofile=N:N` when set.
    ///   - spanMetrics: adds a traces pipeline exporting into a `spanmetrics`
    ///     connector (with these settings, YAML flow items) that the metrics pipeline receives from.
    init(
        receiver: String = "", exporter: String = "", processors: String = "batch: {}",
        pipeline: String = "[batch]", openFiles: Int? = nil, spanMetrics: String? = nil
    ) throws {
        receiverPort = try ExecutableTests.freePort()
        exporterPort = try ExecutableTests.freePort()
        let pipelines =
            spanMetrics == nil
            ? "metrics: { receivers: [otlp], processors: \(pipeline), exporters: [prometheus] }"
            : "traces: { receivers: [otlp], exporters: [spanmetrics] }, metrics: { receivers: [otlp, spanmetrics], processors: \(pipeline), exporters: [prometheus] }"
        configFile = try ExecutableTests.writeConfig(
            """
            receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:\(receiverPort)"\(receiver.isEmpty ? "" : ", " + receiver) } } } }
            processors: { \(processors) }
            exporters: { prometheus: { endpoint: "127.0.0.1:\(exporterPort)", shutdown_grace_period: 0s\(exporter.isEmpty ? "" : ", " + exporter) } }
            \(spanMetrics.map { "connectors: { spanmetrics: { \($0) } }" } ?? "")
            service: { pipelines: { \(pipelines) } }
            """)
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-\(UUID()).log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        if let openFiles {
            process.executableURL = URL(fileURLWithPath: ProgramRun.which("prlimit") ?? "/usr/bin/prlimit")
            process.arguments = ["--nofile=\(openFiles):\(openFiles)", ExecutableTests.binary, "--config", configFile]
        } else {
            process.executableURL = URL(fileURLWithPath: ExecutableTests.binary)
            process.arguments = ["--config", configFile]
        }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: configFile)
        try? FileManager.default.removeItem(at: logFile)
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits (up to 5 s) until `/readyz` answers 200 on the receiver port.
    func waitUntilReady() async throws -> Bool {
        for _ in 0..<500 {
            if (try? await TestHTTPConnection.send(port: receiverPort, .GET, "/readyz"))?.status == .ok { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// A `/proc/PID/status` field in bytes (`VmRSS`, `VmHWM`: peak resident).
    func memory(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kib * 1024
    }

    /// User + system CPU time consumed so far, in seconds (`/proc/PID/stat`).
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        // Fields after the command: state is field 3; utime and stime are 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Open descriptors of the process.
    func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// SIGTERM, then waits (up to 5 s) for the exit status.
    func stop() async throws -> Int32? {
        process.terminate()
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }
}
