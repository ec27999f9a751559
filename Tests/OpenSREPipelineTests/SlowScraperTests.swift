import Dispatch
import Logging
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import Synchronization
import Testing

/// A streaming reader the test controls: how much it has not taken yet, and
/// when it last took something.
final class ControlledSink: ScrapeSink, @unchecked Sendable {
    // @unchecked: `bytes` is written on the processor thread and read after the scrape's completion.
    let pendingBytes = Atomic<Int>(0)
    let progress = Atomic<UInt64>(0)
    let abandoned = Atomic<Bool>(false)
    private(set) var bytes: [UInt8] = []

    func reserve(_ bytes: Int) {}
    func write(_ bytes: UnsafeRawBufferPointer) {
        if !abandoned.load(ordering: .relaxed) { self.bytes.append(contentsOf: bytes.bindMemory(to: UInt8.self)) }
    }
    var backlog: Int { abandoned.load(ordering: .relaxed) ? 0 : pendingBytes.load(ordering: .relaxed) }
    var lastProgress: UInt64 { progress.load(ordering: .relaxed) }
    func abandon() { abandoned.store(true, ordering: .relaxed) }

    /// The processor's request to hear when the backlog is down to a limit.
    let waiter = Mutex<(limit: Int, wake: @Sendable () -> Void)?>(nil)
    let notifyRequests = Atomic<Int>(0)
    func notifyWhenBacklog(atMost limit: Int, _ wake: @escaping @Sendable () -> Void) {
        notifyRequests.add(1, ordering: .relaxed)
        waiter.withLock { $0 = (limit, wake) }
    }

    /// The reader takes everything and tells the processor, as a streaming sink's write promise does.
    func catchUp(at now: UInt64) {
        pendingBytes.store(0, ordering: .relaxed)
        progress.store(now, ordering: .relaxed)
        let wake = waiter.withLock { waiter in defer { waiter = nil }; return waiter?.wake }
        wake?()
    }
}

/// A flag set on one thread and read on another.
final class Flag: Sendable {
    private let state = Atomic<Bool>(false)
    var isSet: Bool { state.load(ordering: .acquiring) }
    func set() { state.store(true, ordering: .releasing) }
}

@Suite("Slow scrapers")
struct SlowScraperTests {
    func processor(clock: ManualProcessorClock, stallTimeout: Duration) -> BatchProcessor {
        BatchProcessor(
            rings: 1,
            configuration: BatchingConfiguration(sendBatchSize: 1, timeout: .zero, ringCapacity: 64),
            settings: ExpositionSettings(namespace: "opensre"), scrapeStallTimeout: stallTimeout, clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// A gauge request: `count` series with 100-byte label values (a page of several render slices).
    func batch(series count: Int, value: Int) throws -> DecodedBatch {
        try ProcessorLoopTests.gauge(points: count, value: value, padding: 100)
    }

    @Test("rendering pauses while a reader is behind; batches are still folded in; it resumes when the reader catches up")
    func pausesAndResumes() async throws {
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, stallTimeout: .seconds(60))
        processor.start()
        #expect(processor.submit(try batch(series: 6000, value: 1), ring: 0) == .accepted)
        let sink = ControlledSink()
        sink.progress.store(clock.now(), ordering: .relaxed)
        sink.pendingBytes.store(64 << 20, ordering: .relaxed)  // far behind
        let finished = Flag()
        processor.scrape(into: sink) { _ in finished.set() }
        await clock.settled()
        #expect(!finished.isSet, "paused after the first slice")
        // Ingest goes on meanwhile: a batch with a waiting sender is applied.
        let applied = Flag()
        #expect(processor.submit(try batch(series: 1, value: 2), ring: 0) { _ in applied.set() } == .accepted)
        await clock.settled()
        #expect(applied.isSet)
        #expect(!finished.isSet)
        // Waiting for the reader, not polling it: it asked to be told once.
        #expect(sink.notifyRequests.load(ordering: .relaxed) >= 1)
        sink.catchUp(at: clock.now())
        await clock.settled()
        #expect(finished.isSet)
        let lines = String(decoding: sink.bytes, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("opensre_g{") }
        #expect(lines.count == 6000)
        await processor.stop()
    }

    @Test("a reader behind but recently active is waited for until its stall deadline, then cut off, not a nanosecond earlier")
    func stallDeadlineWhileWaiting() async throws {
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, stallTimeout: .seconds(10))
        processor.start()
        #expect(processor.submit(try batch(series: 6000, value: 1), ring: 0) == .accepted)
        let sink = ControlledSink()
        sink.progress.store(clock.now(), ordering: .relaxed)
        sink.pendingBytes.store(64 << 20, ordering: .relaxed)
        let finished = Flag()
        processor.scrape(into: sink) { _ in finished.set() }
        await clock.settled()
        #expect(!finished.isSet)
        #expect(clock.deadline == clock.now() + 10_000_000_001)
        clock.advance(by: .seconds(10))
        await clock.settled()
        let abandonedEarly = sink.abandoned.load(ordering: .relaxed)
        #expect(!finished.isSet && !abandonedEarly)
        clock.advance(by: .nanoseconds(1))
        await clock.settled()
        let abandoned = sink.abandoned.load(ordering: .relaxed)
        #expect(finished.isSet && abandoned)
        await processor.stop()
    }

    @Test("a reader that took nothing for the stall timeout is cut off at once and the scrape ends")
    func stalledReaderIsCutOff() async throws {
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, stallTimeout: .seconds(10))
        processor.start()
        #expect(processor.submit(try batch(series: 6000, value: 1), ring: 0) == .accepted)
        let sink = ControlledSink()
        sink.progress.store(clock.now() - 10_000_000_001, ordering: .relaxed)
        sink.pendingBytes.store(64 << 20, ordering: .relaxed)  // never read since
        let finished = Flag()
        processor.scrape(into: sink) { _ in finished.set() }
        await clock.settled()
        #expect(finished.isSet)
        let abandoned = sink.abandoned.load(ordering: .relaxed)
        #expect(abandoned)
        // The processor still serves others.
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.split(separator: "\n").filter { $0.hasPrefix("opensre_g{") }.count == 6000)
        await processor.stop()
    }
}
