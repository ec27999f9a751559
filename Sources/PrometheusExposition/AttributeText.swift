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
            if topLevel { out += Base64.encode(bytes) } else { appendQuoted(Base64.encode(bytes), to: &out) }
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

/// Standard base64 (RFC 4648, with padding).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((chunk >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var chunk = UInt32(bytes[index]) << 16
            if rest == 2 { chunk |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int((chunk >> 18) & 63)])
            out.append(alphabet[Int((chunk >> 12) & 63)])
            out.append(rest == 2 ? alphabet[Int((chunk >> 6) & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }
}
