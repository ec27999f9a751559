import Dispatch
import Synchronization
import Testing

@testable import OpenSREPipeline

@Suite("Memory limiter lifecycle")
struct MemoryLimiterLifecycleTests {
    final class Readings: Sendable {
        let count = Atomic<Int>(0)
        let value = Atomic<UInt64>(0)
        func read() -> UInt64 {
            count.add(1, ordering: .relaxed)
            return value.load(ordering: .relaxed)
        }
    }

    @Test("reads nothing before start, at once on start, every interval while running, nothing after stop")
    func startAndStop() async throws {
        let readings = Readings()
        readings.value.store(200 << 20, ordering: .relaxed)
        let limiter = MemoryLimiter(
            configuration: MemoryLimiterConfiguration(checkInterval: .milliseconds(10), limitMiB: 100, spikeLimitMiB: 20),
            readResident: { readings.read() })
        #expect(limiter.softLimit == 80 << 20)
        try await Task.sleep(for: .milliseconds(50))
        #expect(readings.count.load(ordering: .relaxed) == 0 && !limiter.isRefusing && limiter.residentBytes == 0)

        limiter.start()
        // The first reading happens inside start(): 200 MiB is over the 80 MiB soft limit.
        #expect(readings.count.load(ordering: .relaxed) == 1)
        #expect(limiter.isRefusing && limiter.residentBytes == 200 << 20)
        limiter.start()
        #expect(readings.count.load(ordering: .relaxed) == 1)

        readings.value.store(10 << 20, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(5)
        while readings.count.load(ordering: .relaxed) < 4, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(readings.count.load(ordering: .relaxed) >= 4)
        #expect(!limiter.isRefusing && limiter.residentBytes == 10 << 20)

        limiter.stop()
        try await Task.sleep(for: .milliseconds(30))
        let stopped = readings.count.load(ordering: .relaxed)
        try await Task.sleep(for: .milliseconds(100))
        #expect(readings.count.load(ordering: .relaxed) == stopped)
        // The last reading stays in force.
        #expect(!limiter.isRefusing && limiter.residentBytes == 10 << 20)
    }
}
