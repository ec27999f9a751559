import Logging
import OpenSREPipeline
import Testing

@Suite("Waiting for the final scrape")
struct FinalScrapeWaitTests {
    func processor() -> BatchProcessor {
        BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(), settings: ExpositionSettings(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    // No upper bounds on wall time here: these run beside the end-to-end
    // suites, whose load can hold the test's thread for seconds. The deadline
    // path answers false, so true proves the scrape ended the wait; a wait
    // that never ended trips the time limit.
    @Test("a scrape answered while waiting ends the wait with true", .timeLimit(.minutes(1)))
    func scrapeEndsWait() async throws {
        let processor = processor()
        processor.start()
        let before = processor.scrapeCount
        async let waited = processor.waitForScrape(after: before, until: .now + .seconds(3600))
        try await Task.sleep(for: .milliseconds(50))
        _ = try await processor.scrape()
        #expect(await waited)
        await processor.stop()
    }

    @Test("no scrape: false once the deadline passes, not before", .timeLimit(.minutes(1)))
    func deadline() async throws {
        let processor = processor()
        processor.start()
        let started = ContinuousClock.now
        #expect(await processor.waitForScrape(after: processor.scrapeCount, until: started + .milliseconds(200)) == false)
        #expect(ContinuousClock.now - started >= .milliseconds(200))
        // A deadline already past returns false too.
        #expect(await processor.waitForScrape(after: processor.scrapeCount, until: .now - .seconds(1)) == false)
        await processor.stop()
    }

    @Test("a scrape answered before the wait began counts")
    func alreadyAnswered() async throws {
        let processor = processor()
        processor.start()
        let before = processor.scrapeCount
        _ = try await processor.scrape()
        #expect(await processor.waitForScrape(after: before, until: .now + .seconds(30)))
        await processor.stop()
    }
}
