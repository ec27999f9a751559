import OTLPDecoding
import OpenSREModel
import OpenSRETestSupport
import Testing

@Suite("OTLP/JSON decoding")
struct OTLPJSONDecoderTests {
    func decode(_ text: String) throws(OTLPDecodingError) -> OTLPDecodeResult {
        let bytes = Array(text.utf8)
        do {
            return try bytes.withUnsafeBytes { try OTLPJSONDecoder().decode($0) }
        } catch let error as OTLPDecodingError {
            throw error
        } catch {
            throw .malformedProtobuf
        }
    }

    @Test("protobuf's own JSON encoding of the mixed fixture decodes to the same batch as the protobuf body")
    func sameAsProtobuf() throws {
        let json = try Fixtures.bytes("mixed.json")
        let fromJSON = try json.withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
        let fromProtobuf = try Fixtures.bytes("mixed.pb").withUnsafeBytes { try OTLPProtobufDecoder().decode($0) }.batch
        #expect(fromJSON.bytes == fromProtobuf.bytes)
        #expect(fromJSON.streams.map(\.identityHash) == fromProtobuf.streams.map(\.identityHash))
        #expect(fromJSON.points.map(\.attributesHash) == fromProtobuf.points.map(\.attributesHash))
        #expect(fromJSON.points.map(\.value) == fromProtobuf.points.map(\.value))
        #expect(fromJSON.points.map(\.time) == fromProtobuf.points.map(\.time))
        #expect(fromJSON.doubles == fromProtobuf.doubles)
        #expect(fromJSON.counts == fromProtobuf.counts)
    }

    @Test("int64 as string or number, enum names, snake_case keys, unknown fields ignored, hex ids")
    func mapping() throws {
        let result = try decode(
            #"""
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"n","value":{"intValue":9007199254740993}}]},
             "futureField":{"x":[1,2]},
             "scope_metrics":[{"scope":{"name":"s"},"metrics":[
               {"name":"a","sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA","isMonotonic":true,
                "dataPoints":[{"asInt":"9223372036854775807","start_time_unix_nano":1,"timeUnixNano":"1700000000000000001",
                  "exemplars":[{"asInt":3,"timeUnixNano":"5","traceId":"00112233445566778899AABBCCDDEEFF","spanId":"0102030405060708"}]}]}},
               {"name":"b","gauge":{"data_points":[{"as_double":"NaN"},{"asDouble":"-Infinity"},{"asDouble":1e300}]}}
             ]}]}]}
            """#)
        let batch = result.batch
        #expect(result.rejected.count == 0)
        #expect(batch.streams.map(\.temporality) == [.delta, .unspecified])
        #expect(batch.points[0].value == 9_223_372_036_854_775_807)
        #expect(batch.points[0].startTime == 1 && batch.points[0].time == 1_700_000_000_000_000_001)
        #expect(batch.points[1].value.isNaN && batch.points[2].value == -.infinity && batch.points[3].value == 1e300)
        #expect(AttributeDecoder.decode(Array(batch.bytes[batch.streams[0].resource.range])) == [Attribute("n", .int(9_007_199_254_740_993))])
        let exemplar = batch.exemplars[0]
        #expect(exemplar.value == 3 && exemplar.time == 5)
        #expect(Array(batch.bytes[exemplar.traceID.range]) == [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        #expect(Array(batch.bytes[exemplar.spanID.range]) == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test(
        "malformed JSON and wrong shapes are errors that say where",
        arguments: [
            ("{", "request body is not valid OTLP/JSON: expected a member name at byte 1"),
            ("[]", "request body is not valid OTLP/JSON: the request is not a JSON object"),
            (#"{"resourceMetrics":{}}"#, "request body is not valid OTLP/JSON: resourceMetrics: expected an array"),
            (
                #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"asInt":"1.5"}]}}]}]}]}"#,
                "request body is not valid OTLP/JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].asInt: expected a 64-bit integer"
            ),
            (
                #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"asInt":1,"exemplars":[{"asInt":1,"traceId":"xyz"}]}]}}]}]}]}"#,
                "request body is not valid OTLP/JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].exemplars[0].traceId: expected hex"
            ),
            (
                #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{"sum":1,"count":1,"positive":{"offset":1099511627776,"bucketCounts":[1]}}]}}]}]}]}"#,
                "request body is not valid OTLP/JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].exponentialHistogram.dataPoints[0].positive.offset: expected a 32-bit integer"
            ),
            (#"{"a":"\ud800"}"#, "request body is not valid OTLP/JSON: unpaired surrogate at byte 12"),
            (#"{"a":1} x"#, "request body is not valid OTLP/JSON: unexpected data after the JSON value at byte 8"),
        ])
    func malformed(body: String, reason: String) {
        #expect(throws: OTLPDecodingError.self) { try decode(body) }
        do {
            _ = try decode(body)
        } catch {
            #expect(error.reason == reason)
        }
    }

    /// A request whose one point has the attribute `b` with `bytesValue: text`.
    static func bytesRequest(_ text: String) -> String {
        #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","gauge":{"dataPoints":[{"asInt":"1","attributes":[{"key":"b","value":{"bytesValue":"\#(text)"}}]}]}}]}]}]}"#
    }

    @Test(
        "bytesValue: standard or URL-safe base64, padding optional, '=' ignored wherever it stands",
        arguments: [
            ("AP8=", [0, 255]), ("AP8", [0, 255]), ("", []), ("====", []),
            ("AP+/", [0, 255, 191]), ("AP-_", [0, 255, 191]), ("_w", [255]), ("_w==", [255]), ("/w", [255]),
            ("QUJD", [65, 66, 67]), ("QUJDR", [65, 66, 67]), ("QR==", [65]), ("QQ=A", [65, 0]),
        ] as [(String, [UInt8])])
    func base64(text: String, bytes: [UInt8]) throws {
        let batch = try decode(Self.bytesRequest(text)).batch
        #expect(TestDecoding.attributes(batch, 0) == [Attribute("b", .bytes(bytes))])
    }

    @Test("bytesValue outside the base64 alphabets is refused, saying where", arguments: ["AP8*", "AP 8", "AP8\\n", "é", "A.", "Q*", "QUJD*"])
    func base64Invalid(text: String) {
        do {
            _ = try decode(Self.bytesRequest(text))
            Issue.record("\(text) decoded")
        } catch {
            #expect(error.reason == "request body is not valid OTLP/JSON: resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].attributes[0].value.bytesValue: expected base64")
        }
    }

    @Test("deeply nested input is refused instead of exhausting the stack, with the attribute nesting limit's reason")
    func depth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: OTLPDecodingError.valueNestingTooDeep(limit: 32)) { try decode(deep) }
    }

    @Test("a dense body whose parsed tree would exceed the memory limit is refused as too large, not parsed")
    func treeMemoryLimit() throws {
        // 2 bytes per value on the wire, about 64 in the tree: 1 MiB of zeros needs ~32 MiB.
        let dense = #"{"futureField":["# + String(repeating: "0,", count: 512 << 10) + "0]}"
        let limit = 8 << 20
        let bytes = Array(dense.utf8)
        #expect(throws: OTLPDecodingError.decodedMessageTooLarge(limit: limit)) {
            try bytes.withUnsafeBytes { try OTLPJSONDecoder(memoryLimit: limit).decode($0) }
        }
        // The same body within a limit 8× its size: parsed, nothing in it.
        let result = try bytes.withUnsafeBytes { try OTLPJSONDecoder(memoryLimit: 64 << 20).decode($0) }
        #expect(result.batch.pointCount == 0)
        // The mixed fixture decodes within 8× its own size.
        let mixed = try Fixtures.bytes("mixed.json")
        _ = try mixed.withUnsafeBytes { try OTLPJSONDecoder(memoryLimit: mixed.count * 8).decode($0) }
    }

    @Test("an empty object is an empty request; missing temporality is a partial rejection")
    func partial() throws {
        #expect(try decode("{}").batch.pointCount == 0)
        let result = try decode(#"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"x","sum":{"dataPoints":[{"asInt":1},{"asInt":2}]}}]}]}]}"#)
        #expect(result.rejected.count == 2)
        #expect(result.rejected.message == "sum x has no aggregation temporality")
    }

    @Test("JSON answers: {} on success, partialSuccess with the count as a string")
    func responses() {
        #expect(OTLPResponseEncoder.exportResponseJSON(rejected: RejectedPoints()) == Array("{}".utf8))
        var rejected = RejectedPoints()
        rejected.add(2, .missingValue, reason: #"a "quoted" reason"#)
        #expect(
            String(decoding: OTLPResponseEncoder.exportResponseJSON(rejected: rejected), as: UTF8.self)
                == #"{"partialSuccess":{"rejectedDataPoints":"2","errorMessage":"a \"quoted\" reason"}}"#)
    }
}
