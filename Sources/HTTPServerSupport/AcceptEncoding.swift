/// `Accept-Encoding` negotiation for responses (the exporter gzips scrapes
/// when the scraper allows it; the compression itself streams with the
/// rendering, see PrometheusExposition's `GzipStream`).
package enum AcceptEncoding {
    /// Whether an `Accept-Encoding` header allows gzip (`gzip` or `*` with q > 0).
    package static func allowsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        for coding in acceptEncoding.split(separator: ",") {
            let parts = coding.split(separator: ";").map { MediaType.trimmed(String($0)).lowercased() }
            guard let name = parts.first, name == "gzip" || name == "*" || name == "x-gzip" else { continue }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
        return false
    }
}
