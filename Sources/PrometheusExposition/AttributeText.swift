#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OpenSREModel

/// Attribute values as label values, by the OpenTelemetry rule for showing an
/// `AnyValue` in a non-OTLP protocol: strings as they are, booleans as
/// `true`/`false`, numbers as JSON numbers, bytes as base64, and arrays and
/// maps as JSON.
package enum AttributeText {
    package static func labelValue(_ value: AttributeValue) -> String {
        switch value {
        case .string(let string): return string
        default:
            var out = ""
            appendJSON(value, to: &out, topLevel: true)
            return out
        }
    }

    private static func appendJSON(_ value: AttributeValue, to out: inout String, topLevel: Bool) {
        switch value {
        case .empty: out += topLevel ? "" : "null"
        case .string(let string):
            if topLevel { out += string } else { appendQuoted(string, to: &out) }
        case .bool(let bool): out += bool ? "true" : "false"
        case .int(let int): out += String(int)
        case .double(let double):
            let text = PrometheusFloat.attributeValue(double)
            if topLevel || double.isFinite { out += text } else { appendQuoted(text, to: &out) }
        case .bytes(let bytes):
            // Standard base64 with padding (RFC 4648 section 4).
            let text = Data(bytes).base64EncodedString()
            if topLevel { out += text } else { appendQuoted(text, to: &out) }
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendJSON(element, to: &out, topLevel: false)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { out += "," }
                appendQuoted(entry.key, to: &out)
                out += ":"
                appendJSON(entry.value, to: &out, topLevel: false)
            }
            out += "}"
        }
    }

    private static func appendQuoted(_ string: String, to out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
