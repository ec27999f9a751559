import OTLPDecoding
import OpenSREModel

/// OTLP/JSON request text for the pipeline tests.
enum JSONRequests {
    static func resource(service: String, instance: String = "i1") -> String {
        #"[{"key":"service.name","value":{"stringValue":"\#(service)"}},{"key":"service.instance.id","value":{"stringValue":"\#(instance)"}}]"#
    }

    static func request(service: String, _ metrics: String...) -> String {
        request(service: service, instance: "i1", metrics)
    }

    static func request(service: String, instance: String, _ metrics: [String]) -> String {
        #"{"resourceMetrics":[{"resource":{"attributes":\#(resource(service: service, instance: instance))},"scopeMetrics":[{"scope":{"name":"lib"},"metrics":[\#(metrics.joined(separator: ","))]}]}]}"#
    }

    /// A cumulative explicit histogram with one point per (attributes, counts) entry.
    static func histogram(
        _ name: String, unit: String = "s", start: UInt64 = 1, bounds: [Double], points: [(attributes: String, counts: [Int])]
    ) -> String {
        let rendered = points.map { point in
            let count = point.counts.reduce(0, +)
            return #"{"startTimeUnixNano":"\#(start)","timeUnixNano":"\#(start + 1)","count":"\#(count)","sum":\#(Double(count) * 0.1),"attributes":\#(point.attributes),"bucketCounts":[\#(point.counts.map { "\"\($0)\"" }.joined(separator: ","))],"explicitBounds":[\#(bounds.map { "\($0)" }.joined(separator: ","))]}"#
        }
        return #"{"name":"\#(name)","unit":"\#(unit)","histogram":{"aggregationTemporality":2,"dataPoints":[\#(rendered.joined(separator: ","))]}}"#
    }

    static func gauge(_ name: String, _ points: [(attributes: String, value: Double)]) -> String {
        let rendered = points.map { #"{"asDouble":\#($0.value),"attributes":\#($0.attributes)}"# }
        return #"{"name":"\#(name)","gauge":{"dataPoints":[\#(rendered.joined(separator: ","))]}}"#
    }

    static func attributes(_ pairs: (String, String)...) -> String {
        "[" + pairs.map { #"{"key":"\#($0.0)","value":{"stringValue":"\#($0.1)"}}"# }.joined(separator: ",") + "]"
    }

    static func batch(_ text: String) throws -> DecodedBatch {
        try Array(text.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
    }
}
