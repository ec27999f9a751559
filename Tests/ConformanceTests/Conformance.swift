import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import PrometheusExposition
import Testing

/// Builds OTLP/JSON requests for the conformance cases: a resource (by
/// default `service.name=svc`, `service.instance.id=i1`), a scope (`lib`)
/// and the metrics given as JSON text.
enum OTLP {
    static let defaultResource = #"[{"key":"service.name","value":{"stringValue":"svc"}},{"key":"service.instance.id","value":{"stringValue":"i1"}}]"#

    static func request(_ metrics: String..., resource: String = defaultResource, scope: String = #"{"name":"lib"}"#) -> String {
        #"{"resourceMetrics":[{"resource":{"attributes":\#(resource)},"scopeMetrics":[{"scope":\#(scope),"metrics":[\#(metrics.joined(separator: ","))]}]}]}"#
    }

    static func gauge(_ name: String, unit: String = "", value: String = #""asDouble":1"#, attributes: String = "[]") -> String {
        #"{"name":"\#(name)","unit":"\#(unit)","gauge":{"dataPoints":[{"timeUnixNano":"1000","attributes":\#(attributes),\#(value)}]}}"#
    }

    static func sum(
        _ name: String, unit: String = "", monotonic: Bool = true, temporality: Int = 2, points: [String]
    ) -> String {
        #"{"name":"\#(name)","unit":"\#(unit)","sum":{"aggregationTemporality":\#(temporality),"isMonotonic":\#(monotonic),"dataPoints":[\#(points.joined(separator: ","))]}}"#
    }

    static func point(_ value: Int, start: Int = 0, time: Int = 1000, attributes: String = "[]", extra: String = "") -> String {
        #"{"asInt":"\#(value)","startTimeUnixNano":"\#(start)","timeUnixNano":"\#(time)","attributes":\#(attributes)\#(extra)}"#
    }
}

/// Runs OTLP/JSON requests through the decoder and a series store and returns
/// the exposition (without the collector's self-metrics).
func expose(
    _ requests: [String], settings: ExpositionSettings = ExpositionSettings(), format: ExpositionFormat = .text
) throws -> String {
    let store = SeriesStore(settings: settings)
    for request in requests {
        let bytes = Array(request.utf8)
        let result = try bytes.withUnsafeBytes { try OTLPJSONDecoder().decode($0) }
        store.apply(result.batch, now: 1)
    }
    return String(decoding: ScrapeSources.render(store, format: format), as: UTF8.self)
}

func expose(_ request: String, settings: ExpositionSettings = ExpositionSettings(), format: ExpositionFormat = .text) throws -> String {
    try expose([request], settings: settings, format: format)
}

/// The series line(s) of a page, without HELP/TYPE.
func samples(_ page: String) -> [String] {
    page.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
}

let svc = #"instance="i1",job="svc",otel_scope_name="lib""#
