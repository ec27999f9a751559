import HTTPServerSupport
import Logging
import NIOCore
import OpenSREModel
import OpenSREPipeline
import PrometheusExposition
import Synchronization

/// The `prometheusremotewrite` exporter: every `export_interval` it reads
/// what a scrape would show (one composer, one translation) on the
/// processor thread, encodes it into requests spread over shards, queues
/// them (in memory, or in the write-ahead log with `wal`), and one sender
/// per shard delivers its queue in order, retrying as
/// ``RemoteWriteRetryPolicy`` says. Ingest and scrapes never wait for the
/// receiver: only the bounded queues fill up.
///
/// Series that expired since the last export get a stale marker, stamped
/// just before the export (so a series that ended and came back within one
/// interval never has two values at one time).
package final class RemoteWriteExporter: Sendable {
    private let configuration: RemoteWriteConfiguration
    private let processor: BatchProcessor
    private let sender: RemoteWriteSender
    private let queues: [any ShardQueue]
    private let wakeups: [AsyncStream<Void>.Continuation]
    private let streams: Mutex<[AsyncStream<Void>]>
    package let statistics = RemoteWriteStatistics()
    private let encoder: ExportEncoder
    private let logger: Logger
    private let dropWarning: IntervalWarning
    private let retryWarning: IntervalWarning
    private let tasks = Mutex<[Task<Void, Never>]>([])
    /// Set once shutdown begins: senders stop retrying (the WAL keeps what is left).
    private let stopping = Atomic<Bool>(false)

    /// Opens the queues (and replays the WAL); throws when the WAL's
    /// directory cannot be used or a client certificate cannot be read.
    package init(
        configuration: RemoteWriteConfiguration, processor: BatchProcessor, group: any EventLoopGroup, logger: Logger
    ) throws {
        self.configuration = configuration
        self.processor = processor
        self.logger = logger
        dropWarning = IntervalWarning(logger: logger, interval: UInt64(configuration.exportInterval.nanoseconds))
        retryWarning = IntervalWarning(logger: logger, interval: UInt64(configuration.exportInterval.nanoseconds))
        let shards = configuration.queue.consumers
        if let wal = configuration.wal {
            queues = try (0..<shards).map { shard in
                try WALShardQueue(
                    directory: wal.directory + "/shard-\(shard)", maxBytes: max(wal.maxBytes / shards, 1 << 20))
            }
        } else {
            let capacity = configuration.queue.enabled ? (configuration.queue.size + shards - 1) / shards : Int.max
            queues = (0..<shards).map { _ in MemoryShardQueue(capacity: capacity) }
        }
        var continuations: [AsyncStream<Void>.Continuation] = []
        var streams: [AsyncStream<Void>] = []
        for _ in 0..<shards {
            let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
            streams.append(stream)
            continuations.append(continuation)
        }
        wakeups = continuations
        self.streams = Mutex(streams)
        encoder = ExportEncoder(configuration: configuration)
        // Last of what can fail: a client dropped without its shutdown traps.
        sender = try RemoteWriteSender(configuration: configuration, group: group)
        for case let queue as WALShardQueue in queues {
            for warning in queue.recoveryWarnings { logger.warning("\(warning)") }
        }
        let replayed = queues.reduce(0) { $0 + $1.requests }
        if replayed > 0 {
            logger.info("replaying the write-ahead log", metadata: ["requests": "\(replayed)"])
        }
    }

    /// Starts the senders and the export timer, and adds the self-metrics to scrapes.
    package func start() {
        processor.addSource(SelfMetricsSource(exporter: self))
        let streams = self.streams.withLock { $0 }
        var started: [Task<Void, Never>] = []
        for (shard, stream) in streams.enumerated() {
            started.append(Task { [self] in await runShard(shard, wakeups: stream) })
            wakeups[shard].yield()  // whatever the WAL replayed
        }
        started.append(Task { [self] in await runExports() })
        tasks.withLock { $0 = started }
    }

    /// One last export (the final state), then up to `drainTime` for the
    /// queues to empty. What the WAL still holds is sent after the next
    /// start; what a memory queue still holds is dropped, counted
    /// (`reason="shutdown"`) and logged.
    package func shutdown(drainTime: Duration = .seconds(10)) async {
        let running = tasks.withLock { $0 }
        running.last?.cancel()  // the export timer
        await exportNow()
        let deadline = ContinuousClock.now + (configuration.wal == nil ? drainTime : min(drainTime, configuration.timeout))
        while queuedRequests > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        stopping.store(true, ordering: .relaxed)
        for task in running { task.cancel() }
        for wakeup in wakeups { wakeup.finish() }
        for task in running { await task.value }
        if configuration.wal == nil {
            let left = queues.reduce(0) { $0 + $1.samples }
            if left > 0 {
                statistics.drop(left, .shutdown)
                logger.warning(
                    "stopped with samples not yet delivered (no wal configured to keep them)",
                    metadata: ["samples": "\(left)"])
            }
        }
        for queue in queues { try? (queue as? WALShardQueue)?.sync() }
        await sender.shutdown()
    }

    /// Requests waiting across shards.
    package var queuedRequests: Int { queues.reduce(0) { $0 + $1.requests } }

    // MARK: Exports

    private func runExports() async {
        var lastTruncate = ContinuousClock.now
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.exportInterval) } catch { return }
            await exportNow()
            if !configuration.queue.enabled {
                // No queue: this export is delivered (or given up) before the next is taken.
                while queuedRequests > 0, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
            }
            if let wal = configuration.wal, ContinuousClock.now - lastTruncate >= wal.truncateFrequency {
                lastTruncate = .now
                for queue in queues { (queue as? WALShardQueue)?.truncate(logger: logger) }
            }
        }
    }

    /// Takes one snapshot and queues it.
    package func exportNow() async {
        let encoder = self.encoder
        let encoded = await processor.export { snapshot in encoder.encode(snapshot) }
        for (shard, request) in encoded {
            statistics.queued(time: request.time)
            do {
                let dropped = try queues[shard].append(request)
                if dropped > 0 {
                    statistics.drop(dropped, configuration.wal == nil ? .queueFull : .walFull)
                    dropWarning.note("the remote-write queue is full: the oldest requests were dropped")
                }
            } catch {
                statistics.drop(request.samples, .walError)
                dropWarning.note("the write-ahead log refused a request: \(error)")
            }
        }
        statistics.exports.add(1, ordering: .relaxed)
        for wakeup in wakeups { wakeup.yield() }
    }

    // MARK: Sending

    private func runShard(_ shard: Int, wakeups: AsyncStream<Void>) async {
        let queue = queues[shard]
        for await _ in wakeups {
            while !stopping.load(ordering: .relaxed) {
                let request: QueuedRequest?
                do {
                    request = try queue.peek()
                } catch {
                    dropWarning.note("cannot read the write-ahead log of shard \(shard): \(error)")
                    break
                }
                guard let request else { break }
                guard await deliver(request) else { return }  // stopping: the WAL keeps it
                do {
                    try queue.acknowledge()
                } catch {
                    dropWarning.note("cannot record a delivery in the write-ahead log of shard \(shard): \(error)")
                }
            }
        }
    }

    /// Sends `request` until it is sent or given up (true), or shutdown
    /// interrupts its retries (false: it stays queued).
    private func deliver(_ request: QueuedRequest) async -> Bool {
        let started = ContinuousClock.now
        var attempt = 1
        while true {
            let (answer, code, text) = await sender.post(request.body)
            statistics.attempted(code)
            let decision = configuration.retry.decide(
                answer, attempt: attempt, elapsed: ContinuousClock.now - started, wallClock: WallClock.now(),
                random: Double.random(in: 0..<1))
            switch decision {
            case .sent:
                statistics.sent.add(request.samples, ordering: .relaxed)
                statistics.delivered(time: request.time)
                return true
            case .retry(let wait):
                statistics.failed.add(request.samples, ordering: .relaxed)
                retryWarning.note("remote write failed, retrying: \(Self.describe(answer, text))")
                if stopping.load(ordering: .relaxed) { return false }
                do { try await Task.sleep(for: wait) } catch { return false }
                if stopping.load(ordering: .relaxed) { return false }
                statistics.retried.add(request.samples, ordering: .relaxed)
                attempt += 1
            case .drop(let reason):
                statistics.failed.add(request.samples, ordering: .relaxed)
                statistics.drop(request.samples, reason == .rejected ? .rejected : .retriesExhausted)
                dropWarning.note("remote write gave up a request (\(reason.rawValue)): \(Self.describe(answer, text))")
                return true
            }
        }
    }

    private static func describe(_ answer: RemoteWriteRetryPolicy.Answer, _ text: String) -> String {
        switch answer {
        case .status(let code, _): "server returned HTTP status \(code): \(text)"
        case .noAnswer(let reason): reason
        }
    }

    /// The self-metrics, as one more source of every scrape.
    private struct SelfMetricsSource: MetricFamilySource, Sendable {
        let exporter: RemoteWriteExporter

        func families(for scrape: ScrapeContext) -> [any ExposedFamily] {
            let queues = exporter.queues
            return exporter.statistics.families(
                queue: (
                    queues.reduce(0) { $0 + $1.requests }, queues.reduce(0) { $0 + $1.samples },
                    queues.reduce(0) { $0 + $1.diskBytes }
                ), shards: queues.count)
        }
    }
}

/// The encoder and the time of the last export, used on the processor
/// thread only (one export at a time), hence unchecked.
final class ExportEncoder: @unchecked Sendable {
    private let encoder: RemoteWriteEncoder
    private let targetInfo: Bool
    private var lastTime: Int64 = 0

    init(configuration: RemoteWriteConfiguration) {
        encoder = RemoteWriteEncoder(
            externalLabels: configuration.externalLabels, maxBatchBytes: configuration.maxBatchBytes,
            sendMetadata: configuration.sendMetadata, shards: configuration.queue.consumers)
        targetInfo = configuration.targetInfo
    }

    /// Stale markers first, one millisecond before the export's time, which
    /// is at least two after the previous export's (a wall clock that steps
    /// back does not take samples back in time).
    func encode(_ snapshot: ExportSnapshot) -> [(shard: Int, request: QueuedRequest)] {
        let time = max(Int64(snapshot.wallClock / 1_000_000), lastTime + 2)
        lastTime = time
        let keep = { (family: any ExposedFamily) in self.targetInfo || !family.isInfo }
        let stale = encoder.encode(snapshot.ended.filter(keep), now: UInt64(time - 1) * 1_000_000, stale: true)
        let fresh = encoder.encode(
            snapshot.families.filter(keep), now: UInt64(time) * 1_000_000, between: snapshot.foldQueued)
        return (stale.map { ($0, time - 1) } + fresh.map { ($0, time) }).map { request, time in
            (request.shard, QueuedRequest(body: request.body, samples: request.series, time: time))
        }
    }
}
