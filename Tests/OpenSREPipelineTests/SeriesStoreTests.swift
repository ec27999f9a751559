import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import Testing

@Suite("Series store: aggregation and exposition")
struct SeriesStoreTests {
    let decoder = OTLPProtobufDecoder()

    func batch(_ fixture: String) throws -> DecodedBatch {
        try Fixtures.bytes(fixture).withUnsafeBytes { try decoder.decode($0) }.batch
    }

    func render(_ store: SeriesStore) -> String {
        String(decoding: ScrapeSources.render(store), as: UTF8.self)
    }

    @Test("the mixed fixture renders exactly the golden exposition")
    func golden() throws {
        let store = SeriesStore()
        store.apply(try batch("mixed.pb"))
        let expected = String(decoding: try Fixtures.bytes("mixed.expected.prom"), as: UTF8.self)
        #expect(render(store) == expected)
        #expect(store.seriesCount == 9)
    }

    @Test("applying the same cumulative request twice changes nothing")
    func idempotentCumulative() throws {
        let store = SeriesStore()
        store.apply(try batch("mixed.pb"))
        let once = render(store)
        store.apply(try batch("mixed.pb"))
        #expect(render(store) == once)
    }

    @Test("delta sums accumulate into a counter across gaps; overlaps are rejected and counted")
    func delta() throws {
        let store = SeriesStore(settings: ExpositionSettings(namespace: "opensre", constLabels: ["env": "prod"]))
        let line = { (value: String) in
            """
            # HELP opensre_jobs_processed_total Jobs done
            # TYPE opensre_jobs_processed_total counter
            opensre_jobs_processed_total{env="prod",instance="pod-1",job="shop/checkout",otel_scope_name="fixture.meter",otel_scope_version="0.1.0",queue="emails"} \(value)
            # HELP opensre_target_info Target metadata
            # TYPE opensre_target_info gauge
            opensre_target_info{host_name="node-a",instance="pod-1",job="shop/checkout"} 1

            """
        }
        store.apply(try batch("delta-1.pb"))
        #expect(render(store) == line("5"))
        store.apply(try batch("delta-2.pb"))
        #expect(render(store) == line("12"))
        store.apply(try batch("delta-overlap.pb"))
        #expect(render(store) == line("12"))
        #expect(store.statistics.refused[.deltaOverlap] == 1)
        // delta-gap.pb starts 20 s after delta-2.pb ended (idle intervals): added across.
        store.apply(try batch("delta-gap.pb"))
        #expect(render(store) == line("21"))
    }

    @Test("a point flagged 'no recorded value' removes its series")
    func staleness() throws {
        let store = SeriesStore()
        store.apply(try batch("unsupported.pb"))
        #expect(render(store).contains("opensre_queue_depth{"))
        store.apply(try batch("stale.pb"))
        #expect(!render(store).contains("opensre_queue_depth"))
        #expect(store.statistics.removedSeries == 1)
        store.apply(try batch("unsupported.pb"))
        #expect(render(store).contains("opensre_queue_depth{"))
    }

    @Test("a family keeps its first type; a conflicting metric's points are refused")
    func typeConflict() throws {
        var builder = DecodedBatchBuilder()
        func stream(_ name: String, kind: MetricKind, monotonic: Bool, value: Double) {
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            builder.endResource(attributesFrom: builder.mark)
            builder.setScope(name: empty, version: empty)
            builder.endScope(attributesFrom: builder.mark)
            var name = name
            name.withUTF8 {
                builder.beginStream(
                    name: UnsafeRawBufferPointer($0), description: empty, unit: empty, kind: kind,
                    temporality: .cumulative, isMonotonic: monotonic)
            }
            builder.addNumberPoint(attributesFrom: builder.mark, startTime: 0, time: 1, value: value, flags: 0)
            builder.endStream()
        }
        stream("requests", kind: .sum, monotonic: true, value: 3)
        stream("requests_total", kind: .gauge, monotonic: false, value: 9)
        let store = SeriesStore(settings: ExpositionSettings(namespace: ""))
        store.apply(builder.finish())
        #expect(
            render(store) == """
                # HELP requests_total requests
                # TYPE requests_total counter
                requests_total 3

                """)
        #expect(store.statistics.refused[.typeConflict] == 1)
    }

    /// A cumulative summary `latency` (s) with one point.
    static let latencySummary =
        #"{"name":"latency","unit":"s","summary":{"dataPoints":[{"startTimeUnixNano":"1","timeUnixNano":"3","count":"4","sum":2.5,"quantileValues":[{"quantile":0.5,"value":0.2},{"quantile":0.99,"value":0.9}]}]}}"#

    /// A cumulative exponential histogram `latency` (s) ending at `time`: 2 observations in (1, 2].
    static func latencyExponential(time: Int) -> String {
        #"{"name":"latency","unit":"s","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{"startTimeUnixNano":"1","timeUnixNano":"\#(time)","count":"2","sum":3,"scale":0,"positive":{"offset":0,"bucketCounts":["2"]}}]}}"#
    }

    /// The fuzzer's crash (a JSON body that sent `http.server.request.duration`
    /// as a summary to a store holding it as a histogram): the summary's points
    /// were folded by the histogram's rules, its quantile pairs taken as bounds
    /// without bucket counts, and the next scrape trapped.
    @Test("a metric sent again as a summary under a histogram's name is refused as a type conflict")
    func summaryUnderHistogramName() throws {
        let store = SeriesStore(settings: ExpositionSettings(namespace: ""))
        let histogram = JSONRequests.histogram("latency", bounds: [0.1, 1], points: [("[]", [1, 2, 3])])
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "api", histogram)))
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "api", Self.latencySummary)))
        // Checked before rendering, which trapped without the fix.
        try #require(store.statistics.refused[.typeConflict] == 1)
        #expect(
            render(store) == """
                # HELP latency_seconds latency
                # TYPE latency_seconds histogram
                latency_seconds_bucket{instance="i1",job="api",otel_scope_name="lib",le="0.1"} 1
                latency_seconds_bucket{instance="i1",job="api",otel_scope_name="lib",le="1"} 3
                latency_seconds_bucket{instance="i1",job="api",otel_scope_name="lib",le="+Inf"} 6
                latency_seconds_sum{instance="i1",job="api",otel_scope_name="lib"} 0.6000000000000001
                latency_seconds_count{instance="i1",job="api",otel_scope_name="lib"} 6

                """)
    }

    @Test("one name sent as explicit, then exponential, then explicit histograms shows the latest kind's buckets")
    func histogramKindSwitch() throws {
        let store = SeriesStore(settings: ExpositionSettings(namespace: ""))
        let explicit = { (start: UInt64, counts: [Int]) in
            try JSONRequests.batch(
                JSONRequests.request(
                    service: "api", JSONRequests.histogram("latency", start: start, bounds: [0.1, 1], points: [("[]", counts)])))
        }
        let labels = #"instance="i1",job="api",otel_scope_name="lib""#
        store.apply(try explicit(1, [1, 2, 3]))
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "api", Self.latencyExponential(time: 3))))
        #expect(
            render(store) == """
                # HELP latency_seconds latency
                # TYPE latency_seconds histogram
                latency_seconds_bucket{\(labels),le="2"} 2
                latency_seconds_bucket{\(labels),le="+Inf"} 2
                latency_seconds_sum{\(labels)} 3
                latency_seconds_count{\(labels)} 2

                """)
        // Back to explicit buckets (a later point): the exponential ones are gone.
        store.apply(try explicit(3, [2, 0, 0]))
        #expect(
            render(store) == """
                # HELP latency_seconds latency
                # TYPE latency_seconds histogram
                latency_seconds_bucket{\(labels),le="0.1"} 2
                latency_seconds_bucket{\(labels),le="1"} 2
                latency_seconds_bucket{\(labels),le="+Inf"} 2
                latency_seconds_sum{\(labels)} 0.2
                latency_seconds_count{\(labels)} 2

                """)
        #expect(store.statistics.rejectedPoints == 0 && store.seriesCount == 1)
    }
}
