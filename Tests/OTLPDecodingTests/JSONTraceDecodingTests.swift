import Foundation
import OTLPDecoding
import OpenSREModel
import OpenSRETestSupport
import Testing

/// Span metrics from OTLP/JSON trace requests: the same batch as the protobuf
/// path for the same spans, with the JSON mapping's spellings and errors.
@Suite("Span metrics from trace requests")
struct JSONTraceDecodingTests {
    static let rules = SpanMetricsRules(SpanMetricsConfiguration(), cardinality: nil)

    /// `Tests/Fixtures/traces.pb` in the OTLP JSON mapping: protobuf's
    /// `MessageToJson` of make_fixtures.py's `traces()`, with the IDs in hex
    /// (the mapping's one departure from protobuf's JSON, which writes base64).
    static let fixture = #"""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}},{"key":"service.instance.id","value":{"stringValue":"pod-1"}}]},
         "scopeSpans":[{"scope":{"name":"opentelemetry.instrumentation.flask","version":"0.66b1"},"spans":[
          {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0101010101010101","name":"POST /pay","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000042000000","attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},{"key":"http.route","value":{"stringValue":"/pay"}},{"key":"http.response.status_code","value":{"intValue":"200"}}],"status":{"code":"STATUS_CODE_OK"},"flags":257},
          {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0202020202020202","name":"POST /pay","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1700000001000000000","endTimeUnixNano":"1700000001310000000","attributes":[{"key":"http.request.method","value":{"stringValue":"POST"}},{"key":"http.route","value":{"stringValue":"/pay"}},{"key":"http.response.status_code","value":{"intValue":"500"}}],"status":{"message":"card declined","code":"STATUS_CODE_ERROR"},"flags":257},
          {"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0303030303030303","parentSpanId":"0101010101010101","name":"GET","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1700000000010000000","endTimeUnixNano":"1700000000030000000","attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}}],"status":{},"flags":257}
        ]}]}]}
        """#

    /// The fixture with proto field names, enums as numbers and times as JSON numbers.
    static var fixtureVariant: String {
        var text = fixture
        for (camel, snake) in [
            ("resourceSpans", "resource_spans"), ("scopeSpans", "scope_spans"), ("traceId", "trace_id"),
            ("spanId", "span_id"), ("startTimeUnixNano", "start_time_unix_nano"), ("endTimeUnixNano", "end_time_unix_nano"),
            (#""SPAN_KIND_SERVER""#, "2"), (#""SPAN_KIND_CLIENT""#, "3"), (#""STATUS_CODE_OK""#, "1"),
            (#""STATUS_CODE_ERROR""#, "2"), (#""stringValue""#, #""string_value""#), (#""intValue":"200""#, #""int_value":200"#),
            (#""1700000001310000000""#, "1700000001310000000"),
        ] {
            text = text.replacingOccurrences(of: camel, with: snake)
        }
        return text
    }

    static func json(_ text: String) throws -> OTLPDecodeResult {
        try Array(text.utf8).withUnsafeBytes {
            try OTLPJSONDecoder(options: TestDecoding.options()).decodeTraces($0, rules: rules)
        }
    }

    static func protobuf(_ bytes: [UInt8]) throws -> OTLPDecodeResult {
        try bytes.withUnsafeBytes {
            try OTLPProtobufDecoder(initialArenaBytes: 4096, options: TestDecoding.options()).decodeTraces($0, rules: rules)
        }
    }

    /// One resource (`JSONText.resource` unless given) and scope holding `spans`.
    static func request(_ spans: String..., resource: String = JSONText.resource) -> String {
        #"{"resourceSpans":[{"resource":{"attributes":\#(resource)},"scopeSpans":[{"spans":[\#(spans.joined(separator: ","))]}]}]}"#
    }

    /// A counted (server) span; each argument is JSON text.
    static func span(
        kind: String = "2", name: String = #""GET /""#, start: String = #""1000""#, end: String = #""2000""#,
        attributes: [String] = [], extra: String = ""
    ) -> String {
        #"{"kind":\#(kind),"name":\#(name),"startTimeUnixNano":\#(start),"endTimeUnixNano":\#(end),"attributes":[\#(attributes.joined(separator: ","))]\#(extra)}"#
    }

    static func bytes(_ batch: DecodedBatch, _ range: SliceRange) -> [UInt8] {
        Array(batch.bytes[range.range])
    }

    /// Field by field, so that a difference says where it is.
    static func expectSame(_ a: DecodedBatch, _ b: DecodedBatch) {
        #expect(a.streams.count == b.streams.count)
        for (x, y) in zip(a.streams, b.streams) {
            #expect(bytes(a, x.name) == bytes(b, y.name) && bytes(a, x.unit) == bytes(b, y.unit))
            #expect(x.kind == y.kind && x.temporality == y.temporality && x.isDerived == y.isDerived)
            #expect(bytes(a, x.resource) == bytes(b, y.resource) && bytes(a, x.scopeName) == bytes(b, y.scopeName))
            #expect(x.pointRange == y.pointRange && x.identityHash == y.identityHash)
        }
        #expect(a.points.count == b.points.count)
        for (p, q) in zip(a.points, b.points) {
            #expect(bytes(a, p.attributes) == bytes(b, q.attributes) && p.attributesHash == q.attributesHash)
            #expect(p.count == q.count && p.value == q.value)
            #expect(Array(a.counts[p.counts.range]) == Array(b.counts[q.counts.range]))
            #expect(Array(a.doubles[p.doubles.range]) == Array(b.doubles[q.doubles.range]))
            #expect(p.exemplars.count == q.exemplars.count)
            for (e, f) in zip(a.exemplars[p.exemplars.range], b.exemplars[q.exemplars.range]) {
                #expect(bytes(a, e.traceID) == bytes(b, f.traceID) && bytes(a, e.spanID) == bytes(b, f.spanID))
                #expect(e.value == f.value && e.time == f.time)
            }
        }
        let sameBytes = a.bytes == b.bytes  // outside #expect, which would print both arrays
        #expect(sameBytes)
    }

    static func expectMalformed(_ text: String, _ detail: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try json(text)
            Issue.record("decoded", sourceLocation: sourceLocation)
        } catch {
            #expect(error as? OTLPDecodingError == .malformedJSON(detail), sourceLocation: sourceLocation)
        }
    }

    @Test("protobuf: traces.pb makes calls and duration for the two server spans, keyed by the default dimensions")
    func protobufFixture() throws {
        let result = try Self.protobuf(Fixtures.bytes("traces.pb"))
        let batch = result.batch
        #expect(result.rejected.count == 0)
        #expect(batch.streams.map { String(decoding: Self.bytes(batch, $0.name), as: UTF8.self) } == [
            "traces.span.metrics.calls", "traces.span.metrics.duration",
        ])
        let (calls, duration) = (batch.streams[0], batch.streams[1])
        #expect(calls.kind == .sum && calls.temporality == .delta && calls.isMonotonic && calls.isDerived)
        #expect(duration.kind == .histogram && duration.temporality == .delta && duration.isDerived)
        #expect(Self.bytes(batch, duration.unit) == Array("s".utf8) && Self.bytes(batch, calls.unit).isEmpty)
        #expect(Self.bytes(batch, calls.scopeName) == Array("spanmetricsconnector".utf8))
        #expect(AttributeDecoder.decode(Self.bytes(batch, calls.resource)) == [
            Attribute("service.instance.id", .string("pod-1")), Attribute("service.name", .string("checkout")),
        ])
        #expect(calls.pointRange == 0..<2 && duration.pointRange == 2..<4)

        func key(_ status: Int64, _ code: String) -> [Attribute] {
            [
                Attribute("http.request.method", .string("POST")), Attribute("http.response.status_code", .int(status)),
                Attribute("http.route", .string("/pay")), Attribute("service.name", .string("checkout")),
                Attribute("span.kind", .string("SPAN_KIND_SERVER")), Attribute("span.name", .string("POST /pay")),
                Attribute("status.code", .string(code)),
            ]
        }
        let ok = key(200, "STATUS_CODE_OK")
        let error = key(500, "STATUS_CODE_ERROR")
        #expect((0..<4).map { TestDecoding.attributes(batch, $0) } == [ok, error, ok, error])
        #expect(batch.points[0..<2].map(\.value) == [1, 1])

        let bounds = HTTPDurationBuckets.seconds
        for (index, (seconds, bound)) in [(0.042, 0.05), (0.31, 0.5)].enumerated() {
            let point = batch.points[2 + index]
            #expect(point.count == 1 && point.value == seconds)
            #expect(Array(batch.doubles[point.doubles.range]) == bounds)
            var counts = [UInt64](repeating: 0, count: bounds.count + 1)
            counts[bounds.firstIndex(of: bound)!] = 1
            #expect(Array(batch.counts[point.counts.range]) == counts)
            let exemplar = try #require(batch.exemplars[point.exemplars.range].first)
            #expect(Self.bytes(batch, exemplar.traceID) == Array(1...16))
            #expect(Self.bytes(batch, exemplar.spanID) == [UInt8](repeating: UInt8(index + 1), count: 8))
            #expect(exemplar.value == seconds)
        }
    }

    @Test("the fixture in OTLP/JSON makes the same batch as traces.pb, field by field")
    func sameAsProtobuf() throws {
        let fromProtobuf = try Self.protobuf(Fixtures.bytes("traces.pb"))
        let fromJSON = try Self.json(Self.fixture)
        #expect(fromJSON.rejected.count == 0 && fromJSON.batch.pointCount == 4)
        Self.expectSame(fromJSON.batch, fromProtobuf.batch)
    }

    @Test("proto field names, enums as numbers, times as numbers: the same batch")
    func spellings() throws {
        let fromJSON = try Self.json(Self.fixtureVariant)
        #expect(Self.fixtureVariant.contains(#""kind":2"#) && Self.fixtureVariant.contains("scope_spans"))
        Self.expectSame(fromJSON.batch, try Self.json(Self.fixture).batch)
    }

    @Test("a span ending before it starts, or without a time, is refused and counted; the others still count")
    func invalidTimes() throws {
        let result = try Self.json(Self.request(
            Self.span(start: #""2000""#, end: #""1000""#), Self.span(start: "0"), Self.span()))
        #expect(result.rejected.count == 2 && TestDecoding.refused(result, "invalid_span") == 2)
        #expect(result.rejected.reasons == ["span ends before it starts", "span has no start or end time"])
        #expect(result.batch.points.map(\.value) == [1, 1e-6])
    }

    @Test("kinds not counted are skipped unread; a missing kind is SPAN_KIND_UNSPECIFIED")
    func uncountedKinds() throws {
        let result = try Self.json(Self.request(
            Self.span(kind: #""SPAN_KIND_CLIENT""#, name: "17"), Self.span(kind: "null"), Self.span(kind: "-1"),
            Self.span(kind: #""SPAN_KIND_CONSUMER""#)))
        #expect(result.rejected.count == 0)
        #expect(result.batch.points.count == 2)
        #expect(TestDecoding.attributes(result.batch, 0).first { $0.key == "span.kind" }?.value == .string("SPAN_KIND_CONSUMER"))
    }

    @Test("no service.name: unknown_service; a trace ID of the wrong length: no exemplar, not an error")
    func defaults() throws {
        let result = try Self.json(Self.request(Self.span(extra: #","traceId":"0102","spanId":"0101010101010101""#), resource: "[]"))
        let batch = result.batch
        #expect(TestDecoding.attributes(batch, 0).first { $0.key == "service.name" }?.value == .string("unknown_service"))
        #expect(batch.points.count == 2 && batch.exemplars.isEmpty)
    }

    @Test("series attributes over the byte limit are refused per span")
    func oversizedKey() throws {
        let long = String(repeating: "r", count: DecodedBatchBuilder.maximumAttributeBytes)
        let result = try Self.json(Self.request(Self.span(attributes: [JSONText.attribute("http.route", JSONText.string(long))])))
        #expect(TestDecoding.refused(result, "attributes_too_large") == 1 && result.batch.points.isEmpty)
    }

    @Test("a wrong type is an error naming its path")
    func wrongTypes() {
        let path = "resourceSpans[0].scopeSpans[0].spans[0]"
        Self.expectMalformed(Self.request(Self.span(name: "7")), "\(path).name: expected a string")
        Self.expectMalformed(Self.request(Self.span(end: "true")), "\(path).endTimeUnixNano: expected an unsigned 64-bit integer")
        Self.expectMalformed(Self.request(Self.span(kind: #""SERVER""#)), "\(path).kind: expected an enum name or number")
        Self.expectMalformed(Self.request(Self.span(extra: #","status":{"code":"x"}"#)), "\(path).status.code: expected an enum name or number")
        // protobuf's own JSON writes IDs in base64; OTLP/JSON wants hex.
        Self.expectMalformed(
            Self.request(Self.span(extra: #","traceId":"AQIDBAUGBwgJCgsMDQ4PEA==""#)), "\(path).traceId: expected hex")
        Self.expectMalformed(
            Self.request(Self.span(attributes: [JSONText.attribute("x", "{}"), JSONText.attribute("http.route", #"{"intValue":"1.5"}"#)])),
            "\(path).attributes[1].value.intValue: expected a 64-bit integer")
        Self.expectMalformed(Self.request(Self.span(attributes: [#"{"key":1}"#])), "\(path).attributes[0].key: expected a string")
        Self.expectMalformed(
            Self.request(resource: #"[{"key":"z","value":{}},{"key":"a","value":{"intValue":"x"}}]"#),
            "resourceSpans[0].resource.attributes[1].value.intValue: expected a 64-bit integer")
        Self.expectMalformed(#"{"resourceSpans":{}}"#, "resourceSpans: expected an array")
    }

    @Test("parse errors and the tree's memory limit are the metrics path's")
    func parsing() throws {
        Self.expectMalformed("{", "expected a member name at byte 1")
        Self.expectMalformed("[]", "the request is not a JSON object")
        let bytes = Array(Self.fixture.utf8)
        #expect(throws: OTLPDecodingError.decodedMessageTooLarge(limit: 1024)) {
            try bytes.withUnsafeBytes { try OTLPJSONDecoder(memoryLimit: 1024).decodeTraces($0, rules: Self.rules) }
        }
    }

    @Test("a dimension value nested past the limit refuses the request; at the limit it is the key")
    func nesting() throws {
        let limit = OTLPLimits.maximumValueNesting
        #expect(throws: OTLPDecodingError.valueNestingTooDeep(limit: limit)) {
            try Self.json(Self.request(Self.span(attributes: [JSONText.attribute("rpc.method", JSONText.nested(depth: limit + 1))])))
        }
        let result = try Self.json(Self.request(Self.span(attributes: [JSONText.attribute("rpc.method", JSONText.nested(depth: limit))])))
        #expect(TestDecoding.attributes(result.batch, 0).first { $0.key == "rpc.method" }?.value == NestingLimitTests.expected(depth: limit))
    }
}

extension JSONTraceDecodingTests {
    /// A trace request of spans (kind, status code), written field by field.
    static func protobufRequest(_ spans: [(kind: Int64, status: Int64)]) -> [UInt8] {
        var scope = ProtobufWriter()
        for (kind, code) in spans {
            var status = ProtobufWriter()
            status.varint(3, UInt64(bitPattern: code))
            var span = ProtobufWriter()
            span.string(5, "x")
            span.varint(6, UInt64(bitPattern: kind))
            span.fixed64(7, 1000)
            span.fixed64(8, 2000)
            span.message(15, status)
            scope.message(2, span)
        }
        var resource = ProtobufWriter()
        resource.message(2, scope)
        var request = ProtobufWriter()
        request.message(1, resource)
        return request.bytes
    }

    @Test("negative or unknown kinds and status codes: not counted, or counted as UNSET, in both encodings")
    func outOfRangeEnums() throws {
        let fromProtobuf = try Self.protobuf(Self.protobufRequest([(-1, 0), (2, -1), (2, 7)]))
        let fromJSON = try Self.json(Self.request(
            Self.span(kind: "-1", name: #""x""#), Self.span(name: #""x""#, extra: #","status":{"code":-1}"#),
            Self.span(name: #""x""#, extra: #","status":{"code":7}"#), resource: "[]"))
        #expect(fromProtobuf.batch.points.map(\.value) == [2, 2e-6])
        #expect(TestDecoding.attributes(fromProtobuf.batch, 0).last == Attribute("status.code", .string("STATUS_CODE_UNSET")))
        #expect(TestDecoding.attributes(fromJSON.batch, 0) == TestDecoding.attributes(fromProtobuf.batch, 0))
        #expect(fromJSON.batch.points.map(\.value) == fromProtobuf.batch.points.map(\.value))
    }
}
