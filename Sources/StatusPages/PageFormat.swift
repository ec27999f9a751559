import Foundation

/// How the pages write numbers, one rule each, so a test can compute the
/// expected text from the engine's values.
enum PageFormat {
    /// `99.950%`: a ratio as a percentage with `digits` decimals; `–` for none.
    static func percent(_ value: Double?, digits: Int = 3) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.\(digits)f%%", value * 100)
    }

    /// `2.50×`: a burn rate; `–` without events.
    static func burnRate(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: "%.2f×", value)
    }

    /// `1234.5 ms` style latency in seconds as ms (three significant places).
    static func latency(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        return seconds < 1 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.3f s", seconds)
    }

    /// `3d 4h`, `5h 12m`, `42m`, `30s`: the two largest units; `never` for none.
    static func duration(seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "never" }
        let whole = Int(seconds)
        let (days, hours, minutes) = (whole / 86_400, whole % 86_400 / 3_600, whole % 3_600 / 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m" }
        return "\(whole)s"
    }

    /// An integer with thin-space-free grouping: `12,345`.
    static func count(_ value: UInt64) -> String {
        var digits = Array(String(value))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits)
    }

    /// `checkout`, or `'shop/it'\''s'` when the word needs quoting: safe to
    /// paste into a POSIX shell.
    static func shellWord(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_./:".unicodeScalars.contains(scalar))
        }
        return plain ? value : "'" + value.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }

    /// `14:05` (UTC) of Unix seconds.
    static func clock(_ seconds: Int64) -> String {
        let inDay = ((seconds % 86_400) + 86_400) % 86_400
        return String(format: "%02d:%02d", inDay / 3_600, inDay % 3_600 / 60)
    }

    /// `12-03` (UTC month-day) of Unix seconds.
    static func day(_ seconds: Int64) -> String {
        // Days since 1970-01-01 to a civil date (the proleptic Gregorian calendar).
        let days = (seconds >= 0 ? seconds : seconds - 86_399) / 86_400 + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return String(format: "%02d-%02d", month, day)
    }
}
