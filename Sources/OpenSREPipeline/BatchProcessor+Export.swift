import PrometheusExposition
import Synchronization

/// What a push exporter reads at one moment, on the processor thread.
package struct ExportSnapshot {
    /// Everything a scrape would show now, in exposition order.
    package var families: [any ExposedFamily]
    /// Series that expired since the previous snapshot.
    package var ended: [any ExposedFamily]
    /// When the snapshot was taken (Unix ns).
    package var wallClock: UInt64
    /// Folds in the batches queued meanwhile: call it every few thousand
    /// series of a long walk, so ingest is not held up (the families stay
    /// valid; series updated meanwhile show their newer values).
    package var foldQueued: () -> Void
}

/// Push exporters (remote write): they read what a scrape shows through the
/// same composer, on the processor thread, and add families of their own
/// (their self-metrics) to every scrape and snapshot.
extension BatchProcessor {
    /// Runs `body` on the processor thread, once everything submitted before
    /// this call is folded in, with what a scrape would show now and the
    /// series that ended since the previous call; returns its result. The
    /// first call starts the keeping of ended series. `body` must not hold
    /// on to the families: they are live and valid only during the call.
    package func export<Result: Sendable>(_ body: @escaping @Sendable (ExportSnapshot) -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            runOnStore { [self] store in
                let now = clock.wallClock()
                let families = ScrapeSources.composer(
                    store: store, receiverCounters: receiverCounters, memoryLimiter: memoryLimiter, gauges: gauges,
                    extra: extraSources.withLock { $0.map { $0 as any MetricFamilySource } }
                ).families(for: ScrapeContext(wallClock: now))
                let ended = store.endedSeries ?? []
                store.endedSeries = []
                let snapshot = ExportSnapshot(
                    families: families, ended: ended, wallClock: now, foldQueued: { [self] in _ = drain() })
                continuation.resume(returning: body(snapshot))
            }
        }
    }

    /// Adds `source`'s families to every scrape and export (after the
    /// collector's self-metrics, so a received metric's name still wins).
    package func addSource(_ source: any MetricFamilySource & Sendable) {
        extraSources.withLock { $0.append(source) }
    }
}
