/// Which attribute keys can become Prometheus label names: the one rule that
/// both the decoders (which refuse a point whose attribute makes no label) and
/// `LabelNamer` (which names labels) follow.
///
/// Escaping is otlptranslator's `LabelNamer.Build` (prometheus/otlptranslator,
/// `label_namer.go`, with `UnderscoreLabelSanitization` as Prometheus and the
/// Collector set it when escaping): every character outside `[a-zA-Z0-9_]`
/// becomes `_`, a leading digit gets a `key_` prefix and a single leading `_`
/// a `key` prefix (`__` is kept). A result made of underscores only is an error
/// there ("normalization for label name … resulted in invalid name"), and so is
/// an empty key, whatever the strategy; a key that was already all underscores
/// (`__`) is kept as sent.
package enum LabelNameRule {
    /// Whether `key` makes a label name: it is not empty and, when names are
    /// escaped, does not escape to underscores only.
    ///
    /// Cheap for real keys: any ASCII letter or digit survives escaping, so the
    /// first one found answers; only keys without one are escaped in full.
    @inlinable
    package static func makesLabel(_ key: UnsafeRawBufferPointer, escaping: Bool) -> Bool {
        guard !key.isEmpty else { return false }
        guard escaping else { return true }
        for byte in key where isASCIIAlphanumeric(byte) { return true }
        return escapedName(String(decoding: key, as: UTF8.self)) != nil
    }

    @inlinable
    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return false
        }
    }

    /// The escaped (legacy) label name for `key`, or nil when it makes none.
    package static func escapedName(_ key: String) -> String? {
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

    /// Why `key` makes no label, for `partial_success` (the key shortened to 64 bytes).
    package static func refusal(_ key: UnsafeRawBufferPointer) -> String {
        guard !key.isEmpty else { return "point has an attribute with an empty key (no label name)" }
        let shown = String(decoding: key.prefix(64), as: UTF8.self) + (key.count > 64 ? "…" : "")
        let escaped = escapedPreview(String(decoding: key, as: UTF8.self))
        return "attribute key \"\(shown)\" leaves no label name once escaped (\"\(escaped)\")"
    }

    /// What escaping makes of a key that makes no label (underscores only), shortened.
    private static func escapedPreview(_ key: String) -> String {
        let count = key.unicodeScalars.count
        return String(repeating: "_", count: min(count, 64)) + (count > 64 ? "…" : "")
    }
}
