import Logging
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import Testing

@Suite("Batching processor")
struct BatchProcessorTests {
    func decoded(_ fixture: String) throws -> DecodedBatch {
        let decoder = OTLPProtobufDecoder()
        return try Fixtures.bytes(fixture).withUnsafeBytes { try decoder.decode($0) }.batch
    }

    func makeProcessor(timeout: Duration = .seconds(60), ringCapacity: Int = 16) -> BatchProcessor {
        BatchProcessor(
            rings: 2,
            configuration: BatchingConfiguration(sendBatchSize: 1_000_000, timeout: timeout, ringCapacity: ringCapacity),
            settings: ExpositionSettings(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test("read-your-writes: a scrape after submit includes the data, even with a long batch timeout")
    func readYourWrites() async throws {
        let processor = makeProcessor()
        processor.start()
        #expect(processor.submit(try decoded("delta-1.pb"), ring: 0) == .accepted)
        #expect(processor.submit(try decoded("delta-2.pb"), ring: 1) == .accepted)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains("queue=\"emails\"} 12\n"))
        await processor.stop()
    }

    @Test("a full ring refuses at once instead of blocking")
    func full() async throws {
        let processor = makeProcessor(ringCapacity: 2)
        processor.start()
        let batch = try decoded("delta-1.pb")
        // The processor thread sleeps for the (long) timeout, so nothing drains meanwhile.
        var results: [BatchProcessor.SubmitResult] = []
        for _ in 0..<3 { results.append(processor.submit(batch, ring: 0)) }
        #expect(results == [.accepted, .accepted, .full])
        #expect(processor.submit(batch, ring: 1) == .accepted)
        _ = try await processor.scrape()
        #expect(processor.queuedPointCount == 0)
        await processor.stop()
    }

    @Test("stop drains what was accepted; later submits are refused; scrapes still answer")
    func stop() async throws {
        let processor = makeProcessor()
        processor.start()
        #expect(processor.submit(try decoded("delta-1.pb"), ring: 0) == .accepted)
        await processor.stop()
        #expect(processor.submit(try decoded("delta-2.pb"), ring: 0) == .stopping)
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains("queue=\"emails\"} 5\n"))
    }

    @Test("with timeout 0 points are folded in without waiting for a scrape")
    func immediate() async throws {
        let clock = ManualProcessorClock()
        let processor = BatchProcessor(
            rings: 2, configuration: BatchingConfiguration(sendBatchSize: 1_000_000, timeout: .zero, ringCapacity: 16),
            settings: ExpositionSettings(), clock: clock,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        #expect(processor.submit(try decoded("delta-1.pb"), ring: 0) == .accepted)
        await clock.settled()
        #expect(processor.queuedPointCount == 0)
        #expect(await processor.statistics().acceptedPoints == 1)
        await processor.stop()
    }
}

@Suite("Accepted points are counted after the processor's refusals")
struct AcceptedAfterRefusalsTests {
    func gauge(time: Int, flags: Int = 0) throws -> DecodedBatch {
        let text = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"asInt":"1","timeUnixNano":"\#(time)","flags":\#(flags)}]}}]}]}]}"#
        return try Array(text.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
    }

    @Test("an out-of-order point is refused, not accepted; a NO_RECORDED_VALUE point is accepted")
    func outOfOrder() async throws {
        let processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(), settings: ExpositionSettings(namespace: "opensre"),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        #expect(processor.submit(try gauge(time: 2_000), ring: 0) == .accepted)
        #expect(processor.submit(try gauge(time: 1_000), ring: 0) == .accepted)
        var page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains("\nopensre_collector_points_accepted_total 1\n"))
        #expect(page.contains("\nopensre_collector_points_refused_total{reason=\"out_of_order\",stage=\"processor\"} 1\n"))
        #expect(page.contains("\nopensre_g 1\n"))
        #expect(processor.submit(try gauge(time: 3_000, flags: 1), ring: 0) == .accepted)
        page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains("\nopensre_collector_points_accepted_total 2\n"))
        #expect(!page.contains("\nopensre_g "))
        await processor.stop()
    }
}
