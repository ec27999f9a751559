import Foundation
import Logging
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRESLO
import OpenSRETestSupport
import Synchronization
import Testing

/// The processor loop on a manual clock: what it does at each instant, with
/// no sleeping (``ManualProcessorClock/settled()`` is the barrier).
@Suite("Processor loop on a manual clock")
struct ProcessorLoopTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    func processor(
        clock: ManualProcessorClock, sendBatchSize: Int = 1_000_000, timeout: Duration = .seconds(1),
        expiration: Duration = .seconds(300), slo: SLOProcessorConfiguration? = nil,
        stallTimeout: Duration = .seconds(10)
    ) -> BatchProcessor {
        BatchProcessor(
            rings: 1,
            configuration: BatchingConfiguration(sendBatchSize: sendBatchSize, timeout: timeout, ringCapacity: 64),
            settings: ExpositionSettings(namespace: "opensre", metricExpiration: expiration), slo: slo,
            scrapeStallTimeout: stallTimeout, clock: clock, logger: Self.logger)
    }

    /// A gauge `g` with `count` points, one series each (`id` 0..<count), of
    /// `padding` extra label bytes each.
    static func gauge(points count: Int, value: Int = 1, padding: Int = 0) throws -> DecodedBatch {
        let points = (0..<count).map { index in
            #"{"asInt":"\#(value)","attributes":[{"key":"id","value":{"stringValue":"\#(index)\#(String(repeating: "x", count: padding))"}}]}"#
        }
        let text = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[\#(points.joined(separator: ","))]}}]}]}]}"#
        return try Array(text.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
    }

    func page(_ processor: BatchProcessor) async throws -> String {
        String(decoding: try await processor.scrape(), as: UTF8.self)
    }

    @Test("a batch below send_batch_size waits; the one that reaches it wakes the loop")
    func batchingBySize() async throws {
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, sendBatchSize: 10)
        processor.start()
        await clock.settled()
        #expect(processor.submit(try Self.gauge(points: 5), ring: 0) == .accepted)
        await clock.settled()
        #expect(processor.queuedPointCount == 5)
        #expect(processor.submit(try Self.gauge(points: 5), ring: 0) == .accepted)
        await clock.settled()
        #expect(processor.queuedPointCount == 0)
        await processor.stop()
    }

    @Test("a batch below send_batch_size is folded in when the timeout passes, not before")
    func batchingByTimeout() async throws {
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, sendBatchSize: 10, timeout: .seconds(1))
        processor.start()
        await clock.settled()
        #expect(clock.deadline == clock.now() + 1_000_000_000)
        #expect(processor.submit(try Self.gauge(points: 5), ring: 0) == .accepted)
        clock.advance(by: .milliseconds(999))
        await clock.settled()
        #expect(processor.queuedPointCount == 5)
        clock.advance(by: .milliseconds(1))
        await clock.settled()
        #expect(processor.queuedPointCount == 0)
        await processor.stop()
    }

    @Test("idle series expire after metric_expiration, swept every tenth of it")
    func expiry() async throws {
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, timeout: .zero, expiration: .seconds(300))
        processor.start()
        #expect(processor.submit(try Self.gauge(points: 1, value: 7), ring: 0) == .accepted)
        await clock.settled()
        #expect(processor.queuedPointCount == 0)
        // Swept every 10 s (a tenth of the window, at most 10 s): 300 s old at 300 s is kept, gone at the next sweep.
        clock.advance(by: .seconds(300))
        await clock.settled()
        #expect(try await page(processor).contains("opensre_g{id=\"0\"} 7\n"))
        clock.advance(by: .seconds(10))
        await clock.settled()
        #expect(try await !page(processor).contains("opensre_g{"))
        await processor.stop()
    }

    @Test("SLO state is saved every persist_interval, and not before")
    func persistenceInterval() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-loop-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let slo = SLOProcessorConfiguration(
            definitions: Array(SLOPipelineTests.slos[0...0]), stateDirectory: directory, persistInterval: .seconds(60))
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, timeout: .zero, slo: slo)
        let file = SLOStateFile(directory: directory).path
        processor.start()
        await clock.settled()
        clock.advance(by: .seconds(59))
        await clock.settled()
        #expect(!FileManager.default.fileExists(atPath: file))
        clock.advance(by: .seconds(1))
        await clock.settled()
        #expect(FileManager.default.fileExists(atPath: file))
        try FileManager.default.removeItem(atPath: file)
        clock.advance(by: .seconds(59))
        await clock.settled()
        #expect(!FileManager.default.fileExists(atPath: file))
        clock.advance(by: .seconds(1))
        await clock.settled()
        #expect(FileManager.default.fileExists(atPath: file))
        await processor.stop()
    }

    /// A running processor (every batch folded in at once) holding about
    /// 700 kB of page: three slices of 256 kB.
    func startedWithLargePage(_ clock: ManualProcessorClock) throws -> BatchProcessor {
        let processor = processor(clock: clock, sendBatchSize: 1, timeout: .zero)
        processor.start()
        #expect(processor.submit(try Self.gauge(points: 6000, padding: 100), ring: 0) == .accepted)
        return processor
    }

    @Test("while ingest flows, a scrape pauses between slices for as long as a slice took")
    func scrapePacing() async throws {
        let clock = ManualProcessorClock()
        let processor = try startedWithLargePage(clock)
        let sink = IngestingSink(clock: clock, processor: processor, batch: try Self.gauge(points: 1, value: 2))
        let finished = Flag()
        processor.scrape(into: sink) { _ in finished.set() }
        var pauses = 0
        while !finished.isSet {
            await clock.settled()
            if finished.isSet { break }
            // Paused: the slice took 1 ms of (manual) time, so the pause lasts 1 ms.
            #expect(clock.deadline == clock.now() + 1_000_000)
            pauses += 1
            clock.advance(by: .milliseconds(1))
        }
        #expect(pauses == sink.slices - 1)
        #expect(pauses >= 2)
        await processor.stop()
    }

    @Test("without ingest, a scrape renders all its slices without pausing")
    func noPacingWhenIdle() async throws {
        let clock = ManualProcessorClock()
        let processor = try startedWithLargePage(clock)
        let sink = IngestingSink(clock: clock, processor: nil, batch: nil)
        let page = try await withCheckedThrowingContinuation { continuation in
            processor.scrape(into: sink) { result in continuation.resume(with: result.map { sink.bytes.count }) }
        }
        #expect(page > 600_000)
        #expect(sink.slices >= 3)
        await processor.stop()
    }

    @Test("a received metric named like a self-metric: the scrape declares the name once, with the received data")
    func receivedMetricShadowsSelfMetric() async throws {
        let clock = ManualProcessorClock()
        let processor = processor(clock: clock, timeout: .zero)
        processor.start()
        let text = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"collector.series","gauge":{"dataPoints":[{"asInt":"42"}]}}]}]}]}"#
        let batch = try Array(text.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
        #expect(processor.submit(batch, ring: 0) == .accepted)
        let page = try await page(processor)
        let declarations = page.split(separator: "\n").filter { $0.hasPrefix("# TYPE opensre_collector_series ") }
        #expect(declarations == ["# TYPE opensre_collector_series gauge"])
        #expect(page.contains("\nopensre_collector_series 42\n"))
        #expect(page.contains("# TYPE opensre_collector_series_bytes gauge\n"), "the other self-metrics stay")
        await processor.stop()
    }

    // The stalled-scraper cut-off on this clock: SlowScraperTests.
}

/// A sink whose every slice "takes" 1 ms of the manual clock and, with a
/// processor, arrives together with a new batch (ingest flowing during the scrape).
final class IngestingSink: ScrapeSink, @unchecked Sendable {
    // @unchecked: written on the processor thread, read after the scrape's completion.
    let clock: ManualProcessorClock
    let processor: BatchProcessor?
    let batch: DecodedBatch?
    private(set) var bytes: [UInt8] = []
    private(set) var slices = 0

    init(clock: ManualProcessorClock, processor: BatchProcessor?, batch: DecodedBatch?) {
        self.clock = clock
        self.processor = processor
        self.batch = batch
    }

    func reserve(_ bytes: Int) {}
    func write(_ bytes: UnsafeRawBufferPointer) {
        self.bytes.append(contentsOf: bytes.bindMemory(to: UInt8.self))
        slices += 1
        clock.advance(by: .milliseconds(1))
        if let processor, let batch { _ = processor.submit(batch, ring: 0) }
    }
}
