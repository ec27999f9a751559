/// Sanitizes OpenTelemetry attribute keys into Prometheus label names
/// (`[a-zA-Z_][a-zA-Z0-9_]*`), as the compatibility spec and otlptranslator do:
/// every invalid character becomes `_` and a leading digit gets a `key_` prefix.
package enum LabelNamer {
    /// The label name for `key`, or nil when `key` is empty.
    package static func sanitize(_ key: String) -> String? {
        guard !key.isEmpty else { return nil }
        var result = ""
        result.reserveCapacity(key.utf8.count)
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": result.unicodeScalars.append(scalar)
            default: result.append("_")
            }
        }
        if let first = result.unicodeScalars.first, ("0"..."9").contains(first) {
            result = "key_" + result
        }
        return result
    }
}
