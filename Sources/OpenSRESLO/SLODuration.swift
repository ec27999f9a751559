import OpenSREModel
import Yams

/// OpenSLO durations for rolling windows: `m`, `h`, `d`, `w` (months, quarters
/// and years are calendar notions and are refused: write days).
package enum SLODuration {
    package static func parse(_ text: String) -> Duration? {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else { return nil }
        switch unit {
        case "m": return .seconds(amount * 60)
        case "h": return .seconds(amount * 3600)
        case "d": return .seconds(amount * 86400)
        case "w": return .seconds(amount * 7 * 86400)
        default: return nil
        }
    }

    /// The shortest label for a whole number of minutes: `30d`, `12h`, `90m`.
    package static func label(_ duration: Duration) -> String {
        let minutes = Int(duration.components.seconds) / 60
        if minutes % 1440 == 0 { return "\(minutes / 1440)d" }
        if minutes % 60 == 0 { return "\(minutes / 60)h" }
        return "\(minutes)m"
    }
}
