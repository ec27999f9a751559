import OpenSREModel

/// An SLO target kept as an exact decimal fraction (0.999 = 999/1000), so
/// that boundary decisions — "is the budget exactly spent?" — are made in
/// integer arithmetic, never in floating point (where 1 − 0.999 ≠ 0.001).
package struct SLOTarget: Sendable, Hashable, CustomStringConvertible {
    /// target = numerator / denominator, denominator a power of ten.
    package let numerator: UInt64
    package let denominator: UInt64

    /// Parses a decimal such as `0.999`, `0.95` or `99.9` (with `percent`).
    /// Nil unless the value is in [0, 1) with at most 15 decimals.
    package init?(decimal text: String, percent: Bool = false) {
        let trimmed = text.trimming { $0 == " " }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts[0].allSatisfy(\.isNumber),
            let whole = UInt64(parts[0].isEmpty ? "0" : parts[0])
        else { return nil }
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.allSatisfy(\.isNumber), fraction.count <= 15 else { return nil }
        var scale: UInt64 = 1
        for _ in 0..<fraction.count { scale *= 10 }
        var numerator = whole * scale + (UInt64(fraction.isEmpty ? "0" : fraction) ?? 0)
        var denominator = scale
        if percent { denominator *= 100 }
        // Reduce trailing zeros so 0.9990 and 0.999 are the same target.
        while numerator % 10 == 0, denominator % 10 == 0, denominator > 1 {
            numerator /= 10
            denominator /= 10
        }
        guard numerator < denominator else { return nil }
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The allowed error ratio 1 − target, as a Double (for display only).
    package var budget: Double { Double(denominator - numerator) / Double(denominator) }
    package var value: Double { Double(numerator) / Double(denominator) }

    package var description: String {
        var text = String(value)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
