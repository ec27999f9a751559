import OTLPDecoding
import OpenSREPipeline
import PrometheusExposition
import RemoteWriteExporter
import Testing

@Suite("Remote write: exponential histograms as native histograms")
struct NativeHistogramTests {
    static let now: UInt64 = 1_700_000_060_000_000_000
    static let ms: Int64 = 1_700_000_060_000
    typealias Span = NativeHistogramLayout.Span
    typealias Side = NativeHistogramLayout.Side

    /// An exponential histogram series (its classic approximation a single
    /// made-up bucket: only the scale < -4 test reads it).
    static func histogram(
        scale: Int32, zeroCount: UInt64 = 0, zeroThreshold: Double = 0,
        positive: (offset: Int64, counts: [UInt64]) = (0, []), negative: (offset: Int64, counts: [UInt64]) = (0, [])
    ) -> ExposedHistogram {
        let count = zeroCount + positive.counts.reduce(0, +) + negative.counts.reduce(0, +)
        var histogram = ExposedHistogram(bounds: [1], cumulativeCounts: [count], count: count, sum: 12.5)
        histogram.native = ExposedNativeHistogram(
            scale: scale, zeroThreshold: zeroThreshold, zeroCount: zeroCount,
            positive: .init(offset: positive.offset, counts: positive.counts),
            negative: .init(offset: negative.offset, counts: negative.counts))
        return histogram
    }

    /// A histogram family with one series per histogram (labels `job="shop"`, `n` its position).
    static func family(_ histograms: ExposedHistogram...) -> SyntheticFamily {
        SyntheticFamily(
            name: "latency_seconds", type: .histogram, help: "Latency.",
            samples: histograms.enumerated().map { position, histogram in
                .init([Label("job", "shop"), Label("n", "\(position)")], histogram: histogram)
            })
    }

    /// The one native histogram `histogram` is sent as (checking that nothing else is sent).
    static func written(_ histogram: ExposedHistogram, stale: Bool = false) throws -> WrittenHistogram {
        let requests = RemoteWriteEncoder().encode([family(histogram)], now: now, stale: stale)
        #expect(requests.count == 1)
        let written = try #require(WriteRequestReader.read(requests[0].body))
        #expect(written.series.isEmpty)
        #expect(written.histograms.count == 1)
        return try #require(written.histograms.first)
    }

    @Test("one series named like the family, no le, no sample; counts, sum, schema, time; reset hint UNKNOWN")
    func contiguous() throws {
        let written = try Self.written(Self.histogram(scale: 0, positive: (0, [1, 2, 3])))
        let encoder = RemoteWriteEncoder(externalLabels: ["cluster": "eu"])
        let requests = encoder.encode([Self.family(Self.histogram(scale: 0))], now: Self.now)
        let labelled = try #require(WriteRequestReader.read(requests[0].body))
        #expect(labelled.histograms.map(\.labels) == [["__name__=latency_seconds", "cluster=eu", "job=shop", "n=0"]])
        #expect(written == WrittenHistogram(
            labels: ["__name__=latency_seconds", "job=shop", "n=0"], count: 6, sum: 12.5, schema: 0, zeroThreshold: 0,
            zeroCount: 0, positive: Side(spans: [Span(offset: 1, length: 3)], deltas: [1, 1, 1]), negative: Side(),
            resetHint: 0, timestamp: Self.ms))
    }

    @Test("a gap of two empty buckets is sent as zero buckets in the span")
    func smallGap() throws {
        let written = try Self.written(Self.histogram(scale: 2, positive: (3, [4, 0, 0, 1])))
        #expect(written.schema == 2)
        #expect(written.positive == Side(spans: [Span(offset: 4, length: 4)], deltas: [4, -4, 0, 1]))
    }

    @Test("a gap of three starts a new span whose offset is the gap; deltas run across spans")
    func largeGap() throws {
        let written = try Self.written(Self.histogram(scale: 2, positive: (3, [4, 0, 0, 0, 1])))
        #expect(written.positive == Side(spans: [Span(offset: 4, length: 1), Span(offset: 3, length: 1)], deltas: [4, -3]))
    }

    @Test("a negative OTLP offset; leading and trailing empty buckets left out")
    func negativeOffset() throws {
        let written = try Self.written(Self.histogram(scale: 1, positive: (-6, [0, 2, 0, 3, 0])))
        #expect(written.positive == Side(spans: [Span(offset: -4, length: 3)], deltas: [2, -2, 3]))
    }

    @Test("scale 10 goes as schema 8, buckets merged by index >> 2 (negative indexes floored)")
    func finerThanSchema8() throws {
        // OTLP -3..-1 -> -1, 0...2 -> 0, 9 -> 2; Prometheus indexes 0, 1, (2 empty), 3.
        let written = try Self.written(Self.histogram(scale: 10, positive: (-3, [1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 7])))
        #expect(written.schema == 8)
        #expect(written.count == 28)
        #expect(written.positive == Side(spans: [Span(offset: 0, length: 4)], deltas: [6, 9, -15, 7]))
    }

    @Test("scale -4 is schema -4; scale -5 cannot be expressed and goes as classic lines")
    func coarserThanSchemaMinus4() throws {
        #expect(try Self.written(Self.histogram(scale: -4, positive: (0, [1]))).schema == -4)
        let requests = RemoteWriteEncoder().encode([Self.family(Self.histogram(scale: -5, positive: (0, [1])))], now: Self.now)
        let written = try #require(WriteRequestReader.read(requests[0].body))
        #expect(written.histograms.isEmpty)
        #expect(written.series.map(\.description) == [
            "__name__=latency_seconds_bucket,job=shop,le=1,n=0 1.0 @\(Self.ms)",
            "__name__=latency_seconds_bucket,job=shop,le=+Inf,n=0 1.0 @\(Self.ms)",
            "__name__=latency_seconds_sum,job=shop,n=0 12.5 @\(Self.ms)",
            "__name__=latency_seconds_count,job=shop,n=0 1.0 @\(Self.ms)",
        ])
    }

    @Test("the zero bucket: zero_count_int and the threshold; no buckets, no spans")
    func zeroBucket() throws {
        let written = try Self.written(Self.histogram(scale: 3, zeroCount: 5, zeroThreshold: 1e-9))
        #expect(written.count == 5)
        #expect(written.zeroCount == 5)
        #expect(written.zeroThreshold == 1e-9)
        #expect(written.positive == Side() && written.negative == Side())
    }

    @Test("negative buckets laid out by the same rules, apart from the positive ones")
    func negativeBuckets() throws {
        let written = try Self.written(Self.histogram(scale: 0, positive: (0, [3]), negative: (1, [2, 0, 0, 0, 1])))
        #expect(written.negative == Side(spans: [Span(offset: 2, length: 1), Span(offset: 3, length: 1)], deltas: [2, -1]))
        #expect(written.positive == Side(spans: [Span(offset: 1, length: 1)], deltas: [3]))
        #expect(written.count == 6)
    }

    @Test("stale marker: sum the stale NaN, count its bit pattern, no buckets, same labels")
    func staleMarker() throws {
        let histogram = Self.histogram(scale: 0, zeroCount: 1, positive: (0, [1, 2]), negative: (0, [1]))
        let written = try Self.written(histogram, stale: true)
        #expect(written.sum.bitPattern == 0x7ff0_0000_0000_0002)
        #expect(written.count == 0x7ff0_0000_0000_0002)
        #expect(written.positive == Side() && written.negative == Side())
        #expect(written.labels == (try Self.written(histogram)).labels)
        #expect(written.timestamp == Self.ms)
    }

    @Test("lossless: spans and deltas decode to the OTLP buckets, index + 1, both sides")
    func lossless() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return seed >> 33
        }
        // About half the buckets empty: alone and in runs, short and long.
        func counts(_ length: Int) -> [UInt64] {
            (0..<length).map { _ in next() % 3 == 0 ? 0 : (next() % 4 == 0 ? 0 : next() % 1000 + 1) }
        }
        let positive = (offset: Int64(-37), counts: counts(150))
        let negative = (offset: Int64(12), counts: counts(120))
        let written = try Self.written(Self.histogram(scale: 3, zeroCount: 4, positive: positive, negative: negative))
        func expected(_ side: (offset: Int64, counts: [UInt64])) -> [Int64: UInt64] {
            var buckets: [Int64: UInt64] = [:]
            for (position, count) in side.counts.enumerated() where count > 0 {
                buckets[side.offset + Int64(position) + 1] = count
            }
            return buckets
        }
        func sent(_ side: Side) -> [Int64: UInt64] { WrittenHistogram.buckets(of: side).filter { $0.value > 0 } }
        #expect(sent(written.positive) == expected(positive))
        #expect(sent(written.negative) == expected(negative))
        // Every span starts and ends with a populated bucket and holds runs of at most two empty ones.
        for side in [written.positive, written.negative] {
            #expect(side.spans.count > 1)
            var running: UInt64 = 0
            var delta = side.deltas.makeIterator()
            for span in side.spans {
                let counts = (0..<span.length).map { _ in
                    running &+= UInt64(bitPattern: delta.next() ?? 0)
                    return running
                }
                #expect(counts.first != 0 && counts.last != 0)
                let longestEmptyRun = counts.split(whereSeparator: { $0 > 0 }).map(\.count).max() ?? 0
                #expect(longestEmptyRun <= 2)
            }
            #expect(WrittenHistogram.buckets(of: side).count == side.deltas.count)
        }
        #expect(WrittenHistogram.buckets(of: written.positive).values.contains(0), "some gaps filled with zero buckets")
        #expect(written.count == 4 + positive.counts.reduce(0, +) + negative.counts.reduce(0, +))
    }

    @Test("max_batch_size_bytes counts each histogram's bytes: requests split between series, within the limit")
    func batches() throws {
        let histogram = Self.histogram(scale: 0, positive: (0, (0..<20).map { $0 % 2 == 0 ? 1_000_000 : 1 }))
        let family = Self.family(histogram, histogram, histogram, histogram, histogram, histogram)
        let requests = RemoteWriteEncoder(maxBatchBytes: 600).encode([family], now: Self.now)
        #expect(requests.count > 1)
        var sent = 0
        for request in requests {
            #expect(request.uncompressedBytes <= 600 || request.series == 1)
            sent += try #require(WriteRequestReader.read(request.body)).histograms.count
        }
        #expect(sent == 6)
    }

    @Test("through the store: an exponential point goes native, an explicit histogram as classic lines")
    func fromTheStore() throws {
        let request = #"""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
             "scopeMetrics":[{"metrics":[
              {"name":"payload.size","unit":"By","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[
                {"startTimeUnixNano":"1","timeUnixNano":"1700000000000000000","count":"8","sum":7.25,"scale":3,
                 "zeroCount":"1","zeroThreshold":0.001,
                 "positive":{"offset":5,"bucketCounts":["1","0","1","0","0","0","0","4"]},
                 "negative":{"offset":2,"bucketCounts":["1"]}}]}},
              {"name":"job.duration","unit":"s","histogram":{"aggregationTemporality":2,"dataPoints":[
                {"startTimeUnixNano":"1","timeUnixNano":"1700000000000000000","count":"4","sum":2.5,
                 "bucketCounts":["2","1","1"],"explicitBounds":[0.1,1]}]}}]}]}]}
            """#
        let store = SeriesStore(settings: ExpositionSettings(), golden: GoldenSignalsConfiguration(enabled: false))
        store.apply(try Array(request.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch)
        let families = store.families(for: ScrapeContext(wallClock: Self.now))
        let written = try #require(WriteRequestReader.read(RemoteWriteEncoder().encode(families, now: Self.now)[0].body))
        #expect(written.histograms == [
            WrittenHistogram(
                labels: ["__name__=opensre_payload_size_bytes", "job=shop"], count: 8, sum: 7.25, schema: 3,
                zeroThreshold: 0.001, zeroCount: 1,
                positive: Side(spans: [Span(offset: 6, length: 3), Span(offset: 4, length: 1)], deltas: [1, -1, 1, 3]),
                negative: Side(spans: [Span(offset: 3, length: 1)], deltas: [1]), resetHint: 0, timestamp: Self.ms)
        ])
        #expect(written.series.map(\.labels.first) == [
            "__name__=opensre_job_duration_seconds_bucket", "__name__=opensre_job_duration_seconds_bucket",
            "__name__=opensre_job_duration_seconds_bucket", "__name__=opensre_job_duration_seconds_sum",
            "__name__=opensre_job_duration_seconds_count",
        ])
    }
}
