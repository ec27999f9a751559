import Glibc
import PrometheusExposition

/// Scrapes on the processor thread: rendered in slices with batches folded
/// in between, paced while ingest flows, held back for slow readers.
extension BatchProcessor {
    /// A scrape waiting for the processor thread.
    struct PendingScrape {
        var kind: ScrapeKind
        var sink: any ScrapeSink
        var completion: ScrapeCompletion
    }

    /// Scrapes of the same kind that wait together share one rendering.
    struct ScrapeKind: Hashable {
        var format: ExpositionFormat
        var gzip: Bool
    }

    /// Longest pause between two slices of a scrape while ingest is flowing.
    static let maximumPause: UInt64 = 2_000_000

    /// Renders once per requested kind, into the sinks of every scrape of
    /// that kind, and answers them. `between` runs after each slice (the
    /// processor thread folds in queued batches there) and says how many it folded in.
    func answer(_ scrapes: [PendingScrape], between: () -> Int) {
        var kinds: [ScrapeKind] = []
        for scrape in scrapes where !kinds.contains(scrape.kind) { kinds.append(scrape.kind) }
        for kind in kinds {
            let waiting = scrapes.filter { $0.kind == kind }
            let started = Self.now()
            var renderer = store.value.beginScrape(
                format: kind.format, gzip: kind.gzip, into: waiting.map(\.sink), counters: counters,
                memoryLimiter: memoryLimiter, gauges: gauges)
            var sliceStarted = Self.now()
            while !renderer.step() {
                let sliceTime = Self.now() &- sliceStarted
                if between() > 0 {
                    // Ingest is flowing: leave the cores to it for as long as
                    // the slice took, so a big scrape takes at most half a
                    // core from it (the scrape takes longer instead).
                    usleep(UInt32(min(sliceTime, Self.maximumPause) / 1000))
                }
                waitForReaders(waiting.map(\.sink), between: between)
                sliceStarted = Self.now()
            }
            let complete = renderer.finish()
            loopState.lastRender = Self.now() &- started
            for scrape in waiting {
                scrape.completion(complete ? .success(()) : .failure(.compressionFailed))
                scrapesAnswered.add(1, ordering: .releasing)
            }
        }
    }

    /// Most bytes of a scrape waiting to be sent to one scraper before
    /// rendering pauses: a slow reader holds the page back instead of having
    /// it pile up in memory (and stay in the heap afterwards).
    static let scrapeBacklogLimit = 4 << 20

    /// Waits, folding in batches meanwhile, until no reader has more than
    /// ``scrapeBacklogLimit`` bytes waiting; abandons readers that stall.
    private func waitForReaders(_ sinks: [any ScrapeSink], between: () -> Int) {
        while true {
            let now = Self.now()
            var backlogged = false
            for sink in sinks where sink.backlog > Self.scrapeBacklogLimit {
                if now > sink.lastProgress &+ scrapeStallTimeout {
                    logger.warning("cut off a scraper that read nothing for \(Double(scrapeStallTimeout) / 1e9) s")
                    sink.abandon()
                } else {
                    backlogged = true
                }
            }
            guard backlogged else { return }
            _ = between()
            usleep(500)
        }
    }
}
