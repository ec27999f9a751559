/// Lenient media-type handling (RFC 9110 §8.3.1): type and subtype are
/// case-insensitive and parameters such as `; charset=utf-8` are ignored.
package enum MediaType {
    /// `"Application/X-Protobuf; charset=utf-8"` → `"application/x-protobuf"`.
    package static func essence(of value: String) -> String {
        let beforeParameters = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return trimmed(String(beforeParameters)).lowercased()
    }

    /// `value` without leading and trailing spaces and tabs.
    package static func trimmed(_ value: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(value.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
