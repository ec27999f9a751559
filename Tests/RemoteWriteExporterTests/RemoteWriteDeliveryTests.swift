import Foundation
import Logging
import NIOPosix
import OTLPDecoding
import OpenSREPipeline
import OpenSRETestSupport
import PrometheusExposition
import RemoteWriteExporter
import Testing

/// The exporter against a scripted receiver: what it does with each answer
/// (drop, wait, retry, time out), what it counts, and the order it keeps.
@Suite("Remote write: delivery against a scripted receiver", .serialized)
struct RemoteWriteDeliveryTests {
    static let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A processor holding one counter per `series` label value.
    static func processor(series: Int = 3, value: Int = 5, clock: ManualProcessorClock? = nil) throws -> BatchProcessor {
        let processor: BatchProcessor
        if let clock {
            processor = BatchProcessor(
                rings: 1, configuration: BatchingConfiguration(timeout: .zero),
                settings: ExpositionSettings(namespace: "opensre", metricExpiration: .seconds(60)),
                golden: GoldenSignalsConfiguration(enabled: false), clock: clock, logger: logger)
        } else {
            processor = BatchProcessor(
                rings: 1, configuration: BatchingConfiguration(), settings: ExpositionSettings(namespace: "opensre"),
                golden: GoldenSignalsConfiguration(enabled: false), logger: logger)
        }
        processor.start()
        let points = (0..<series).map { index in
            #"{"startTimeUnixNano":"1","timeUnixNano":"2000000000","asInt":"\#(value)","attributes":[{"key":"n","value":{"stringValue":"s\#(index)"}}]}"#
        }.joined(separator: ",")
        let json = #"""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
             "scopeMetrics":[{"metrics":[{"name":"orders","sum":{"isMonotonic":true,"aggregationTemporality":2,
             "dataPoints":[\#(points)]}}]}]}]}
            """#
        let batch = try Array(json.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
        #expect(processor.submit(batch, ring: 0) == .accepted)
        return processor
    }

    static func configuration(port: Int, consumers: Int = 1, _ change: (inout RemoteWriteConfiguration) -> Void = { _ in })
        -> RemoteWriteConfiguration
    {
        var configuration = RemoteWriteConfiguration(endpoint: "http://127.0.0.1:\(port)/api/v1/write")
        configuration.exportInterval = .seconds(3600)  // exports are taken by the test
        configuration.queue.consumers = consumers
        configuration.targetInfo = false
        configuration.retry.initialInterval = .milliseconds(40)
        configuration.retry.maxInterval = .milliseconds(200)
        // Generous: the suites run in parallel on two cores; tests of timeouts set their own.
        configuration.timeout = .seconds(5)
        change(&configuration)
        return configuration
    }

    /// Runs `body` with a started exporter over `processor`, shut down after.
    static func withExporter(
        _ configuration: RemoteWriteConfiguration, processor: BatchProcessor,
        _ body: (RemoteWriteExporter) async throws -> Void
    ) async throws {
        let exporter = try RemoteWriteExporter(
            configuration: configuration, processor: processor, group: MultiThreadedEventLoopGroup.singleton,
            logger: logger)
        exporter.start()
        do {
            try await body(exporter)
        } catch {
            await exporter.shutdown(drainTime: .zero)
            await processor.stop()
            throw error
        }
        await exporter.shutdown(drainTime: .zero)
        await processor.stop()
    }

    /// The series of one received request.
    static func series(_ request: ScriptedHTTPServer.Received) throws -> [WrittenSeries] {
        try #require(WriteRequestReader.read(request.body)).series
    }

    /// Waits until `condition` holds (the senders work in the background).
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("2xx: sent once, with the protocol's headers and the user's; counted as sent")
    func sent() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .status(204) }
        defer { Task { await receiver.stop() } }
        let configuration = Self.configuration(port: receiver.port) { $0.headers = ["X-Scope-OrgID": "team-a"] }
        try await Self.withExporter(configuration, processor: try Self.processor()) { exporter in
            await exporter.exportNow()
            #expect(await Self.eventually { exporter.queuedRequests == 0 && exporter.statistics.sentSamples > 0 })
            let request = try #require(receiver.received.first)
            #expect(exporter.statistics.sentSamples == (try Self.series(request).count))
            #expect(request.path == "/api/v1/write")
            #expect(request.header("Content-Encoding") == "snappy")
            #expect(request.header("Content-Type") == "application/x-protobuf")
            #expect(request.header("X-Prometheus-Remote-Write-Version") == "0.1.0")
            #expect(request.header("User-Agent")?.hasPrefix("OpenSRE/") == true)
            #expect(request.header("X-Scope-OrgID") == "team-a")
            let values = try Self.series(request).filter { $0.labels[0] == "__name__=opensre_orders_total" }.map(\.value)
            #expect(values == [5, 5, 5])
            #expect(exporter.statistics.attemptCount("204") == 1)
            #expect(exporter.statistics.failedSamples == 0 && exporter.queuedRequests == 0)
        }
        #expect(receiver.received.count == 1)
    }

    @Test("400: dropped at once (never retried), counted as rejected")
    func rejected() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .status(400) }
        defer { Task { await receiver.stop() } }
        try await Self.withExporter(Self.configuration(port: receiver.port), processor: try Self.processor()) { exporter in
            await exporter.exportNow()
            #expect(await Self.eventually { exporter.statistics.droppedSamples(.rejected) > 0 })
            let samples = try Self.series(receiver.received[0]).count
            try await Task.sleep(for: .milliseconds(300))  // several backoffs: no second attempt comes
            #expect(receiver.received.count == 1)
            #expect(exporter.statistics.droppedSamples(.rejected) == samples)
            #expect(exporter.statistics.failedSamples == samples && exporter.statistics.retriedSamples == 0)
            #expect(exporter.statistics.attemptCount("400") == 1 && exporter.queuedRequests == 0)
        }
    }

    @Test("429 with Retry-After: waits what the receiver asks, then sends; counted as retried")
    func tooManyRequests() async throws {
        let receiver = try await ScriptedHTTPServer { index in
            index == 0 ? .status(429, headers: [("Retry-After", "1")]) : .status(204)
        }
        defer { Task { await receiver.stop() } }
        // A max interval far above the asked-for second, so an upper bound with
        // room for a loaded machine (the parallel suites run Chromium and
        // Prometheus) still tells Retry-After from the backoff's ceiling.
        let configuration = Self.configuration(port: receiver.port) { $0.retry.maxInterval = .seconds(30) }
        try await Self.withExporter(configuration, processor: try Self.processor()) { exporter in
            await exporter.exportNow()
            #expect(await receiver.waitForRequests(2))
            let received = receiver.received
            let wait = received[1].arrival - received[0].arrival
            #expect(wait >= .milliseconds(950) && wait < .seconds(10), "waited \(wait)")
            let samples = try Self.series(received[0]).count
            #expect(try Self.series(received[1]).map(\.labels) == Self.series(received[0]).map(\.labels))
            #expect(await Self.eventually { exporter.statistics.sentSamples == samples })
            #expect(exporter.statistics.retriedSamples == samples && exporter.statistics.failedSamples == samples)
            #expect(exporter.statistics.attemptCount("429") == 1 && exporter.statistics.attemptCount("204") == 1)
        }
    }

    @Test("500: retried with growing backoff until it succeeds; nothing dropped")
    func serverErrors() async throws {
        let receiver = try await ScriptedHTTPServer { index in index < 3 ? .status(500) : .status(204) }
        defer { Task { await receiver.stop() } }
        try await Self.withExporter(Self.configuration(port: receiver.port), processor: try Self.processor()) { exporter in
            await exporter.exportNow()
            #expect(await receiver.waitForRequests(4))
            let received = receiver.received
            let samples = try Self.series(received[0]).count
            #expect(await Self.eventually { exporter.statistics.sentSamples == samples })
            // 40ms ±50%, then 60ms ±50%, then 90ms ±50%.
            for (index, low) in [20, 30, 45].enumerated() {
                let gap = received[index + 1].arrival - received[index].arrival
                #expect(gap >= .milliseconds(low), "gap \(index): \(gap)")
            }
            #expect(exporter.statistics.failedSamples == 3 * samples && exporter.statistics.retriedSamples == 3 * samples)
            #expect(exporter.statistics.attemptCount("500") == 3)
            #expect(RemoteWriteStatistics.DropReason.allCases.allSatisfy { exporter.statistics.droppedSamples($0) == 0 })
        }
    }

    @Test("a receiver that hangs: the attempt times out after `timeout` and is retried")
    func hang() async throws {
        let receiver = try await ScriptedHTTPServer { index in index == 0 ? .hang : .status(204) }
        defer { Task { await receiver.stop() } }
        let configuration = Self.configuration(port: receiver.port) { $0.timeout = .milliseconds(300) }
        try await Self.withExporter(configuration, processor: try Self.processor()) { exporter in
            await exporter.exportNow()
            #expect(await receiver.waitForRequests(2))
            let received = receiver.received
            let wait = received[1].arrival - received[0].arrival
            #expect(wait >= .milliseconds(300) && wait < .seconds(2), "retried after \(wait)")
            #expect(await Self.eventually { exporter.statistics.sentSamples > 0 })
            #expect(exporter.statistics.attemptCount("timeout") == 1)
        }
    }

    @Test("max_elapsed_time: a receiver failing for longer drops the request as retries_exhausted")
    func exhausted() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .status(503) }
        defer { Task { await receiver.stop() } }
        // Waits of 40 ms ±50%, growing to 100 ms, for at most 1 s.
        let configuration = Self.configuration(port: receiver.port) {
            $0.retry.maxInterval = .milliseconds(100)
            $0.retry.maxElapsedTime = .seconds(1)
        }
        try await Self.withExporter(configuration, processor: try Self.processor()) { exporter in
            await exporter.exportNow()
            #expect(await Self.eventually { exporter.statistics.droppedSamples(.retriesExhausted) > 0 })
            let samples = try Self.series(receiver.received[0]).count
            #expect(exporter.statistics.droppedSamples(.retriesExhausted) == samples)
            // Attempts until the next wait would pass 1 s: several, however slow a loaded machine answers.
            #expect(receiver.received.count >= 2 && exporter.queuedRequests == 0)
        }
    }

    @Test("a full memory queue drops its oldest requests (the one on the wire stays), counted as queue_full")
    func queueFull() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .hang }
        defer { Task { await receiver.stop() } }
        let configuration = Self.configuration(port: receiver.port) {
            $0.queue.size = 2
            $0.timeout = .seconds(30)
        }
        try await Self.withExporter(configuration, processor: try Self.processor()) { exporter in
            for _ in 0..<5 { await exporter.exportNow() }
            #expect(await receiver.waitForRequests(1))
            // Two held (the one on the wire counts): three of the five were dropped.
            let samples = try Self.series(receiver.received[0]).count
            #expect(exporter.queuedRequests == 2)
            #expect(exporter.statistics.droppedSamples(.queueFull) == 3 * samples)
        }
    }

    @Test("remote_write_queue.enabled: false: the next export waits until the previous one is delivered")
    func withoutQueue() async throws {
        let receiver = try await ScriptedHTTPServer { index in index == 0 ? .hang : .status(204) }
        defer { Task { await receiver.stop() } }
        let configuration = Self.configuration(port: receiver.port) {
            $0.queue.enabled = false
            $0.exportInterval = .milliseconds(100)
            $0.timeout = .seconds(1)
        }
        try await Self.withExporter(configuration, processor: try Self.processor()) { exporter in
            #expect(await receiver.waitForRequests(1))
            try await Task.sleep(for: .milliseconds(600))
            // Six intervals passed; the first export is still on the wire, so no other was taken.
            #expect(exporter.statistics.exportCount == 1)
            #expect(await Self.eventually { exporter.statistics.exportCount >= 3 })
            #expect(exporter.statistics.attemptCount("timeout") == 1)
            #expect(RemoteWriteStatistics.DropReason.allCases.allSatisfy { exporter.statistics.droppedSamples($0) == 0 })
        }
    }

    @Test("several shards: every series always in the same shard, its samples in time order; all delivered")
    func orderAcrossShards() async throws {
        let receiver = try await ScriptedHTTPServer { index in index % 3 == 1 ? .status(500) : .status(204) }
        defer { Task { await receiver.stop() } }
        let configuration = Self.configuration(port: receiver.port, consumers: 4) { $0.maxBatchBytes = 300 }
        try await Self.withExporter(configuration, processor: try Self.processor(series: 40)) { exporter in
            for _ in 0..<4 { await exporter.exportNow() }
            #expect(await Self.eventually { exporter.queuedRequests == 0 })
            var times: [String: [Int64]] = [:]
            for request in receiver.received where request.header("Content-Type") != nil {
                for series in try Self.series(request) where series.labels[0] == "__name__=opensre_orders_total" {
                    times[series.labels.joined(separator: ","), default: []].append(series.timestamp)
                }
            }
            #expect(times.count == 40)
            // Failed attempts were repeated: each series' times, without the repeats, rise strictly.
            for (series, sent) in times {
                var unique: [Int64] = []
                for time in sent where unique.last != time { unique.append(time) }
                #expect(unique.count == 4 && unique == unique.sorted(), "\(series): \(sent)")
            }
        }
    }

    @Test("a series that expires gets a stale marker on every line, stamped just before the next export, then nothing")
    func staleMarkers() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .status(204) }
        defer { Task { await receiver.stop() } }
        let clock = ManualProcessorClock()
        let processor = try Self.processor(clock: clock)
        await clock.settled()
        try await Self.withExporter(Self.configuration(port: receiver.port), processor: processor) { exporter in
            func orders(_ request: ScriptedHTTPServer.Received) throws -> [WrittenSeries] {
                try Self.series(request).filter { $0.labels[0] == "__name__=opensre_orders_total" }
            }
            await exporter.exportNow()
            #expect(await Self.eventually { exporter.queuedRequests == 0 && receiver.received.count == 1 })
            #expect(try orders(receiver.received[0]).map(\.value) == [5, 5, 5])

            clock.advance(by: .seconds(120))  // past metric_expiration: the sweep removes the three series
            await clock.settled()
            await exporter.exportNow()
            #expect(await Self.eventually { exporter.queuedRequests == 0 && exporter.statistics.exportCount == 2 })
            // The markers go in a request of their own, ahead of the export's.
            let received = receiver.received
            #expect(received.count == 3)
            let stale = try orders(received[1])
            let exportTime = try #require(try Self.series(received[2]).first).timestamp
            let markerRequest = try Self.series(received[1])
            #expect(stale.count == 3 && markerRequest.count == 3)
            #expect(stale.allSatisfy { $0.value.bitPattern == 0x7ff0_0000_0000_0002 && $0.timestamp == exportTime - 1 })
            #expect(exportTime == Int64(clock.wallClock() / 1_000_000))
            #expect(try orders(received[2]).isEmpty)

            await exporter.exportNow()
            #expect(await Self.eventually { exporter.queuedRequests == 0 && receiver.received.count == 4 })
            #expect(try orders(receiver.received[3]).isEmpty)
        }
    }

    @Test("a wal directory that cannot be used stops the exporter from starting, with the path and the reason")
    func unusableWAL() throws {
        let processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(), settings: ExpositionSettings(), logger: Self.logger)
        var configuration = Self.configuration(port: 9)
        configuration.wal = RemoteWriteConfiguration.WAL(directory: "/proc/opensre-wal")
        do {
            _ = try RemoteWriteExporter(
                configuration: configuration, processor: processor, group: MultiThreadedEventLoopGroup.singleton,
                logger: Self.logger)
            Issue.record("an exporter started with its WAL in /proc")
        } catch {
            #expect("\(error)".contains("/proc/opensre-wal"), "\(error)")
        }
    }

    @Test("the self-metrics are on the scrape page")
    func selfMetrics() async throws {
        let receiver = try await ScriptedHTTPServer { _ in .status(204) }
        defer { Task { await receiver.stop() } }
        let processor = try Self.processor()
        try await Self.withExporter(Self.configuration(port: receiver.port, consumers: 2), processor: processor) { exporter in
            await exporter.exportNow()
            #expect(await Self.eventually { exporter.statistics.sentSamples > 0 && exporter.queuedRequests == 0 })
            let sent = exporter.statistics.sentSamples
            let page = String(decoding: try await processor.scrape(), as: UTF8.self)
            for line in [
                "opensre_collector_remote_write_samples_sent_total \(sent)",
                "opensre_collector_remote_write_samples_dropped_total{reason=\"rejected\"} 0",
                "opensre_collector_remote_write_requests_total{code=\"204\"} \(receiver.received.count)",
                "opensre_collector_remote_write_exports_total 1",
                "opensre_collector_remote_write_queue_requests 0",
                "opensre_collector_remote_write_shards 2",
                "opensre_collector_remote_write_lag_seconds 0",
                "opensre_collector_remote_write_wal_bytes 0",
            ] {
                #expect(page.contains("\n" + line + "\n"), "missing: \(line)")
            }
        }
    }
}
