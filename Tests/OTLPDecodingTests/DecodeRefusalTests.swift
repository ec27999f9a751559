import OTLPDecoding
import OpenSREModel
import OpenSRETestSupport
import Testing

/// Issue 10, items 5, 11 and 13: what both decoders refuse point by point
/// (reported in `partial_success`) beyond the wire format.
@Suite("Points refused while decoding: metadata length, future timestamps, label names")
struct DecodeRefusalTests {
    typealias Decoded = (protobuf: OTLPDecodeResult, json: OTLPDecodeResult)

    /// One gauge named `name` with `points` (value, start, time, attribute key), in both encodings.
    static func decode(
        name: String = "g", description: String = "", unit: String = "", points: [(Double, UInt64, UInt64, String)],
        escapes: Bool = true
    ) throws -> Decoded {
        let protobuf = OTLPProtobuf.request([
            OTLPProtobuf.gauge(
                Array(name.utf8), description: Array(description.utf8), unit: Array(unit.utf8),
                points: points.map { value, start, time, key in
                    OTLPProtobuf.numberPoint(value, start: start, time: time, attributes: [OTLPProtobuf.keyValue(key, "v")])
                })
        ])
        let json = JSONText.request(
            JSONText.gauge(
                name,
                points: points.map { value, start, time, key in
                    JSONText.point(value, start: start, time: time, attributes: "[\(JSONText.attribute(key, JSONText.string("v")))]")
                }, extra: #","description":"\#(description)","unit":"\#(unit)""#))
        return (try TestDecoding.protobuf(protobuf, escapes: escapes), try TestDecoding.json(json, escapes: escapes))
    }

    static func both(_ decoded: Decoded, _ check: (OTLPDecodeResult) -> Void) {
        check(decoded.protobuf)
        check(decoded.json)
        #expect(decoded.protobuf.batch.bytes == decoded.json.batch.bytes)
    }

    // MARK: Item 5: name, unit and description length

    @Test("limits: name 1024 bytes, unit 63, description 4096")
    func limits() {
        #expect(OTLPLimits.maximumNameBytes == 1024)
        #expect(OTLPLimits.maximumUnitBytes == 63)
        #expect(OTLPLimits.maximumDescriptionBytes == 4096)
    }

    @Test("a name, unit or description at its limit is accepted")
    func atLimits() throws {
        let decoded = try Self.decode(
            name: String(repeating: "n", count: 1024), description: String(repeating: "d", count: 4096),
            unit: String(repeating: "u", count: 63), points: [(1, 0, 1_000, "k"), (2, 0, 1_000, "j")])
        Self.both(decoded) { result in
            #expect(result.rejected.count == 0)
            #expect(result.batch.pointCount == 2)
        }
    }

    @Test("one byte over a limit refuses all the metric's points with the reason and metadata_too_long")
    func overLimits() throws {
        let long = String(repeating: "n", count: 1025)
        let cases: [(name: String, description: String, unit: String, reason: String)] = [
            (long, "", "", "metric name is 1025 bytes long (at most 1024)"),
            ("g", "", String(repeating: "u", count: 64), "unit of metric g is 64 bytes long (at most 63)"),
            ("g", String(repeating: "d", count: 4097), "", "description of metric g is 4097 bytes long (at most 4096)"),
        ]
        for (name, description, unit, reason) in cases {
            let decoded = try Self.decode(
                name: name, description: description, unit: unit, points: [(1, 0, 1_000, "k"), (2, 0, 1_000, "j")])
            Self.both(decoded) { result in
                #expect(result.batch.pointCount == 0)
                #expect(result.rejected.count == 2)
                #expect(result.rejected.reasons == [reason])
                #expect(TestDecoding.refused(result, "metadata_too_long") == 2)
            }
        }
    }

    @Test("a 10 MB name is refused without copying it into the reason")
    func hugeName() throws {
        let decoded = try Self.decode(name: String(repeating: "x", count: 10 << 20), points: [(1, 0, 1_000, "k")])
        Self.both(decoded) { result in
            #expect(result.rejected.message == "metric name is 10485760 bytes long (at most 1024)")
            #expect(result.batch.bytes.count < 1_000)
        }
    }

    // MARK: Item 11: timestamps too far ahead

    static let latest = TestDecoding.now + 600_000_000_000

    @Test("a point up to 10 minutes ahead of the clock is accepted; one nanosecond later is refused")
    func futureBound() throws {
        let decoded = try Self.decode(points: [(1, 0, Self.latest, "a"), (2, 0, Self.latest + 1, "b")])
        Self.both(decoded) { result in
            #expect(result.batch.pointCount == 1)
            #expect(result.batch.points.first?.time == Self.latest)
            #expect(result.rejected.count == 1)
            #expect(result.rejected.reasons == ["point timestamp is more than 10 minutes past the receiver's clock"])
            #expect(TestDecoding.refused(result, "future_timestamp") == 1)
        }
    }

    @Test("time or start time 2^64-1 is refused; a start after the time within the bound is kept")
    func extremes() throws {
        let top = UInt64.max
        let decoded = try Self.decode(points: [
            (1, 0, top, "a"), (2, top, TestDecoding.now, "b"), (3, TestDecoding.now, TestDecoding.now - 1, "c"), (4, 0, 0, "d"),
        ])
        Self.both(decoded) { result in
            #expect(result.batch.points.map(\.value) == [3, 4])
            #expect(TestDecoding.refused(result, "future_timestamp") == 2)
        }
    }

    @Test("every point kind is checked: sum, histogram, exponential histogram, summary (JSON and protobuf alike)")
    func everyKind() throws {
        let late = Self.latest + 1
        let json = JSONText.request(
            #"{"name":"s","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"asInt":"1","timeUnixNano":"\#(late)"}]}}"#,
            #"{"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[{"count":"1","bucketCounts":["1"],"timeUnixNano":"\#(late)"}]}}"#,
            #"{"name":"e","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[{"count":"1","sum":1,"zeroCount":"1","timeUnixNano":"\#(late)"}]}}"#,
            #"{"name":"q","summary":{"dataPoints":[{"count":"1","sum":1,"startTimeUnixNano":"\#(late)","timeUnixNano":"1"}]}}"#)
        let result = try TestDecoding.json(json)
        #expect(result.batch.pointCount == 0)
        #expect(TestDecoding.refused(result, "future_timestamp") == 4)
        let protobuf = OTLPProtobuf.request([
            OTLPProtobuf.sum("s", temporality: 1, points: [OTLPProtobuf.numberPoint(1, time: late)])
        ])
        #expect(TestDecoding.refused(try TestDecoding.protobuf(protobuf), "future_timestamp") == 1)
    }

    // MARK: Item 13: attribute keys that make no label

    @Test("a key that escapes to underscores only refuses its point, with otlptranslator's verdicts")
    func labelNames() throws {
        // 字符 → "__": refused. 字 → "_" → "key_": kept. "__" as sent: kept. "": refused.
        let decoded = try Self.decode(points: [(1, 0, 1_000, "字符"), (2, 0, 1_000, "字"), (3, 0, 1_000, "__"), (4, 0, 1_000, "")])
        Self.both(decoded) { result in
            #expect(result.batch.points.map(\.value) == [2, 3])
            #expect(result.rejected.count == 2)
            #expect(
                result.rejected.reasons == [
                    #"attribute key "字符" leaves no label name once escaped ("__")"#,
                    "point has an attribute with an empty key (no label name)",
                ])
            #expect(TestDecoding.refused(result, "invalid_label_name") == 2)
        }
    }

    @Test("with a UTF-8 translation strategy only the empty key is refused")
    func labelNamesUTF8() throws {
        let decoded = try Self.decode(points: [(1, 0, 1_000, "字符"), (4, 0, 1_000, "")], escapes: false)
        Self.both(decoded) { result in
            #expect(result.batch.points.map(\.value) == [1])
            #expect(TestDecoding.refused(result, "invalid_label_name") == 1)
        }
    }

    @Test("the label rule and LabelNamer's escaping agree")
    func rule() {
        for (key, makesLabel) in [("a.b", true), ("..", false), (".", true), ("ようこそ", false), ("_", true), ("1", true), ("", false)] {
            let answer = Array(key.utf8).withUnsafeBytes { LabelNameRule.makesLabel($0, escaping: true) }
            #expect(answer == makesLabel, "\(key)")
            #expect((LabelNameRule.escapedName(key) != nil) == makesLabel, "\(key)")
        }
    }

    // MARK: Item 13: prometheus.type metadata

    @Test("a gauge whose metadata says prometheus.type=unknown is flagged; other values and kinds are not")
    func prometheusUnknown() throws {
        func entry(_ key: String, _ value: String) -> ProtobufWriter { OTLPProtobuf.keyValue(key, value) }
        let point = OTLPProtobuf.numberPoint(1)
        let protobuf = OTLPProtobuf.request([
            OTLPProtobuf.gauge("u", points: [point], metadata: [entry("other", "x"), entry("prometheus.type", "unknown")]),
            OTLPProtobuf.gauge("g", points: [point], metadata: [entry("prometheus.type", "gauge")]),
            OTLPProtobuf.gauge("f", points: [point], metadata: [entry("prometheus.type", "gauge"), entry("prometheus.type", "unknown")]),
            OTLPProtobuf.gauge("p", points: [point]),
        ])
        let metadata = { (pairs: [(String, String)]) in
            #","metadata":[\#(pairs.map { JSONText.attribute($0.0, JSONText.string($0.1)) }.joined(separator: ","))]"#
        }
        let jsonPoint = JSONText.point(1)
        let json = JSONText.request(
            JSONText.gauge("u", points: [jsonPoint], extra: metadata([("other", "x"), ("prometheus.type", "unknown")])),
            JSONText.gauge("g", points: [jsonPoint], extra: metadata([("prometheus.type", "gauge")])),
            JSONText.gauge("f", points: [jsonPoint], extra: metadata([("prometheus.type", "gauge"), ("prometheus.type", "unknown")])),
            JSONText.gauge("p", points: [jsonPoint]))
        for result in [try TestDecoding.protobuf(protobuf), try TestDecoding.json(json)] {
            #expect(result.batch.streams.map(\.isPrometheusUnknown) == [true, false, false, false])
        }
    }
}
