/// Builds a page's HTML text; every value from the data goes through
/// ``escape(_:)`` (SLO names are DNS labels, but display names, services
/// and definitions are free text).
struct HTML {
    private(set) var text = ""

    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for character in value {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
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
