/// Legacy Prometheus name rules and the "underscores" escaping scheme used
/// when a UTF-8 name meets a scraper that did not ask for UTF-8.
package enum PrometheusNames {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    package static func isLegacyMetricName(_ name: String) -> Bool {
        isLegacy(name, allowColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`.
    package static func isLegacyLabelName(_ name: String) -> Bool {
        isLegacy(name, allowColon: false)
    }

    /// Every invalid character becomes `_`; a leading digit gets a `_` prefix.
    package static func escape(_ name: String, allowColon: Bool) -> String {
        var result = ""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_": result.unicodeScalars.append(scalar)
            case ":" where allowColon: result.unicodeScalars.append(scalar)
            default: result.append("_")
            }
        }
        if let first = result.unicodeScalars.first, ("0"..."9").contains(first) { result = "_" + result }
        return result
    }

    private static func isLegacy(_ name: String, allowColon: Bool) -> Bool {
        guard !name.isEmpty else { return false }
        for (index, scalar) in name.unicodeScalars.enumerated() {
            switch scalar {
            case "a"..."z", "A"..."Z", "_": continue
            case ":" where allowColon: continue
            case "0"..."9" where index > 0: continue
            default: return false
            }
        }
        return true
    }
}
