/// How OpenTelemetry names become Prometheus names (`translation_strategy`,
/// the four values Prometheus and the OpenTelemetry Collector define).
package enum TranslationStrategy: String, Sendable, Hashable, CaseIterable {
    /// Default: escape to the legacy character set and add unit and type suffixes.
    case underscoreEscapingWithSuffixes = "UnderscoreEscapingWithSuffixes"
    /// Escape to the legacy character set, no suffixes.
    case underscoreEscapingWithoutSuffixes = "UnderscoreEscapingWithoutSuffixes"
    /// Keep UTF-8 names (dots and all), add suffixes.
    case noUTF8EscapingWithSuffixes = "NoUTF8EscapingWithSuffixes"
    /// Keep names exactly as sent.
    case noTranslation = "NoTranslation"

    package var addsSuffixes: Bool {
        self == .underscoreEscapingWithSuffixes || self == .noUTF8EscapingWithSuffixes
    }

    /// Whether names are escaped to `[a-zA-Z_:][a-zA-Z0-9_:]*` when translated.
    /// When not, names outside that set are escaped at scrape time unless the
    /// scraper negotiated UTF-8 (`escaping=allow-utf-8`).
    package var escapes: Bool {
        self == .underscoreEscapingWithSuffixes || self == .underscoreEscapingWithoutSuffixes
    }
}
