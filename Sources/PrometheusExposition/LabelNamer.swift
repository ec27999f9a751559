/// Turns OpenTelemetry attribute keys into Prometheus label names, as
/// otlptranslator does: every character outside `[a-zA-Z0-9_]` becomes `_`;
/// a leading digit gets a `key_` prefix and a single leading `_` a `key`
/// prefix (`_foo` → `key_foo`; `__foo` is kept, Prometheus reserves it); a key
/// that sanitizes to nothing but underscores is dropped. With a UTF-8
/// translation strategy keys are kept as sent.
package enum LabelNamer {
    /// The label name for `key`, or nil when it cannot be one.
    package static func name(for key: String, utf8: Bool = false) -> String? {
        guard !key.isEmpty else { return nil }
        if utf8 { return key }
        return sanitize(key)
    }

    /// The escaped (legacy) label name for `key`, or nil when it cannot be one.
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
        } else if result.hasPrefix("_"), !result.hasPrefix("__") {
            result = "key" + result
        }
        if result != key, result.allSatisfy({ $0 == "_" }) { return nil }
        return result
    }
}
