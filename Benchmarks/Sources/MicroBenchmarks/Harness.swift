import CMallocCounter
import Glibc

/// One micro benchmark: `prepare` builds the state once and returns the
/// operation to time. `items` is what one operation handles (points, series...).
struct BenchmarkCase {
    let name: String
    let unit: String
    let items: Int
    let prepare: () throws -> () -> Void
}

/// Figures of one case: medians over the runs.
struct BenchmarkResult {
    let name: String
    let unit: String
    let items: Int
    var nanosecondsPerOperation: [Double]
    var allocationsPerOperation: Double
    var bytesPerOperation: Double
    /// Minor page faults per operation: memory the kernel had to hand out
    /// afresh (a steady state should reuse what it freed).
    var faultsPerOperation: Double

    var median: Double { nanosecondsPerOperation.sorted()[nanosecondsPerOperation.count / 2] }
    var itemsPerSecond: Double { Double(items) / median * 1e9 }
}

enum Harness {
    /// Times `runs` runs of at least `seconds` each (one warm-up operation first)
    /// and counts allocations and page faults over every timed operation.
    /// Time is the process's CPU time, not wall time: on a shared machine
    /// it is the steadier figure (the ring case's two threads both count).
    static func measure(_ benchmark: BenchmarkCase, runs: Int, seconds: Double) throws -> BenchmarkResult {
        let operation = try benchmark.prepare()
        operation()
        var perOperation: [Double] = []
        var operations = 0
        let before = malloc_counter_read()
        let faultsBefore = minorFaults()
        for _ in 0..<runs {
            let started = cpuNanoseconds()
            let deadline = started + UInt64(seconds * 1e9)
            var count = 0
            var now = started
            repeat {
                operation()
                count += 1
                now = cpuNanoseconds()
            } while now < deadline
            perOperation.append(Double(now - started) / Double(count))
            operations += count
        }
        let after = malloc_counter_read()
        return BenchmarkResult(
            name: benchmark.name, unit: benchmark.unit, items: benchmark.items, nanosecondsPerOperation: perOperation,
            allocationsPerOperation: Double(after.allocations - before.allocations) / Double(operations),
            bytesPerOperation: Double(after.bytes - before.bytes) / Double(operations),
            faultsPerOperation: Double(minorFaults() - faultsBefore) / Double(operations))
    }

    static func cpuNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static func minorFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }
}
