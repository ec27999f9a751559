import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import PrometheusExposition
import Testing

/// Issue 10, items 1, 10, 11 and 13, seen where they matter: in the exposition
/// of a store fed by the decoders.
@Suite("Decode checks, end to exposition")
struct DecodeToExpositionTests {
    static let now: UInt64 = 1_700_000_000_000_000_000
    static let options = OTLPDecodingOptions(wallClock: { now })

    static func protobuf(_ body: [UInt8]) throws -> DecodedBatch {
        try body.withUnsafeBytes { try OTLPProtobufDecoder(options: options).decode($0) }.batch
    }

    static func json(_ text: String) throws -> DecodedBatch {
        try Array(text.utf8).withUnsafeBytes { try OTLPJSONDecoder(options: options).decode($0) }.batch
    }

    static func render(_ batches: [DecodedBatch], format: ExpositionFormat = .text) -> String {
        let store = SeriesStore()
        for batch in batches { store.apply(batch) }
        return String(decoding: ScrapeSources.render(store, format: format), as: UTF8.self)
    }

    static func gauge(_ points: [ProtobufWriter], name: String = "g", metadata: [ProtobufWriter] = []) -> [UInt8] {
        OTLPProtobuf.request([OTLPProtobuf.gauge(name, points: points, metadata: metadata)])
    }

    static func user(_ value: [UInt8]) -> ProtobufWriter {
        OTLPProtobuf.keyValue(Array("user".utf8), OTLPProtobuf.stringValue(value))
    }

    @Test("alice\\0admin and alice\\0guest are two series, from protobuf as from JSON")
    func nulSeries() throws {
        let body = Self.gauge([
            OTLPProtobuf.numberPoint(1, attributes: [Self.user(Array("alice\0admin".utf8))]),
            OTLPProtobuf.numberPoint(2, attributes: [Self.user(Array("alice\0guest".utf8))]),
        ])
        let json = JSONRequests.request(
            service: "svc",
            #"{"name":"g","gauge":{"dataPoints":[{"asDouble":1,"timeUnixNano":"1000","attributes":[{"key":"user","value":{"stringValue":"alice\u0000admin"}}]},{"asDouble":2,"timeUnixNano":"1000","attributes":[{"key":"user","value":{"stringValue":"alice\u0000guest"}}]}]}}"#)
        let page = Self.render([try Self.protobuf(body)])
        #expect(
            page == """
                # HELP opensre_g g
                # TYPE opensre_g gauge
                opensre_g{instance="i1",job="svc",otel_scope_name="lib",user="alice\0admin"} 1
                opensre_g{instance="i1",job="svc",otel_scope_name="lib",user="alice\0guest"} 2

                """)
        #expect(Self.render([try Self.json(json)]) == page)
    }

    @Test("a point stamped 2^64-1 is refused, so the series keeps taking later points")
    func noFreeze() throws {
        let future = Self.gauge([OTLPProtobuf.numberPoint(1, time: .max)])
        let later = Self.gauge([OTLPProtobuf.numberPoint(2, time: Self.now)])
        #expect(try Self.protobuf(future).pointCount == 0)
        #expect(samples(Self.render([try Self.protobuf(future), try Self.protobuf(later)])) == [#"opensre_g{instance="i1",job="svc",otel_scope_name="lib"} 2"#])
    }

    @Test("a 20-level map and one at the 32-level limit become the label value sent, as JSON")
    func nestedLabelValue() throws {
        for depth in [20, OTLPLimits.maximumValueNesting] {
            let body = Self.gauge([
                OTLPProtobuf.numberPoint(1, attributes: [OTLPProtobuf.keyValue(Array("deep".utf8), OTLPProtobuf.nested(depth: depth))])
            ])
            let value = String(repeating: #"{\"k\":"#, count: depth) + #"\"leaf\""# + String(repeating: "}", count: depth)
            #expect(samples(Self.render([try Self.protobuf(body)])) == [#"opensre_g{deep="\#(value)",instance="i1",job="svc",otel_scope_name="lib"} 1"#])
        }
    }

    @Test("a point whose attribute key escapes to underscores only makes no series")
    func noLabelNoSeries() throws {
        let body = Self.gauge([
            OTLPProtobuf.numberPoint(1, attributes: [OTLPProtobuf.keyValue("字符", "x")]),
            OTLPProtobuf.numberPoint(2, attributes: [OTLPProtobuf.keyValue("字", "y")]),
        ])
        #expect(samples(Self.render([try Self.protobuf(body)])) == [#"opensre_g{instance="i1",job="svc",key_="y",otel_scope_name="lib"} 2"#])
    }

    @Test("a gauge with prometheus.type=unknown is untyped in text 0.0.4 and unknown in OpenMetrics")
    func untyped() throws {
        let unknown = [OTLPProtobuf.keyValue("prometheus.type", "unknown")]
        let body = OTLPProtobuf.request([
            OTLPProtobuf.gauge("u", points: [OTLPProtobuf.numberPoint(1)], metadata: unknown),
            OTLPProtobuf.gauge("g", points: [OTLPProtobuf.numberPoint(2)], metadata: [OTLPProtobuf.keyValue("prometheus.type", "gauge")]),
        ])
        let batch = try Self.protobuf(body)
        #expect(
            Self.render([batch]) == """
                # HELP opensre_g g
                # TYPE opensre_g gauge
                opensre_g{instance="i1",job="svc",otel_scope_name="lib"} 2
                # HELP opensre_u u
                # TYPE opensre_u untyped
                opensre_u{instance="i1",job="svc",otel_scope_name="lib"} 1

                """)
        #expect(
            Self.render([batch], format: .openMetrics) == """
                # HELP opensre_g g
                # TYPE opensre_g gauge
                opensre_g{instance="i1",job="svc",otel_scope_name="lib"} 2
                # HELP opensre_u u
                # TYPE opensre_u unknown
                opensre_u{instance="i1",job="svc",otel_scope_name="lib"} 1
                # EOF

                """)
    }

    /// The sample lines of a page, without HELP/TYPE.
    func samples(_ page: String) -> [String] {
        page.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }
}
