import ArgumentParser
import Foundation
import OpenSREModel

/// Micro benchmarks of the hot paths with allocation counts; `--check` turns
/// them into the CI smoke test against checked-in limits. See Benchmarks/README.md.
@main
struct MicroBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opensre-bench", abstract: "Micro benchmarks of decode, inflate, store, render and rings.")

    @Option(help: "Directory of the payloads make_payloads.py wrote.") var payloads = "Benchmarks/payloads"
    @Option(help: "Run only cases whose name contains this (repeatable).") var filter: [String] = []
    @Option(help: "Timed runs per case (the median is reported).") var runs = 5
    @Option(help: "Minimum seconds per run.") var seconds = 1.0
    @Option(help: "JSON limits {case: {allocations, nanoseconds}}: exit non-zero when a figure exceeds one.")
    var check: String?
    @Flag(help: "Print the cases' names and exit.") var list = false
    @Flag(help: "Print live heap bytes per series of stores filled with 100k and 1M series, and exit.")
    var memory = false

    func run() throws {
        MallocTuning.apply()  // as the collector does
        if memory {
            try MemoryFigures.run(Cases(payloads: payloads), sizes: [100_000, 1_000_000])
            return
        }
        let cases = Cases(payloads: payloads).all.filter { benchmark in
            filter.isEmpty || filter.contains { benchmark.name.contains($0) }
        }
        if list {
            for benchmark in cases { print(benchmark.name) }
            return
        }
        let limits = try check.map(Limits.load(_:)) ?? [:]
        print(Self.header)
        var failures: [String] = []
        for benchmark in cases {
            let result = try Harness.measure(benchmark, runs: runs, seconds: seconds)
            print(Self.row(result))
            fflush(nil)
            if let limit = limits[result.name] {
                failures += limit.violations(of: result)
            }
        }
        if check != nil {
            for name in limits.keys where !cases.contains(where: { $0.name == name }) && filter.isEmpty {
                failures.append("\(name): no such benchmark")
            }
            guard failures.isEmpty else {
                for failure in failures { print("REGRESSION: \(failure)") }
                throw ExitCode.failure
            }
            print("all figures within \(check!)")
        }
    }

    static let header =
        "case                      unit         CPU/op     items/CPU-s   allocs/op      bytes/op  faults/op  runs (µs/op)"

    static func row(_ result: BenchmarkResult) -> String {
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return left ? text + padding : padding + text
        }
        let runs = result.nanosecondsPerOperation.map { String(format: "%.1f", $0 / 1000) }.joined(separator: " ")
        return pad(result.name, 26, left: true) + pad(result.unit, 12, left: true)
            + pad(duration(result.median), 11) + pad(rate(result.itemsPerSecond), 14)
            + pad(String(format: "%.1f", result.allocationsPerOperation), 12)
            + pad(String(format: "%.0f", result.bytesPerOperation), 14)
            + pad(String(format: "%.1f", result.faultsPerOperation), 11) + "  " + runs
    }

    static func duration(_ nanoseconds: Double) -> String {
        if nanoseconds >= 1e6 { return String(format: "%.2f ms", nanoseconds / 1e6) }
        if nanoseconds >= 1e3 { return String(format: "%.1f µs", nanoseconds / 1e3) }
        return String(format: "%.0f ns", nanoseconds)
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1e6 ? String(format: "%.2f M", perSecond / 1e6) : String(format: "%.0f k", perSecond / 1e3)
    }
}

/// Checked-in ceilings for the CI smoke run.
struct Limits: Decodable {
    /// Most allocations per operation.
    var allocations: Double?
    /// Most nanoseconds per operation (median): set far above the measured
    /// figure, to catch gross regressions on a noisy machine.
    var nanoseconds: Double?

    static func load(_ path: String) throws -> [String: Limits] {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchmarkError("cannot read \(path)") }
        return try JSONDecoder().decode([String: Limits].self, from: data)
    }

    func violations(of result: BenchmarkResult) -> [String] {
        var found: [String] = []
        if let allocations, result.allocationsPerOperation > allocations {
            found.append(
                "\(result.name): \(String(format: "%.1f", result.allocationsPerOperation)) allocations per \(result.unit) (limit \(allocations))"
            )
        }
        if let nanoseconds, result.median > nanoseconds {
            found.append(
                "\(result.name): \(MicroBenchmarks.duration(result.median)) per \(result.unit) (limit \(MicroBenchmarks.duration(nanoseconds)))"
            )
        }
        return found
    }
}
