/// The format of one scrape answer, negotiated from the scraper's `Accept`.
package struct ExpositionFormat: Sendable, Hashable {
    package enum Syntax: Sendable, Hashable {
        /// Prometheus text format 0.0.4 (or 1.0.0 with UTF-8 names).
        case text
        /// OpenMetrics 1.0.
        case openMetrics
    }

    package var syntax: Syntax
    /// Names outside the legacy character set are written quoted
    /// (`{"my.metric",...}`) instead of escaped to underscores. Only when the
    /// scraper asked with `escaping=allow-utf-8`.
    package var utf8: Bool

    package init(syntax: Syntax, utf8: Bool = false) {
        self.syntax = syntax
        self.utf8 = utf8
    }

    /// The default when nothing better is negotiated.
    package static let text = ExpositionFormat(syntax: .text)
    package static let openMetrics = ExpositionFormat(syntax: .openMetrics)

    package var contentType: String {
        switch (syntax, utf8) {
        case (.text, false): return "text/plain; version=0.0.4; charset=utf-8"
        case (.text, true): return "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
        case (.openMetrics, false): return "application/openmetrics-text; version=1.0.0; charset=utf-8"
        case (.openMetrics, true): return "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
        }
    }

    /// Picks the format from an `Accept` header (RFC 9110 §12.5.1): the
    /// acceptable range with the highest `q` wins, the first listed on ties;
    /// text 0.0.4 when there is no header or nothing we offer matches.
    /// `allowOpenMetrics` false (`enable_open_metrics: false`) never answers OpenMetrics.
    package static func negotiate(accept: String?, allowOpenMetrics: Bool = true) -> ExpositionFormat {
        guard let accept else { return .text }
        var best: (format: ExpositionFormat, quality: Double)?
        for range in accept.split(separator: ",") {
            let parts = range.split(separator: ";").map { MediaParameter.trim($0) }
            guard let type = parts.first?.lowercased() else { continue }
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { MediaParameter.trim($0) }
                if pair.count == 2 { parameters[pair[0].lowercased()] = pair[1].trimmingQuotes }
            }
            let quality = parameters["q"].flatMap(Double.init) ?? 1
            guard quality > 0 else { continue }
            let utf8 = parameters["escaping"] == "allow-utf-8"
            let format: ExpositionFormat
            switch type {
            case "application/openmetrics-text" where allowOpenMetrics:
                format = ExpositionFormat(syntax: .openMetrics, utf8: utf8)
            case "text/plain":
                format = ExpositionFormat(syntax: .text, utf8: utf8 && parameters["version"] == "1.0.0")
            case "*/*", "text/*":
                format = .text
            default:
                continue
            }
            if best == nil || quality > best!.quality {
                best = (format, quality)
            }
        }
        return best?.format ?? .text
    }
}

extension String {
    fileprivate var trimmingQuotes: String {
        count >= 2 && hasPrefix("\"") && hasSuffix("\"") ? String(dropFirst().dropLast()) : self
    }
}
