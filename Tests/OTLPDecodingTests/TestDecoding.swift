import OTLPDecoding
import OpenSREModel

/// Decoding with a fixed clock, the same way for every test of the decode checks.
enum TestDecoding {
    /// The receiver's clock in these tests: 2023-11-14T22:13:20Z.
    static let now: UInt64 = 1_700_000_000_000_000_000

    static func options(escapes: Bool = true) -> OTLPDecodingOptions {
        OTLPDecodingOptions(escapesLabelNames: escapes, wallClock: { now })
    }

    static func protobuf(_ bytes: [UInt8], escapes: Bool = true) throws -> OTLPDecodeResult {
        let decoder = OTLPProtobufDecoder(initialArenaBytes: 4096, options: options(escapes: escapes))
        return try bytes.withUnsafeBytes { try decoder.decode($0) }
    }

    static func json(_ text: String, escapes: Bool = true) throws -> OTLPDecodeResult {
        try Array(text.utf8).withUnsafeBytes { try OTLPJSONDecoder(options: options(escapes: escapes)).decode($0) }
    }

    /// Points refused for the self-metric reason `label` (by name, so a missing cause reads 0).
    static func refused(_ result: OTLPDecodeResult, _ label: String) -> Int {
        RefusalReason.allCases.first { $0.label == label }.map { result.rejected.counts[$0] } ?? 0
    }

    static func attributes(_ batch: DecodedBatch, _ point: Int) -> [Attribute] {
        AttributeDecoder.decode(Array(batch.bytes[batch.points[point].attributes.range]))
    }

    static func text(_ batch: DecodedBatch, _ range: SliceRange) -> [UInt8] {
        Array(batch.bytes[range.range])
    }
}

/// OTLP/JSON request text for the decode tests.
enum JSONText {
    static let resource = #"[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"service.instance.id","value":{"stringValue":"i1"}}]"#

    static func request(_ metrics: String..., scope: String = #"{"name":"lib"}"#) -> String {
        #"{"resourceMetrics":[{"resource":{"attributes":\#(resource)},"scopeMetrics":[{"scope":\#(scope),"metrics":[\#(metrics.joined(separator: ","))]}]}]}"#
    }

    static func gauge(_ name: String, points: [String], extra: String = "") -> String {
        #"{"name":"\#(name)"\#(extra),"gauge":{"dataPoints":[\#(points.joined(separator: ","))]}}"#
    }

    static func point(_ value: Double, start: UInt64 = 0, time: UInt64 = 1_000, attributes: String = "[]", extra: String = "") -> String {
        #"{"asDouble":\#(value),"startTimeUnixNano":"\#(start)","timeUnixNano":"\#(time)","attributes":\#(attributes)\#(extra)}"#
    }

    static func attribute(_ key: String, _ value: String) -> String {
        #"{"key":"\#(key)","value":\#(value)}"#
    }

    static func string(_ value: String) -> String {
        #"{"stringValue":"\#(value)"}"#
    }

    /// An AnyValue nesting `depth` maps (or arrays), the innermost holding the string `leaf`.
    static func nested(depth: Int, arrays: Bool = false, leaf: String = "leaf") -> String {
        let open = arrays ? #"{"arrayValue":{"values":["# : #"{"kvlistValue":{"values":[{"key":"k","value":"#
        let close = arrays ? "]}}" : "}]}}"
        return String(repeating: open, count: depth) + string(leaf) + String(repeating: close, count: depth)
    }
}
