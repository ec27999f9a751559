/// Number formatting for the exposition and for label values.
package enum PrometheusFloat {
    /// Appends `value` as Prometheus's Go client writes sample values and `le`
    /// labels (`strconv.FormatFloat(v, 'g', -1, 64)`): shortest digits, exponent
    /// form when the exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`),
    /// and `+Inf`, `-Inf`, `NaN`.
    package static func appendSampleValue(_ value: Double, to out: inout [UInt8]) {
        if value.isNaN {
            out.append(contentsOf: "NaN".utf8)
            return
        }
        if value.isInfinite {
            out.append(contentsOf: (value < 0 ? "-Inf" : "+Inf").utf8)
            return
        }
        // Fast path: small integers (counts, most counters) need no digit search.
        if value.magnitude < 1e6, value == value.rounded(.towardZero) {
            if value < 0 || (value == 0 && value.sign == .minus) { out.append(UInt8(ascii: "-")) }
            appendInteger(UInt64(value.magnitude), to: &out)
            return
        }
        let digits = FloatDigits(value)
        let exponent = digits.point - 1
        if exponent < -4 || exponent >= 6 {
            digits.appendExponent(to: &out, minimumExponentDigits: 2)
        } else {
            digits.appendFixed(to: &out)
        }
    }

    /// `value` as ``appendSampleValue(_:to:)`` writes it.
    package static func sampleValue(_ value: Double) -> String {
        var out: [UInt8] = []
        appendSampleValue(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A double attribute as a label value: a JSON number in the ECMAScript
    /// form that OpenTelemetry's AnyValue-to-string rule and the Collector use
    /// (fixed notation between 1e-6 and 1e21, `1e-7` and `1e+21` outside), and
    /// `NaN`, `Infinity`, `-Infinity`.
    package static func attributeValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let digits = FloatDigits(value)
        var out: [UInt8] = []
        let magnitude = value.magnitude
        if magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21 {
            digits.appendExponent(to: &out, minimumExponentDigits: 1)
        } else {
            digits.appendFixed(to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// OpenMetrics canonical numbers for `le` and `quantile`: as
    /// ``appendSampleValue(_:to:)`` but an integral value keeps a `.0` (`1.0`).
    package static func appendCanonicalValue(_ value: Double, to out: inout [UInt8]) {
        let start = out.count
        appendSampleValue(value, to: &out)
        guard value.isFinite else { return }
        if !out[start...].contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") }) {
            out.append(contentsOf: ".0".utf8)
        }
    }

    /// Unix nanoseconds as seconds with up to nine decimals (`1700000000.25`).
    package static func appendSeconds(nanoseconds: UInt64, to out: inout [UInt8]) {
        appendInteger(nanoseconds / 1_000_000_000, to: &out)
        var fraction = nanoseconds % 1_000_000_000
        guard fraction > 0 else { return }
        var digits = 9
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        out.append(UInt8(ascii: "."))
        let text = Array(String(fraction).utf8)
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits - text.count))
        out.append(contentsOf: text)
    }

    @inline(__always)
    package static func appendInteger(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") &+ UInt8(value))
            return
        }
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        withUnsafeMutableBytes(of: &buffer) { raw in
            var index = raw.count
            var rest = value
            while rest > 0 {
                index -= 1
                raw[index] = UInt8(ascii: "0") &+ UInt8(rest % 10)
                rest /= 10
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[index...]))
        }
    }
}
