/// A parsed JSON document (RFC 8259), with numbers kept as their text so that
/// 64-bit integers are read exactly (OTLP/JSON sends them as strings or numbers).
enum JSONValue {
    case null
    case bool(Bool)
    case number(Substring)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    /// The member `key` (or its snake_case `alternate`) of an object.
    subscript(_ key: String, alternate alternate: String? = nil) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        for member in members where member.key == key || member.key == alternate {
            return member.value
        }
        return nil
    }
}
