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

/// Escaping inside double quotes (label values, quoted names): `\`, `"`, newline.
package enum QuotedText {
    package static func escape(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        append(text, to: &out)
        return out
    }

    package static func append(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
            default: out.append(byte)
            }
        }
    }
}

/// An exemplar ready to be written after an OpenMetrics sample.
package struct RenderedExemplar: Sendable, Equatable {
    /// `trace_id="…",span_id="…",…` (at most 128 characters of names and values).
    package var labels: [UInt8]
    package var value: Double
    /// Unix nanoseconds; 0 for none.
    package var time: UInt64

    package init(labels: [UInt8], value: Double, time: UInt64) {
        self.labels = labels
        self.value = value
        self.time = time
    }
}
