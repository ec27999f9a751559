import OpenSREModel
import PrometheusExposition

/// Renders an exemplar's labels for OpenMetrics: `trace_id` and `span_id` in
/// hex first, then the filtered attributes (sanitized names, sorted), each
/// added only while the label names and values stay within OpenMetrics's
/// 128-character limit. `trace_id`/`span_id` win over attributes of those names.
enum ExemplarLabels {
    static let characterLimit = 128

    static func render(_ exemplar: DecodedExemplar, bytes: UnsafeRawBufferPointer) -> RenderedExemplar {
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

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ raw: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count * 2)
        for byte in raw {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
