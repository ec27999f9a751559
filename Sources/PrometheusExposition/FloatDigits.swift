/// The shortest decimal digits that round-trip a `Double`, with the position
/// of the decimal point: value = 0.d₁d₂… × 10^`point`.
///
/// Swift's `description` already finds the shortest round-tripping digits; this
/// type re-lays them out in the exact forms other tools print, so that our
/// output is byte-identical to theirs (see ``PrometheusFloat``).
struct FloatDigits {
    var negative: Bool
    /// ASCII digits without leading or trailing zeros; empty for zero.
    var digits: [UInt8]
    var point: Int

    /// For finite values only.
    init(_ value: Double) {
        negative = value.sign == .minus
        digits = []
        point = 0
        guard value != 0 else { return }
        let description = value.magnitude.description
        var mantissa = Substring(description)
        var exponent = 0
        if let e = description.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = description[..<e]
            exponent = Int(description[description.index(after: e)...]) ?? 0
        }
        var integerCount = 0
        var seenPoint = false
        for byte in mantissa.utf8 {
            if byte == UInt8(ascii: ".") {
                seenPoint = true
            } else {
                digits.append(byte)
                if !seenPoint { integerCount += 1 }
            }
        }
        point = integerCount + exponent
        while let first = digits.first, first == UInt8(ascii: "0") {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == UInt8(ascii: "0") {
            digits.removeLast()
        }
    }

    /// Appends fixed notation (`123.45`, `0.001`, `1500`).
    func appendFixed(to out: inout [UInt8]) {
        if negative { out.append(UInt8(ascii: "-")) }
        if digits.isEmpty {
            out.append(UInt8(ascii: "0"))
        } else if point <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point))
            out.append(contentsOf: digits)
        } else if point >= digits.count {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - digits.count))
        } else {
            out.append(contentsOf: digits[..<point])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[point...])
        }
    }

    /// Appends exponent notation (`1.5e+06`); `minimumExponentDigits` pads the exponent.
    func appendExponent(to out: inout [UInt8], minimumExponentDigits: Int) {
        if negative { out.append(UInt8(ascii: "-")) }
        let digits = self.digits.isEmpty ? [UInt8(ascii: "0")] : self.digits
        out.append(digits[0])
        if digits.count > 1 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[1...])
        }
        out.append(UInt8(ascii: "e"))
        let exponent = self.digits.isEmpty ? 0 : point - 1
        out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let text = Array(String(exponent.magnitude).utf8)
        if text.count < minimumExponentDigits {
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: minimumExponentDigits - text.count))
        }
        out.append(contentsOf: text)
    }
}
