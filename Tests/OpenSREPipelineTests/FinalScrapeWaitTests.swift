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

    @Test("a scrape answered while waiting ends the wait at once with true")
    func scrapeEndsWait() async throws {
        let processor = processor()
        processor.start()
        let before = processor.scrapeCount
        let started = ContinuousClock.now
        async let waited = processor.waitForScrape(after: before, until: .now + .seconds(30))
        try await Task.sleep(for: .milliseconds(50))
        _ = try await processor.scrape()
        #expect(await waited)
        #expect(ContinuousClock.now - started < .seconds(10))
        await processor.stop()
    }

    @Test("no scrape: false once the deadline passes, not before")
    func deadline() async throws {
        let processor = processor()
        processor.start()
        let started = ContinuousClock.now
        #expect(await processor.waitForScrape(after: processor.scrapeCount, until: started + .milliseconds(200)) == false)
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(200) && waited < .seconds(10))
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
