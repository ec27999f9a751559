@testable import OpenSREPipeline
import Testing

@Suite("Processor schedule")
struct ProcessorScheduleTests {
    @Test("the deadline is the nearest of the batch timeout and the periodic jobs; each job comes due once per interval")
    func deadlinesAndJobs() {
        var schedule = ProcessorSchedule(
            start: 0, batchTimeout: .milliseconds(200), expiration: 50_000_000_000,
            persistInterval: 60_000_000_000, reportInterval: 60_000_000_000)
        #expect(schedule.sweepInterval == 5_000_000_000)
        #expect(schedule.deadline(after: 0) == 200_000_000)
        #expect(schedule.deadline(after: 4_900_000_000) == 5_000_000_000)
        let r1 = schedule.take(at: 4_999_999_999)
        #expect(r1 == [])
        let r2 = schedule.take(at: 5_000_000_000)
        #expect(r2 == [.sweep])
        let r3 = schedule.take(at: 5_000_000_001)
        #expect(r3 == [])
        let r4 = schedule.take(at: 60_000_000_000)
        #expect(r4 == [.sweep, .persist, .report])
        #expect(schedule.nextSweep == 65_000_000_000)
    }

    @Test("no batch timeout, no expiry, no SLOs: only the refusal report is scheduled")
    func nothingScheduled() {
        var schedule = ProcessorSchedule(
            start: 5, batchTimeout: .zero, expiration: 0, persistInterval: nil, reportInterval: 60_000_000_000)
        #expect(schedule.deadline(after: 5) == 60_000_000_005)
        let r5 = schedule.take(at: .max - 1)
        #expect(r5 == [.report])
        #expect(schedule.nextReport == .max)
        #expect(schedule.deadline(after: .max - 1) == .max)
    }

    @Test("expiry sweeps every tenth of the window, at least 10 ms and at most 10 s apart; a batch timeout under 1 ms waits 1 ms")
    func clamps() {
        let short = ProcessorSchedule(
            start: 0, batchTimeout: .microseconds(10), expiration: 50_000_000, persistInterval: nil, reportInterval: 1)
        #expect(short.sweepInterval == 10_000_000)
        #expect(short.batchTimeout == 1_000_000)
        let long = ProcessorSchedule(
            start: 0, batchTimeout: .seconds(1), expiration: 3_600_000_000_000, persistInterval: nil, reportInterval: 1)
        #expect(long.sweepInterval == 10_000_000_000)
    }

    @Test("the heap is trimmed once after a burst of 500k queued points is folded in, not while points still wait")
    func heapTrim() {
        var policy = HeapTrimPolicy()
        policy.observe(backlog: 499_999)
        let r11 = policy.shouldTrim(queued: 0)
        #expect(!r11)
        policy.observe(backlog: 500_000)
        let r12 = policy.shouldTrim(queued: 10)
        #expect(!r12)
        let r6 = policy.shouldTrim(queued: 0)
        #expect(r6)
        let r13 = policy.shouldTrim(queued: 0)
        #expect(!r13)
    }
}
