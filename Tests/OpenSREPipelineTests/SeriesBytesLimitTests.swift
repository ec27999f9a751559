import Logging
import OpenSREModel
import OpenSREPipeline
import Testing

/// `max_series_bytes`: the cardinality caps count series, but a series with
/// 16 KiB label values costs some 30 KB, so the store's bytes are bounded too.
@Suite("Series bytes limit")
struct SeriesBytesLimitTests {
    /// A 15,000-character label value, unique from its first character.
    static func value(_ index: Int) -> String {
        String(UnicodeScalar(UInt8(65 + index % 26))) + String(repeating: "x", count: 14_999)
    }

    static func request(_ ids: Range<Int>, value: Double = 1) -> String {
        JSONRequests.request(
            service: "api", JSONRequests.gauge("wide", ids.map { (JSONRequests.attributes(("v", Self.value($0))), value) }))
    }

    /// The store's bytes once the first `count` series of ``request(_:value:)`` exist.
    static func bytes(after count: Int) throws -> Int {
        let store = SeriesStore()
        store.apply(try JSONRequests.batch(request(0..<count)))
        return store.seriesBytes
    }

    @Test("past max_series_bytes new series with large label values are refused and reported exactly; existing ones update")
    func refused() throws {
        let limit = try Self.bytes(after: 3)
        // About 30 KB per series: its attribute bytes as lookup key, and its label text.
        #expect(try (Self.bytes(after: 3) - Self.bytes(after: 2)) / 1000 == 30)
        let store = SeriesStore(settings: ExpositionSettings(maxSeriesBytes: limit), countingSince: 0)
        let report = store.apply(try JSONRequests.batch(Self.request(0..<5)), now: 1)
        #expect(report.refused[.seriesBytesLimit] == 2 && report.refused[.cardinalityLimit] == 0 && report.refused.total == 2)
        #expect(store.statistics.refused[.seriesBytesLimit] == 2 && store.statistics.rejectedPoints == 2)
        #expect(store.seriesCount == 3 && store.seriesBytes == limit && store.seriesBytesHeadroom == 0)
        let update = store.apply(try JSONRequests.batch(Self.request(0..<3, value: 7)), now: 2)
        #expect(update.refused.total == 0 && store.statistics.acceptedPoints == 6)
        let page = String(decoding: ScrapeSources.render(store), as: UTF8.self)
        #expect(page.contains(#"instance="i1",job="api",otel_scope_name="lib",v="C"#))
        #expect(!page.contains(#"v="D"#))
        // A new stream that cannot fit is refused whole, without being kept.
        let other = JSONRequests.request(service: "api", JSONRequests.gauge("narrow", [("[]", 1)]))
        #expect(store.apply(try JSONRequests.batch(other), now: 3).refused[.seriesBytesLimit] == 1)
        #expect(store.seriesBytes == limit)
    }

    @Test("a series whose later points carry more buckets is counted for them, and gives them all back")
    func stateGrowth() throws {
        let store = SeriesStore(settings: ExpositionSettings(metricExpiration: .seconds(1)))
        func histogram(buckets: Int, start: UInt64) throws -> DecodedBatch {
            let bounds = (1..<buckets).map(Double.init)
            let points = [(JSONRequests.attributes(("route", "/")), Array(repeating: 1, count: buckets))]
            return try JSONRequests.batch(
                JSONRequests.request(service: "api", JSONRequests.histogram("latency", start: start, bounds: bounds, points: points)))
        }
        store.apply(try histogram(buckets: 2, start: 1), now: 1_000_000_000)
        let small = store.seriesBytes
        // Cumulative, later: the same series now holds 1000 buckets (8 bytes each).
        store.apply(try histogram(buckets: 1000, start: 5), now: 1_000_000_000)
        #expect(store.seriesBytes - small >= 998 * 8)
        #expect(store.expire(now: 10_000_000_000) == 1)
        #expect(store.seriesBytes == 0)
    }

    @Test("accounting is exact: removal and expiry give back every byte creation took")
    func exact() throws {
        let store = SeriesStore(settings: ExpositionSettings(metricExpiration: .seconds(1)))
        let histogram = JSONRequests.histogram(
            "latency", bounds: [0.1, 1], points: [(JSONRequests.attributes(("v", Self.value(1))), [1, 2, 3])])
        let rich = #"{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},{"key":"host.name","value":{"stringValue":"h"}}]},"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"asDouble":1}]}}]}]}]}"#
        store.apply(try JSONRequests.batch(Self.request(0..<4)), now: 1_000_000_000)
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "api", histogram)), now: 1_000_000_000)
        store.apply(try JSONRequests.batch(rich), now: 1_000_000_000)
        #expect(store.seriesBytes > 4 * 30_000)
        // A point flagged "no recorded value" removes its series.
        let removal = #"{"resourceMetrics":[{"resource":{"attributes":\#(JSONRequests.resource(service: "api"))},"scopeMetrics":[{"scope":{"name":"lib"},"metrics":[{"name":"wide","gauge":{"dataPoints":[{"asDouble":1,"flags":1,"attributes":\#(JSONRequests.attributes(("v", Self.value(0))))}]}}]}]}]}"#
        let before = store.seriesBytes
        store.apply(try JSONRequests.batch(removal), now: 1_000_000_000)
        #expect(before - store.seriesBytes > 30_000)
        #expect(store.expire(now: 10_000_000_000) == 6)  // 3 wide, 1 latency, 1 g, target_info
        #expect(store.seriesBytes == 0 && store.seriesCount == 0)
    }

    @Test("the processor says when a request may be refused, refuses, and counts it in the self-metrics")
    func processor() async throws {
        let limit = try Self.bytes(after: 3)
        let processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(timeout: .zero),
            settings: ExpositionSettings(maxSeriesBytes: limit),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        let small = try JSONRequests.batch(
            JSONRequests.request(service: "api", JSONRequests.gauge("small", [("[]", 1)])))
        let wide = try JSONRequests.batch(Self.request(0..<5))
        #expect(!processor.mayRefuseSeries(small))
        #expect(processor.mayRefuseSeries(wide))
        let report = await withCheckedContinuation { continuation in
            _ = processor.submit(wide, ring: 0) { continuation.resume(returning: $0) }
        }
        #expect(report.refused[.seriesBytesLimit] == 2)
        // The store is full: even a small new series might be refused now.
        #expect(processor.mayRefuseSeries(small))
        let page = String(decoding: try await processor.scrape(), as: UTF8.self)
        #expect(page.contains(#"opensre_collector_points_refused_total{reason="series_bytes_limit",stage="processor"} 2"#))
        #expect(page.contains("opensre_collector_series_bytes \(limit)\n"))
        #expect(page.contains("opensre_collector_series_bytes_limit \(limit)\n"))
        await processor.stop()
    }

    @Test("the default is 1 GiB, or half the memory_limiter's limit when lower")
    func defaults() async throws {
        func limit(_ limiter: MemoryLimiterConfiguration?) async throws -> Double? {
            let processor = BatchProcessor(
                rings: 1, configuration: BatchingConfiguration(), settings: ExpositionSettings(),
                memoryLimiter: limiter, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            processor.start()
            let page = String(decoding: try await processor.scrape(), as: UTF8.self)
            await processor.stop()
            let line = page.split(separator: "\n").first { $0.hasPrefix("opensre_collector_series_bytes_limit ") }
            return line.flatMap { Double($0.split(separator: " ")[1]) }
        }
        #expect(try await limit(nil) == Double(1 << 30))
        #expect(try await limit(MemoryLimiterConfiguration(limitMiB: 100)) == Double(50 << 20))
    }

    @Test("the bound on what a batch adds is never below what it adds")
    func bound() throws {
        let settings = ExpositionSettings(constLabels: ["region": "eu"], translationStrategy: .noUTF8EscapingWithSuffixes)
        let bound = SeriesBytesBound(settings: settings)
        let texts = [
            Self.request(0..<5),
            JSONRequests.request(
                service: "api",
                JSONRequests.histogram(
                    "http.server.request.duration", bounds: [0.1, 1],
                    points: [(#"[{"key":"a.b","value":{"arrayValue":{"values":[{},{},{"stringValue":"\u0001\u0002\""}]}}}]"#, [1, 2, 3])])),
        ]
        for text in texts {
            let store = SeriesStore(settings: settings)
            let batch = try JSONRequests.batch(text)
            store.apply(batch)
            #expect(store.seriesBytes > 0 && store.seriesBytes <= bound.bytes(of: batch))
        }
    }
}
