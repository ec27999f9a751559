import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import Testing

@Suite("Scrapes rendered in slices")
struct ScrapeRendererTests {
    func mixedStore() throws -> SeriesStore {
        let store = SeriesStore()
        store.apply(try Fixtures.bytes("mixed.pb").withUnsafeBytes { try OTLPProtobufDecoder().decode($0) }.batch)
        return store
    }

    /// The page rendered one series per slice, and whether it completed.
    func renderInSlices(_ store: SeriesStore, gzip: Bool) -> (bytes: [UInt8], complete: Bool) {
        let sink = ArrayScrapeSink()
        var renderer = ScrapeSources.beginScrape(of: store, format: .text, gzip: gzip, into: [sink])
        var slices = 1
        while !renderer.step(sliceBytes: 1) { slices += 1 }
        #expect(slices > 9, "one slice per series at least")
        let complete = renderer.finish()
        return (sink.bytes, complete)
    }

    func inflate(_ bytes: [UInt8]) throws -> [UInt8] {
        try bytes.withUnsafeBytes { raw in try GzipInflater().inflate(raw, limit: 1 << 20) { Array($0) } }
    }

    @Test("a page rendered one series per slice is byte-identical to one rendered at once")
    func slicesMatchWhole() throws {
        let store = try mixedStore()
        let whole = ScrapeSources.render(store)
        let sliced = renderInSlices(store, gzip: false)
        #expect(sliced.complete)
        #expect(sliced.bytes == whole)
        #expect(String(decoding: whole, as: UTF8.self) == String(decoding: try Fixtures.bytes("mixed.expected.prom"), as: UTF8.self))
    }

    @Test("a gzip'd scrape compressed slice by slice inflates to the plain page")
    func gzipSlices() throws {
        let store = try mixedStore()
        let page = renderInSlices(store, gzip: true)
        #expect(page.complete)
        #expect(Array(page.bytes.prefix(2)) == [0x1F, 0x8B])
        #expect(try inflate(page.bytes) == ScrapeSources.render(store))
    }

    @Test("between slices: updates show, new series wait for the next scrape, removed series are skipped")
    func foldsBetweenSlices() throws {
        let store = SeriesStore(settings: ExpositionSettings(namespace: "opensre"))
        func gauge(_ points: [(id: Int, value: Double, flags: Int)]) throws -> DecodedBatch {
            let rendered = points.map {
                #"{"asDouble":\#($0.value),"flags":\#($0.flags),"timeUnixNano":"\#(10 + $0.id)","attributes":\#(JSONRequests.attributes(("id", "\($0.id)")))}"#
            }
            return try JSONRequests.batch(
                JSONRequests.request(
                    service: "svc", #"{"name":"g","gauge":{"dataPoints":[\#(rendered.joined(separator: ","))]}}"#))
        }
        store.apply(try gauge((0..<4).map { ($0, 1, 0) }))
        let sink = ArrayScrapeSink()
        var renderer = ScrapeSources.beginScrape(of: store, format: .text, gzip: false, into: [sink])
        let headerDone = renderer.step(sliceBytes: 1)  // the family's header
        let firstDone = renderer.step(sliceBytes: 1)  // id 0
        #expect(!headerDone && !firstDone)
        store.apply(try gauge([(1, 7, 0), (2, 0, 1), (9, 5, 0)]))  // update, NO_RECORDED_VALUE, new
        while !renderer.step(sliceBytes: 1) {}
        let samples = { (page: [UInt8]) in
            String(decoding: page, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("opensre_g{") }
        }
        let suffix = #",instance="i1",job="svc",otel_scope_name="lib"}"#
        let complete = renderer.finish()
        #expect(complete)
        #expect(
            samples(sink.bytes) == [
                #"opensre_g{id="0"\#(suffix) 1"#, #"opensre_g{id="1"\#(suffix) 7"#, #"opensre_g{id="3"\#(suffix) 1"#,
            ])
        #expect(
            samples(ScrapeSources.render(store)) == [
                #"opensre_g{id="0"\#(suffix) 1"#, #"opensre_g{id="1"\#(suffix) 7"#, #"opensre_g{id="3"\#(suffix) 1"#,
                #"opensre_g{id="9"\#(suffix) 5"#,
            ])
    }
}
