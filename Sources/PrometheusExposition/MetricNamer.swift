/// Builds Prometheus metric names from OpenTelemetry names, units and types.
///
/// This is the `UnderscoreEscapingWithSuffixes` strategy of
/// prometheus/otlptranslator, which both the OpenTelemetry Collector's
/// Prometheus exporter and Prometheus's own OTLP receiver use, so dashboards
/// built against either keep working:
/// - the name is split into tokens on every character outside `[a-zA-Z0-9:]`
///   and joined with `_` (so `.`, `-` and repeated `_` all become one `_`);
/// - the unit word is appended unless it already is one of the tokens, then
///   the "per" unit (`By/s` → `_bytes_per_second`); `{...}` annotations are dropped;
/// - monotonic counters get `_total` (any `total` token moves to the end);
///   gauges with unit `1` get `_ratio`;
/// - the namespace is prepended; a name starting with a digit gets `_`.
package struct MetricNamer: Sendable {
    /// Prefix of every name (`exporters.prometheus.namespace`); empty for none.
    package var namespace: String

    package init(namespace: String) {
        self.namespace = namespace
    }

    /// The Prometheus name, or nil when nothing valid is left (e.g. `"..."`).
    package func name(for name: String, unit: String, kind: NamingKind) -> String? {
        var tokens = Self.tokens(of: name)
        let (main, per) = UnitNamer.suffixes(for: unit)
        if !main.isEmpty, !tokens.contains(main) {
            tokens.append(main)
        }
        if !per.isEmpty, !tokens.contains(per) {
            tokens.append(per)
        }
        switch kind {
        case .monotonicCounter:
            tokens.removeAll { $0 == "total" }
            tokens.append("total")
        case .gauge where unit == "1":
            tokens.removeAll { $0 == "ratio" }
            tokens.append("ratio")
        default:
            break
        }
        guard tokens.contains(where: { !$0.isEmpty }) else { return nil }
        if !namespace.isEmpty {
            tokens.insert(namespace, at: 0)
        }
        var result = tokens.joined(separator: "_")
        if let first = result.unicodeScalars.first, ("0"..."9").contains(first) {
            result = "_" + result
        }
        return result
    }

    /// `[a-zA-Z0-9:]`: the characters that survive tokenization.
    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ":": return true
        default: return false
        }
    }

    static func tokens(of name: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for scalar in name.unicodeScalars {
            if isNameCharacter(scalar) {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                tokens.append(current)
                current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}
