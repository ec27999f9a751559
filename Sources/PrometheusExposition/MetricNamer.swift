/// Builds Prometheus metric names from OpenTelemetry names, units and types.
///
/// The default strategy, `UnderscoreEscapingWithSuffixes`, is that of
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
/// The other strategies are described on ``TranslationStrategy``.
package struct MetricNamer: Sendable {
    /// Prefix of every name (`exporters.prometheus.namespace`); empty for none.
    package var namespace: String
    package var strategy: TranslationStrategy

    package init(namespace: String, strategy: TranslationStrategy = .underscoreEscapingWithSuffixes) {
        self.namespace = namespace
        self.strategy = strategy
    }

    /// The Prometheus name, or nil when nothing valid is left (e.g. `"..."`).
    package func name(for name: String, unit: String, kind: NamingKind) -> String? {
        let result: String
        switch strategy {
        case .underscoreEscapingWithSuffixes: result = escapedWithSuffixes(name, unit: unit, kind: kind)
        case .underscoreEscapingWithoutSuffixes: result = escapedWithoutSuffixes(name)
        case .noUTF8EscapingWithSuffixes: result = utf8WithSuffixes(name, unit: unit, kind: kind)
        case .noTranslation: result = namespace.isEmpty ? name : namespace + "_" + name
        }
        guard !result.isEmpty, result.contains(where: { $0 != "_" }) || result == name else { return nil }
        return result
    }

    /// The OpenMetrics `# UNIT` of a family, when the strategy adds unit
    /// suffixes and the unit is one (`seconds`, `bytes_per_second`); else empty.
    package func unit(for unit: String) -> String {
        guard strategy.addsSuffixes else { return "" }
        let (main, per) = UnitNamer.suffixes(for: unit)
        return [main, per].filter { !$0.isEmpty }.joined(separator: "_")
    }

    private func escapedWithSuffixes(_ name: String, unit: String, kind: NamingKind) -> String {
        var tokens = Self.tokens(of: name, keepUnderscore: false)
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
        guard !tokens.isEmpty else { return "" }
        if !namespace.isEmpty {
            tokens.insert(namespace, at: 0)
        }
        return Self.prefixDigit(tokens.joined(separator: "_"))
    }

    private func escapedWithoutSuffixes(_ name: String) -> String {
        let cleaned = Self.tokens(of: name, keepUnderscore: true).joined(separator: "_")
        guard !cleaned.isEmpty else { return "" }
        if !namespace.isEmpty {
            return Self.tokens(of: namespace, keepUnderscore: true).joined(separator: "_") + "_" + cleaned
        }
        return Self.prefixDigit(cleaned)
    }

    /// otlptranslator's UTF-8 path: suffixes are appended to the name as sent,
    /// each replacing a suffix the name already ends with.
    private func utf8WithSuffixes(_ name: String, unit: String, kind: NamingKind) -> String {
        var result = namespace.isEmpty ? name : namespace + "_" + name
        var trailing: [String] = []
        if unit == "1", kind == .gauge {
            result = Self.trimSuffix(result, "ratio")
            trailing.insert("ratio", at: 0)
        }
        if kind == .monotonicCounter {
            result = Self.trimSuffix(result, "total")
            trailing.insert("total", at: 0)
        }
        let (main, per) = UnitNamer.rawSuffixes(for: unit)
        if !per.isEmpty {
            result = Self.trimSuffix(result, per)
            trailing.insert(per, at: 0)
        }
        if !main.isEmpty, !result.hasSuffix(main) {
            result += "_" + main
        }
        for suffix in trailing { result += "_" + suffix }
        return result
    }

    private static func trimSuffix(_ name: String, _ suffix: String) -> String {
        guard name.hasSuffix(suffix), name.count > suffix.count + 1 else { return name }
        return String(name.dropLast(suffix.count + 1))
    }

    private static func prefixDigit(_ name: String) -> String {
        if let first = name.unicodeScalars.first, ("0"..."9").contains(first) { return "_" + name }
        return name
    }

    /// `[a-zA-Z0-9:]` (plus `_` when kept): the characters that survive tokenization.
    static func isNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ":": return true
        default: return false
        }
    }

    static func tokens(of name: String, keepUnderscore: Bool) -> [String] {
        var tokens: [String] = []
        var current = ""
        for scalar in name.unicodeScalars {
            if isNameCharacter(scalar) || (keepUnderscore && scalar == "_") {
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
