/// A family name, rendered once in the forms a scrape may need.
package struct MetricName: Sendable, Hashable {
    /// The translated name (may be UTF-8 under the `NoUTF8…`/`NoTranslation` strategies).
    package let text: String
    /// The name as written for a legacy scraper (escaped to underscores if needed).
    package let escaped: [UInt8]
    /// For a name outside the legacy set: its text with `\`, `"` and newline
    /// escaped, to be written in quotes to UTF-8 scrapers. Nil for legacy names.
    package let quoted: [UInt8]?

    package init(_ text: String) {
        self.text = text
        if PrometheusNames.isLegacyMetricName(text) {
            escaped = Array(text.utf8)
            quoted = nil
        } else {
            escaped = Array(PrometheusNames.escape(text, allowColon: true).utf8)
            quoted = QuotedText.escape(text)
        }
    }

    /// Whether the name needs the quoted syntax in `format`.
    func isQuoted(in format: ExpositionFormat) -> Bool {
        format.utf8 && quoted != nil
    }
}
