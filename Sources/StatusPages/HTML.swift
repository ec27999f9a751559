/// Builds a page's HTML text; every value from the data goes through
/// ``escape(_:)`` (SLO names are DNS labels, but display names, services
/// and definitions are free text).
struct HTML {
    private(set) var text = ""

    /// By Unicode scalar, not by Character: a `"` or `<` followed by a
    /// combining mark is one Character that equals neither, and would pass.
    static func escape(_ value: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": escaped.append(contentsOf: "&amp;".unicodeScalars)
            case "<": escaped.append(contentsOf: "&lt;".unicodeScalars)
            case ">": escaped.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": escaped.append(contentsOf: "&quot;".unicodeScalars)
            case "'": escaped.append(contentsOf: "&#39;".unicodeScalars)
            default: escaped.append(scalar)
            }
        }
        return String(escaped)
    }

    /// Markup written as is (never data).
    mutating func raw(_ markup: String) { text += markup }

    /// Text, escaped.
    mutating func text(_ value: String) { text += Self.escape(value) }

    /// `<tag attributes>content</tag>`, the content escaped.
    mutating func element(_ tag: String, _ attributes: [(String, String)] = [], _ content: String) {
        open(tag, attributes)
        text(content)
        raw("</\(tag)>")
    }

    mutating func open(_ tag: String, _ attributes: [(String, String)] = []) {
        raw("<" + tag)
        for (name, value) in attributes { raw(" \(name)=\"\(Self.escape(value))\"") }
        raw(">")
    }

    mutating func close(_ tag: String) { raw("</\(tag)>") }
}
