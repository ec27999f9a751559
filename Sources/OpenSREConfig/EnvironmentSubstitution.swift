import OTLPReceiver
import OpenSREModel
import OpenSREPipeline

/// Environment variables in configuration files, as the OpenTelemetry
/// Collector reads them: `${env:NAME}` (or `${NAME}`) is replaced by the
/// variable's value, `${env:NAME:-default}` falls back to `default` when it is
/// unset or empty, and `$$` is a literal `$`. A variable that is unset, with no
/// default, is an error naming it (the Collector silently substitutes "").
package enum EnvironmentSubstitution {
    package static func expand(_ text: String, environment: [String: String]) throws(ConfigurationError) -> String {
        var out = ""
        var missing: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                out.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                out.append("$")
                index = text.index(after: next)
                continue
            }
            guard next < text.endIndex, text[next] == "{", let close = text[next...].firstIndex(of: "}") else {
                out.append(character)
                index = next
                continue
            }
            var reference = String(text[text.index(after: next)..<close])
            if reference.hasPrefix("env:") { reference.removeFirst(4) }
            var fallback: String?
            if let separator = reference.range(of: ":-") {
                fallback = String(reference[separator.upperBound...])
                reference = String(reference[..<separator.lowerBound])
            }
            if let value = environment[reference], !value.isEmpty {
                out += value
            } else if let fallback {
                out += fallback
            } else {
                missing.append(reference)
            }
            index = text.index(after: close)
        }
        guard missing.isEmpty else {
            throw ConfigurationError(
                issues: missing.map { ConfigurationIssue(path: "", message: "environment variable \($0) is not set (use ${env:\($0):-default} for a default)") })
        }
        return out
    }
}
