/// Writes the Prometheus text exposition format 0.0.4 into a byte buffer.
///
/// Names and label texts are passed in pre-rendered (they are computed once
/// per family and per series), so writing a sample is a few appends and one
/// number formatting.
package struct ExpositionWriter {
    /// The `Content-Type` of what this writer produces.
    package static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// `# HELP name text`: backslash and newline escaped.
    package mutating func appendHelp(name: [UInt8], help: String) {
        bytes.append(contentsOf: "# HELP ".utf8)
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: " "))
        for byte in help.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\n"): bytes.append(contentsOf: "\\n".utf8)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// `# TYPE name type`.
    package mutating func appendType(name: [UInt8], type: PrometheusMetricType) {
        bytes.append(contentsOf: "# TYPE ".utf8)
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: type.rawValue.utf8)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// `name[suffix]{labels} value`, with no braces when there are no labels.
    package mutating func appendSample(name: [UInt8], suffix: StaticString = "", labels: [UInt8], value: Double) {
        appendName(name, suffix)
        if !labels.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(contentsOf: labels)
            bytes.append(UInt8(ascii: "}"))
        }
        appendValue(value)
    }

    /// `name[suffix]{labels,extra="bound"} value`: a histogram bucket or summary quantile.
    package mutating func appendSample(
        name: [UInt8], suffix: StaticString, labels: [UInt8], extraLabel: StaticString, extraValue: Double,
        value: Double
    ) {
        appendName(name, suffix)
        bytes.append(UInt8(ascii: "{"))
        if !labels.isEmpty {
            bytes.append(contentsOf: labels)
            bytes.append(UInt8(ascii: ","))
        }
        appendStatic(extraLabel)
        bytes.append(contentsOf: "=\"".utf8)
        PrometheusFloat.appendSampleValue(extraValue, to: &bytes)
        bytes.append(contentsOf: "\"}".utf8)
        appendValue(value)
    }

    mutating func appendName(_ name: [UInt8], _ suffix: StaticString) {
        bytes.append(contentsOf: name)
        appendStatic(suffix)
    }

    mutating func appendStatic(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func appendValue(_ value: Double) {
        bytes.append(UInt8(ascii: " "))
        PrometheusFloat.appendSampleValue(value, to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// The text inside a series' braces: `a="1",b="x\"y"` (values escaped:
    /// backslash, double quote, newline).
    package static func labelText(_ labels: [Label]) -> [UInt8] {
        var out: [UInt8] = []
        for (index, label) in labels.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: label.name.utf8)
            out.append(contentsOf: "=\"".utf8)
            for byte in label.value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        return out
    }
}
