import Dispatch
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
            let started = clock.now()
            var renderer = ScrapeSources.beginScrape(
                of: store.value, format: kind.format, gzip: kind.gzip, into: waiting.map(\.sink),
                composer: ScrapeSources.composer(
                    store: store.value, receiverCounters: receiverCounters, memoryLimiter: memoryLimiter, gauges: gauges,
                    extra: extraSources.withLock { $0.map { $0 as any MetricFamilySource } }, duplicate: { [self] name in warnShadowed(name) }),
                scrape: ScrapeContext(wallClock: clock.wallClock()))
            var sliceStarted = clock.now()
            while !renderer.step() {
                let sliceTime = clock.now() &- sliceStarted
                if between() > 0 {
                    // Ingest is flowing: leave the cores to it for as long as
                    // the slice took, so a big scrape takes at most half a
                    // core from it (the scrape takes longer instead).
                    pause(for: min(sliceTime, Self.maximumPause), between: between)
                }
                waitForReaders(waiting.map(\.sink), between: between)
                sliceStarted = clock.now()
            }
            let complete = renderer.finish()
            loopState.lastRender = clock.now() &- started
            for scrape in waiting {
                scrape.completion(complete ? .success(()) : .failure(.compressionFailed))
                scrapeWaiters.answered(scrapesAnswered.add(1, ordering: .releasing).newValue)
            }
        }
        if loopState.wokenDuringScrape {
            loopState.wokenDuringScrape = false
            wake()
        }
    }

    /// Logs, once per name, a computed family left out of scrapes because a
    /// received metric has its name (see ``ScrapeComposer``).
    private func warnShadowed(_ name: String) {
        guard loopState.shadowedNames.insert(name).inserted else { return }
        logger.warning(
            "a received metric is named \(name), as one of the collector's own families: that family is left out of scrapes (a page may declare a name once)")
    }

    /// Waits on the processor's wake-up until `deadline` (monotonic
    /// nanoseconds); true when woken before it. A wake-up is anything the
    /// main loop would wake for (a batch with a waiting sender, a full batch,
    /// a scrape, a task) or a reader catching up; the main loop runs once
    /// more after the scrape, so none of them is lost.
    private func awaitWake(until deadline: UInt64) -> Bool {
        guard deadline > clock.now(), clock.waitForWake(until: deadline) else { return false }
        wakePending.store(false, ordering: .sequentiallyConsistent)
        loopState.wokenDuringScrape = true
        return true
    }

    /// Leaves the cores to the event loops for `duration` nanoseconds,
    /// folding in batches whenever woken meanwhile.
    private func pause(for duration: UInt64, between: () -> Int) {
        let deadline = clock.now().saturatingAdd(duration)
        while awaitWake(until: deadline) { _ = between() }
    }

    /// Most bytes of a scrape waiting to be sent to one scraper before
    /// rendering pauses: a slow reader holds the page back instead of having
    /// it pile up in memory (and stay in the heap afterwards).
    static let scrapeBacklogLimit = 4 << 20

    /// Waits, folding in batches meanwhile, until no reader has more than
    /// ``scrapeBacklogLimit`` bytes waiting; abandons readers that stall.
    /// Event-driven: a backlogged reader wakes the processor when it catches
    /// up (``ScrapeSink/notifyWhenBacklog(atMost:_:)``), and the wait ends at
    /// the earliest stall deadline otherwise.
    private func waitForReaders(_ sinks: [any ScrapeSink], between: () -> Int) {
        while true {
            let now = clock.now()
            var earliestStall: UInt64?
            for sink in sinks where sink.backlog > Self.scrapeBacklogLimit {
                let stallsAt = sink.lastProgress.saturatingAdd(scrapeStallTimeout)
                if now > stallsAt {
                    logger.warning("cut off a scraper that read nothing for \(Double(scrapeStallTimeout) / 1e9) s")
                    sink.abandon()
                } else {
                    earliestStall = min(earliestStall ?? stallsAt, stallsAt)
                    sink.notifyWhenBacklog(atMost: Self.scrapeBacklogLimit) { [weak self] in self?.wake() }
                }
            }
            guard let earliestStall else { return }
            _ = awaitWake(until: earliestStall.saturatingAdd(1))
            _ = between()
        }
    }
}
