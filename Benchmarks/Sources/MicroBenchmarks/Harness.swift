import CMallocCounter
import Dispatch

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

    var median: Double { nanosecondsPerOperation.sorted()[nanosecondsPerOperation.count / 2] }
    var itemsPerSecond: Double { Double(items) / median * 1e9 }
}

enum Harness {
    /// Times `runs` runs of at least `seconds` each (one warm-up operation first)
    /// and counts allocations over every timed operation.
    static func measure(_ benchmark: BenchmarkCase, runs: Int, seconds: Double) throws -> BenchmarkResult {
        let operation = try benchmark.prepare()
        operation()
        var perOperation: [Double] = []
        var operations = 0
        let before = malloc_counter_read()
        for _ in 0..<runs {
            let started = DispatchTime.now().uptimeNanoseconds
            let deadline = started + UInt64(seconds * 1e9)
            var count = 0
            var now = started
            repeat {
                operation()
                count += 1
                now = DispatchTime.now().uptimeNanoseconds
            } while now < deadline
            perOperation.append(Double(now - started) / Double(count))
            operations += count
        }
        let after = malloc_counter_read()
        return BenchmarkResult(
            name: benchmark.name, unit: benchmark.unit, items: benchmark.items, nanosecondsPerOperation: perOperation,
            allocationsPerOperation: Double(after.allocations - before.allocations) / Double(operations),
            bytesPerOperation: Double(after.bytes - before.bytes) / Double(operations))
    }
}
