import OpenSREModel

/// Turns UCUM units into the words Prometheus names end with
/// (OpenTelemetry "Prometheus and OpenMetrics compatibility", as implemented by
/// prometheus/otlptranslator, which the OpenTelemetry Collector uses).
package enum UnitNamer {
    /// Units with a word of their own; others are kept as written (sanitized).
    static let words: [String: String] = [
        // Time
        "d": "days", "h": "hours", "min": "minutes", "s": "seconds",
        "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds",
        // Bytes
        "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes", "GiBy": "gibibytes",
        "TiBy": "tibibytes", "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes",
        "TBy": "terabytes",
        // SI
        "m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts", "g": "grams",
        // Other
        "Cel": "celsius", "Hz": "hertz", "1": "", "%": "percent",
    ]

    /// Units after a `/`, in the singular.
    static let perWords: [String: String] = [
        "s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month", "y": "year",
    ]

    /// The main and "per" suffixes of `unit`, each sanitized; either may be empty.
    /// `By/s` gives ("bytes", "per_second"); `{request}` gives ("", "").
    package static func suffixes(for unit: String) -> (main: String, per: String) {
        let (main, per) = rawSuffixes(for: unit)
        return (trimTrailingUnderscore(cleanUp(main)), trimTrailingUnderscore(cleanUp(per)))
    }

    /// The suffixes before sanitizing (for the UTF-8 strategies).
    package static func rawSuffixes(for unit: String) -> (main: String, per: String) {
        let parts = unit.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        var main = ""
        var per = ""
        if let first = parts.first {
            let trimmed = first.trimming { $0 == " " || $0 == "\t" }
            if !trimmed.isEmpty, !trimmed.contains(where: { $0 == "{" || $0 == "}" }) {
                main = words[trimmed] ?? trimmed
            }
        }
        if parts.count > 1 {
            let trimmed = parts[1].trimming { $0 == " " || $0 == "\t" }
            if !trimmed.isEmpty, !trimmed.contains(where: { $0 == "{" || $0 == "}" }) {
                per = "per_" + (perWords[trimmed] ?? trimmed)
            }
        }
        return (main, per)
    }

    private static func trimTrailingUnderscore(_ word: String) -> String {
        word.hasSuffix("_") ? String(word.dropLast()) : word
    }

    /// Replaces characters outside `[a-zA-Z0-9:]` with `_`, collapses runs of
    /// `_` and drops a leading one.
    static func cleanUp(_ unit: String) -> String {
        var result = ""
        var lastWasUnderscore = false
        for scalar in unit.unicodeScalars {
            let valid = MetricNamer.isNameCharacter(scalar)
            if valid {
                result.unicodeScalars.append(scalar)
                lastWasUnderscore = false
            } else if !lastWasUnderscore {
                result.append("_")
                lastWasUnderscore = true
            }
        }
        if result.hasPrefix("_") { result.removeFirst() }
        return result
    }
}
