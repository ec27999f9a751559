import Dispatch
import Foundation
import Logging
import OpenSREModel
import OpenSRESLO
import PrometheusExposition
import Synchronization

/// The batching processor: the one thread that owns the series store.
///
/// Event loops ``submit(_:ring:)`` decoded batches into their own lock-free
/// ring and answer the sender at once; the processor thread wakes when
/// `send_batch_size` points are queued, when `timeout` passes, or when a scrape
/// arrives, and folds everything queued into the store. The hot path takes no
/// lock: a push is one compare-and-swap plus, at most once per wake-up, a
/// semaphore signal. The same thread expires idle series on a timer.
///
/// Read-your-writes: a batch is pushed before the receiver answers 200, and a
/// scrape is handled by the processor thread only after it has drained every
/// ring up to what was published when it picked the scrape up. So a scrape that
/// starts after a 200 always includes that request's data.
package final class BatchProcessor: Sendable {
    package typealias ScrapeCompletion = @Sendable (Result<Void, ProcessorError>) -> Void
    private typealias StoreTask = @Sendable (SeriesStore) -> Void

    /// One ring per event loop; see ``BoundedRing`` for the protocol.
    private let rings: [BoundedRing<QueuedBatch>]
    /// Only touched by the processor thread (or, once it has stopped, under `control`).
    let store: StoreBox
    private let configuration: BatchingConfiguration
    private let expiration: UInt64
    let logger: Logger
    /// The receivers' request counters (theirs: the processor only reads
    /// them, for the self-metrics and the refusal log).
    package let receiverCounters: CollectorCounters
    /// `memory_limiter`, when configured: the receiver refuses data while it says so.
    package let memoryLimiter: MemoryLimiter?
    /// Time, and the wait for a wake-up or a deadline (injected: tests use a manual clock).
    let clock: any ProcessorClock
    let wakePending = Atomic<Bool>(false)
    private let queuedPoints = Atomic<Int>(0)
    let scrapesAnswered = Atomic<Int>(0)
    let scrapeWaiters = ScrapeWaiters()
    /// What batches may still add to the store, for the receivers (the caps).
    private let admission: SeriesAdmission
    /// Bumped whenever a batch answered before it was applied (no completion)
    /// had points refused; see ``acknowledgementEpoch``.
    private let epoch = Atomic<UInt64>(0)
    /// Whether `submit` may push; cleared first thing when stopping.
    private let accepting = Atomic<Bool>(false)
    /// Submits between their `accepting` check and their push: the final
    /// drain waits for these, so no acknowledged batch is left in a ring.
    private let activeSubmits = Atomic<Int>(0)
    private let control = Mutex(ControlState())
    private let finished = DispatchSemaphore(value: 0)
    /// A scraper that takes nothing for this long (10 s by default) is cut
    /// off, its connection closed, so the others and the processor's other work go on.
    let scrapeStallTimeout: UInt64
    /// Families exporters add to every scrape (``addSource(_:)``).
    let extraSources = Mutex<[any MetricFamilySource & Sendable]>([])
    /// Where SLO state and the golden baselines are persisted, and how often
    /// (nil without an `slo` processor).
    private let sloPersistence: SLOPersistence?

    private struct ControlState {
        var scrapes: [PendingScrape] = []
        var tasks: [StoreTask] = []
        var phase = Phase.idle
        enum Phase { case idle, running, stopping, stopped }
    }

    /// What ``submit(_:ring:)`` did with a batch.
    package enum SubmitResult: Equatable, Sendable {
        case accepted
        /// The ring is full: retry later (HTTP 503).
        case full
        /// The processor is shutting down (HTTP 503).
        case stopping
    }

    package init(
        rings: Int, configuration: BatchingConfiguration, settings: ExpositionSettings,
        slo: SLOProcessorConfiguration? = nil, golden: GoldenSignalsConfiguration = GoldenSignalsConfiguration(),
        memoryLimiter: MemoryLimiterConfiguration? = nil, scrapeStallTimeout: Duration = .seconds(10),
        receiverCounters: CollectorCounters = CollectorCounters(), clock: any ProcessorClock = SystemProcessorClock(),
        logger: Logger
    ) {
        self.clock = clock
        self.receiverCounters = receiverCounters
        self.scrapeStallTimeout = scrapeStallTimeout.nanoseconds
        self.memoryLimiter = memoryLimiter.map { MemoryLimiter(configuration: $0) }
        self.rings = (0..<max(rings, 1)).map { _ in BoundedRing(capacity: configuration.ringCapacity) }
        self.configuration = configuration
        // The schedule sweeps at the shorter of the two expirations.
        let windows = [settings.metricExpiration.nanoseconds, settings.effectiveDerivedExpiration.nanoseconds].filter { $0 > 0 }
        self.expiration = windows.min() ?? 0
        self.escapesLabelNames = settings.translationStrategy.escapes
        self.logger = logger
        var settings = settings
        if settings.maxSeriesBytes == nil, let limiter = self.memoryLimiter {
            // New series are refused before the limiter has to refuse everything.
            settings.maxSeriesBytes = min(
                ExpositionSettings.defaultMaxSeriesBytes, Int(clamping: limiter.hardLimit / 2))
        }
        var engine: SLOEngine?
        if let slo, !slo.definitions.isEmpty {
            engine = SLOEngine(definitions: slo.definitions, now: clock.wallClock())
        }
        // Listed without definitions, the slo processor still persists the golden baselines.
        sloPersistence = slo.map(SLOPersistence.init(configuration:))
        self.store = StoreBox(
            SeriesStore(settings: settings, slo: engine, golden: golden, countingSince: clock.wallClock()),
            sloEngine: engine)
        admission = SeriesAdmission(bound: SeriesBytesBound(settings: settings), store: store.value)
    }

    /// Whether label names are escaped (`translation_strategy`): the receiver's
    /// decoders then refuse points whose attribute keys escape to no label.
    package let escapesLabelNames: Bool

    /// Number of rings: producers pick one with `ring % ringCount`.
    package var ringCount: Int { rings.count }

    /// Changes whenever the processor refused points of a batch that was
    /// acknowledged before it was applied: the receivers then forget which
    /// streams they may acknowledge at once, so their next answers are exact.
    /// (Only points of one series sent concurrently, with crossing times,
    /// over connections on different event loops get there; the refusal is
    /// still counted and logged.)
    package var acknowledgementEpoch: UInt64 { epoch.load(ordering: .relaxed) }

    /// Counts `batch` as on its way and says whether the caps
    /// (`max_series`, `max_series_per_metric`, `max_series_bytes`) might
    /// refuse some of its new series: the receiver then waits for its report,
    /// so refusals reach the sender. Pass the ticket to ``submit(_:ring:ticket:completion:)``.
    package func admit(_ batch: DecodedBatch) -> SeriesAdmission.Ticket {
        admission.admit(batch)
    }

    /// Whether ``admit(_:)`` would say the caps might refuse series of `batch`.
    package func mayRefuseSeries(_ batch: DecodedBatch) -> Bool {
        admission.mayRefuseSeries(batch)
    }

    /// Scrapes answered so far (shutdown waits for one more, the final scrape).
    package var scrapeCount: Int { scrapesAnswered.load(ordering: .acquiring) }

    /// Waits until a scrape after the first `count` has been answered (true),
    /// or until `deadline` (false): shutdown's wait for a final scrape.
    package func waitForScrape(after count: Int, until deadline: ContinuousClock.Instant) async -> Bool {
        await scrapeWaiters.wait(after: count, until: deadline)
    }

    /// Points queued and not yet folded in.
    package var queuedPointCount: Int { queuedPoints.load(ordering: .relaxed) }

    /// Starts the processor thread.
    package func start() {
        let shouldStart = control.withLock { state in
            guard state.phase == .idle else { return false }
            state.phase = .running
            return true
        }
        guard shouldStart else { return }
        // Before the thread exists, so the store is still this caller's alone.
        if let sloPersistence {
            sloPersistence.restore(into: store.sloEngine, golden: store.value.golden, now: clock.wallClock(), logger: logger)
        }
        memoryLimiter?.start()
        accepting.store(true, ordering: .sequentiallyConsistent)
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "opensre-processor"
        thread.start()
    }

    /// Queues a decoded batch from an event loop. Never blocks.
    ///
    /// - Parameter completion: called on the processor thread once the batch
    ///   is applied, with what was refused. A batch with a completion is
    ///   applied at once rather than after the batch timeout, since a sender
    ///   is waiting for its answer.
    /// - Parameter ticket: from ``admit(_:)``; admitted here when nil.
    package func submit(
        _ batch: DecodedBatch, ring: Int, ticket: SeriesAdmission.Ticket? = nil,
        completion: (@Sendable (ApplyReport) -> Void)? = nil
    ) -> SubmitResult {
        let ticket = ticket ?? admission.admit(batch)
        activeSubmits.add(1, ordering: .sequentiallyConsistent)
        defer {
            // The last submit to leave after `stop()` lets `finish()` go on.
            if activeSubmits.subtract(1, ordering: .sequentiallyConsistent).newValue == 0,
                !accepting.load(ordering: .sequentiallyConsistent)
            {
                wake()
            }
        }
        guard accepting.load(ordering: .sequentiallyConsistent) else {
            admission.withdraw(ticket)
            return .stopping
        }
        let queued = QueuedBatch(batch: batch, completion: completion, ticket: ticket, queuedAt: clock.now())
        guard rings[ring % rings.count].push(queued) else {
            admission.withdraw(ticket)
            return .full
        }
        let waiting = queuedPoints.add(batch.pointCount, ordering: .relaxed).newValue
        if completion != nil || waiting >= configuration.sendBatchSize || configuration.timeout == .zero {
            wake()
        }
        return .accepted
    }

    /// Renders the exposition in `format` (gzip'd if asked) into `sink` once
    /// everything submitted before this call is folded in. `completion` runs
    /// on the processor thread once the page is complete.
    package func scrape(
        format: ExpositionFormat = .text, gzip: Bool = false, into sink: any ScrapeSink,
        _ completion: @escaping ScrapeCompletion
    ) {
        let scrape = PendingScrape(kind: ScrapeKind(format: format, gzip: gzip), sink: sink, completion: completion)
        let stopped = control.withLock { state -> Bool in
            if state.phase == .stopped { return true }
            state.scrapes.append(scrape)
            return false
        }
        if stopped {
            // The thread is gone: the store is still consistent, render it here.
            control.withLock { _ in answer([scrape], between: { 0 }) }
            return
        }
        wake()
    }

    /// Async form of ``scrape(format:gzip:into:_:)``: the plain page.
    package func scrape(format: ExpositionFormat = .text) async throws(ProcessorError) -> [UInt8] {
        let sink = ArrayScrapeSink()
        let result = await withCheckedContinuation { continuation in
            scrape(format: format, into: sink) { continuation.resume(returning: $0) }
        }
        try result.get()
        return sink.bytes
    }

    /// Counters of the series store, read on the processor thread.
    package func statistics() async -> ProcessorStatistics {
        await withCheckedContinuation { continuation in
            run { store in continuation.resume(returning: store.statistics) }
        }
    }

    /// Stops taking batches, folds in everything queued, answers pending
    /// scrapes and stops the thread. Later scrapes are still answered.
    package func stop() async {
        let wasRunning = control.withLock { state -> Bool in
            guard state.phase == .running else { return false }
            state.phase = .stopping
            return true
        }
        guard wasRunning else { return }
        accepting.store(false, ordering: .sequentiallyConsistent)
        wake()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                self.finished.wait()
                continuation.resume()
            }
        }
        memoryLimiter?.stop()
    }

    // MARK: Processor thread

    /// Runs `body` on the processor thread with the store (after draining).
    func runOnStore(_ body: @escaping @Sendable (SeriesStore) -> Void) { run(body) }

    /// Runs `body` on the processor thread with the store (after draining).
    private func run(_ body: @escaping StoreTask) {
        let stopped = control.withLock { state -> Bool in
            guard state.phase == .stopped else {
                state.tasks.append(body)
                return false
            }
            body(store.value)
            return true
        }
        if !stopped { wake() }
    }

    func wake() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) {
            clock.wake()
        }
    }

    private func runLoop() {
        var schedule = ProcessorSchedule(
            start: clock.now(), batchTimeout: configuration.timeout, expiration: expiration,
            persistInterval: sloPersistence?.interval, reportInterval: Self.reportInterval)
        var reported = 0
        var deadline = schedule.deadline(after: clock.now())
        while true {
            _ = clock.waitForWake(until: deadline)
            wakePending.store(false, ordering: .sequentiallyConsistent)
            let (scrapes, tasks, stopping) = control.withLock { state in
                defer {
                    state.scrapes.removeAll()
                    state.tasks.removeAll()
                }
                return (state.scrapes, state.tasks, state.phase == .stopping)
            }
            drain()
            trimHeapAfterBurst()
            let now = clock.now()
            let due = schedule.take(at: now)
            if due.contains(.sweep) { store.value.expire(now: now) }
            if due.contains(.persist) { persistSLOState() }
            for warning in store.value.takeWarnings() { logger.warning("\(warning)") }
            if due.contains(.report) { reported = reportRefusals(since: reported) }
            for task in tasks { task(store.value) }
            answer(scrapes, between: drain)
            if stopping {
                finish()
                return
            }
            deadline = schedule.deadline(after: clock.now())
        }
    }

    private func finish() {
        // Submits that began before `stop()` flipped `accepting` may still be
        // pushing; the last one to leave wakes this thread.
        while activeSubmits.load(ordering: .sequentiallyConsistent) != 0 {
            _ = clock.waitForWake(until: .max)
            wakePending.store(false, ordering: .sequentiallyConsistent)
        }
        drain()
        // Under `control`, so `scrape` and `run` see either a running thread
        // that will take their work, or `.stopped` and do it themselves.
        let (scrapes, tasks) = control.withLock { state in
            state.phase = .stopped
            defer {
                state.scrapes.removeAll()
                state.tasks.removeAll()
            }
            return (state.scrapes, state.tasks)
        }
        for task in tasks { task(store.value) }
        answer(scrapes, between: { 0 })
        persistSLOState()
        logger.debug("processor stopped", metadata: ["series": "\(store.value.seriesCount)"])
        finished.signal()
    }

    /// Refusals are logged once a minute with their counts, never per point.
    private static let reportInterval: UInt64 = 60_000_000_000

    private func reportRefusals(since previous: Int) -> Int {
        if let overflow = receiverCounters.spanCardinality?.takeReport() { logger.warning("\(overflow)") }
        let statistics = store.value.statistics
        let receiver = receiverCounters.refusedPoints
        let total = statistics.rejectedPoints + receiver.total
        guard total > previous else { return total }
        var metadata: Logger.Metadata = [:]
        for (reason, count) in (receiver + statistics.refused).nonZero { metadata[reason.label] = "\(count)" }
        if loopState.refusedAfterAcknowledgement > 0 {
            // Concurrent connections sending one stream: these could not be in partial_success.
            metadata["refused_after_acknowledgement"] = "\(loopState.refusedAfterAcknowledgement)"
        }
        logger.warning("refused \(total - previous) points in the last minute (totals by reason attached)", metadata: metadata)
        return total
    }

    private func persistSLOState() {
        guard let sloPersistence else { return }
        sloPersistence.save(store.sloEngine, golden: store.value.golden, now: clock.wallClock(), logger: logger)
    }

    /// Processor-thread figures for the self-metrics.
    final class LoopState: @unchecked Sendable {
        // @unchecked: only the processor thread touches it.
        var queueWait: UInt64 = 0
        var batches: UInt64 = 0
        var lastRender: UInt64 = 0
        var heapTrim = HeapTrimPolicy()
        /// Points refused from batches already acknowledged (not in their `partial_success`).
        var refusedAfterAcknowledgement = 0
        /// Set when a scrape's wait took a wake-up meant for the main loop,
        /// which then runs again at once (see ``BatchProcessor/awaitWake(until:)``).
        var wokenDuringScrape = false
        /// Computed families' names already logged as shadowed by a received metric.
        var shadowedNames: Set<String> = []
    }

    let loopState = LoopState()

    var gauges: ProcessorGauges {
        ProcessorGauges(
            queuedPoints: queuedPointCount, ringCapacity: rings.count * configuration.ringCapacity,
            queueWaitSeconds: Double(loopState.queueWait) / 1e9, batches: loopState.batches,
            lastScrapeSeconds: Double(loopState.lastRender) / 1e9)
    }

    /// Folds in every batch published so far (bounded: batches pushed while
    /// draining wait for the next round, so a flood cannot starve scrapes).
    @discardableResult
    func drain() -> Int {
        loopState.heapTrim.observe(backlog: queuedPointCount)
        let now = clock.now()
        let wallClock = clock.wallClock()
        var drained = 0
        var drainedPoints = 0
        for ring in rings {
            var remaining = ring.count
            while remaining > 0, let queued = ring.pop() {
                let report = store.value.apply(queued.batch, now: now, wallClock: wallClock)
                admission.applied(queued.ticket, to: store.value)
                loopState.queueWait &+= now &- min(now, queued.queuedAt)
                loopState.batches &+= 1
                // No longer queued before its sender hears it was applied.
                queuedPoints.subtract(queued.batch.pointCount, ordering: .relaxed)
                if let completion = queued.completion {
                    completion(report)
                } else if report.refused.total > 0 {
                    loopState.refusedAfterAcknowledgement &+= report.refused.total
                    epoch.add(1, ordering: .relaxed)
                }
                drainedPoints += queued.batch.pointCount
                remaining -= 1
                drained += 1
            }
        }
        admission.drained(points: drainedPoints, from: store.value)
        return drained
    }

    /// Returns free heap memory to the system once a burst is folded in (see ``HeapTrimPolicy``).
    private func trimHeapAfterBurst() {
        guard loopState.heapTrim.shouldTrim(queued: queuedPointCount) else { return }
        let started = clock.now()
        MallocTuning.releaseFreeMemory()
        logger.debug("returned free memory after a burst", metadata: ["ms": "\(Double(clock.now() &- started) / 1e6)"])
    }
}

/// Errors of the processor's scrape path.
package enum ProcessorError: Error, Sendable {
    case stopped
    /// zlib failed while compressing a gzip'd scrape.
    case compressionFailed
}

/// Holds the store, which only the processor thread touches while it runs.
final class StoreBox: @unchecked Sendable {
    // @unchecked: confined to the processor thread; after it stops, accessed only under `control`.
    let value: SeriesStore
    /// The SLO state the store's SLO feed updates: restored and persisted by the processor.
    let sloEngine: SLOEngine?
    init(_ value: SeriesStore, sloEngine: SLOEngine?) {
        self.value = value
        self.sloEngine = sloEngine
    }
}
