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
        String(decoding: store.render(), as: UTF8.self)
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
}
