import OpenSREModel

/// Turns OpenTelemetry attribute keys into Prometheus label names, as
/// otlptranslator does: every character outside `[a-zA-Z0-9_]` becomes `_`;
/// a leading digit gets a `key_` prefix and a single leading `_` a `key`
/// prefix (`_foo` → `key_foo`; `__foo` is kept, Prometheus reserves it); a key
/// that sanitizes to nothing but underscores makes no label. With a UTF-8
/// translation strategy keys are kept as sent. The rule itself is
/// ``LabelNameRule``'s, which the decoders apply too (they refuse a point
/// whose attribute makes no label, so such points never get here).
package enum LabelNamer {
    /// The label name for `key`, or nil when it cannot be one.
    package static func name(for key: String, utf8: Bool = false) -> String? {
        guard !key.isEmpty else { return nil }
        if utf8 { return key }
        return sanitize(key)
    }

    /// The escaped (legacy) label name for `key`, or nil when it cannot be one.
    package static func sanitize(_ key: String) -> String? {
        LabelNameRule.escapedName(key)
    }
}
