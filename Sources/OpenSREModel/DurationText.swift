/// Durations written as the OpenTelemetry Collector (Go) writes them:
/// `200ms`, `5s`, `1m30s`, `1.5h`; units `ns`, `us` (`µs`), `ms`, `s`, `m`, `h`.
/// A bare `0` is zero.
package enum DurationText {
    package static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimming { $0 == " " }
        if trimmed == "0" { return .zero }
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        var total = Duration.zero
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !$0.isNumber && $0 != "." }
            rest = rest.dropFirst(unit.count)
            let nanoseconds: Double
            switch unit {
            case "ns": nanoseconds = 1
            case "us", "µs": nanoseconds = 1e3
            case "ms": nanoseconds = 1e6
            case "s": nanoseconds = 1e9
            case "m": nanoseconds = 60e9
            case "h": nanoseconds = 3600e9
            default: return nil
            }
            let amount = value * nanoseconds
            guard amount.isFinite, amount < 9e18 else { return nil }
            total += .nanoseconds(Int64(amount))
        }
        return total
    }
}
