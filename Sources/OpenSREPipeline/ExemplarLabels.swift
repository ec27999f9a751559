import OpenSREModel
import PrometheusExposition

/// Renders an exemplar's labels for OpenMetrics: `trace_id` and `span_id` in
/// hex first, then the filtered attributes (sanitized names, sorted), each
/// added only while the label names and values stay within OpenMetrics's
/// 128-character limit. `trace_id`/`span_id` win over attributes of those names.
enum ExemplarLabels {
    static let characterLimit = 128

    static func render(_ exemplar: DecodedExemplar, bytes: UnsafeRawBufferPointer) -> RenderedExemplar {
        if exemplar.filteredAttributes.count == 0 { return renderIDs(exemplar, bytes: bytes) }
        var labels: [Label] = []
        if exemplar.traceID.count > 0 { labels.append(Label("trace_id", hex(bytes[slice: exemplar.traceID]))) }
        if exemplar.spanID.count > 0 { labels.append(Label("span_id", hex(bytes[slice: exemplar.spanID]))) }
        var used = labels.reduce(0) { $0 + $1.name.count + $1.value.count }
        let filtered = LabelSetBuilder.labels(
            fixed: [], attributes: AttributeDecoder.decode(bytes[slice: exemplar.filteredAttributes]))
        for label in filtered where label.name != "trace_id" && label.name != "span_id" {
            let size = label.name.count + label.value.count
            guard used + size <= characterLimit else { continue }
            labels.append(label)
            used += size
        }
        return RenderedExemplar(labels: ExpositionWriter.labelText(labels), value: exemplar.value, time: exemplar.time)
    }

    /// The common case (span metrics' exemplars, most SDKs'): IDs only, written
    /// straight into one buffer (the general path costs about ten allocations
    /// and runs at every fold). Same text as the general path.
    private static func renderIDs(_ exemplar: DecodedExemplar, bytes: UnsafeRawBufferPointer) -> RenderedExemplar {
        var out: [UInt8] = []
        out.reserveCapacity(Int(exemplar.traceID.count + exemplar.spanID.count) * 2 + 24)
        if exemplar.traceID.count > 0 { appendHexLabel("trace_id=\"", bytes[slice: exemplar.traceID], to: &out) }
        if exemplar.spanID.count > 0 {
            if !out.isEmpty { out.append(UInt8(ascii: ",")) }
            appendHexLabel("span_id=\"", bytes[slice: exemplar.spanID], to: &out)
        }
        return RenderedExemplar(labels: out, value: exemplar.value, time: exemplar.time)
    }

    private static func appendHexLabel(_ head: StaticString, _ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: head.utf8Start, count: head.utf8CodeUnitCount))
        appendHex(raw, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    private static func appendHex(_ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for byte in raw {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ raw: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count * 2)
        appendHex(raw, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
