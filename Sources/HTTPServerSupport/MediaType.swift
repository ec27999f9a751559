/// Lenient media-type handling (RFC 9110 §8.3.1): type and subtype are
/// case-insensitive and parameters such as `; charset=utf-8` are ignored.
///
/// Every OTLP request goes through here (Content-Type, Content-Encoding), so
/// ASCII values are handled on their bytes: the generic `Character` path
/// (drop, reverse, reverse) cost more instructions than decoding a 10-point
/// request. Non-ASCII values take that path still.
package enum MediaType {
    /// `"Application/X-Protobuf; charset=utf-8"` → `"application/x-protobuf"`.
    package static func essence(of value: String) -> String {
        if let fast = asciiLowercaseTrimmed(value, stoppingAt: UInt8(ascii: ";")) { return fast }
        let beforeParameters = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return slowTrimmed(String(beforeParameters)).lowercased()
    }

    /// `value` without leading and trailing spaces and tabs.
    package static func trimmed(_ value: String) -> String {
        if let fast = asciiTrimmed(value) { return fast }
        return slowTrimmed(value)
    }

    /// `trimmed(value).lowercased()`, without copying a value that is already so.
    package static func trimmedLowercase(_ value: String) -> String {
        if let fast = asciiLowercaseTrimmed(value, stoppingAt: nil) { return fast }
        return slowTrimmed(value).lowercased()
    }

    private static func slowTrimmed(_ value: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(value.drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// The bounds of `bytes[..<stop]` without surrounding spaces and tabs.
    private static func trimmedBounds(_ bytes: UnsafeBufferPointer<UInt8>, stoppingAt stop: UInt8?) -> Range<Int> {
        var end = stop.flatMap { bytes.firstIndex(of: $0) } ?? bytes.count
        var start = 0
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// nil when `value` is not ASCII (or not contiguous).
    private static func asciiTrimmed(_ value: String) -> String? {
        let result = value.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            let range = trimmedBounds(bytes, stoppingAt: nil)
            guard !bytes[range].contains(where: { $0 >= 0x80 }) else { return nil }
            if range.count == bytes.count { return value }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        return result ?? nil
    }

    /// nil when `value` is not ASCII (or not contiguous).
    private static func asciiLowercaseTrimmed(_ value: String, stoppingAt stop: UInt8?) -> String? {
        let result = value.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            let range = trimmedBounds(bytes, stoppingAt: stop)
            var hasUpper = false
            for byte in bytes[range] {
                if byte >= 0x80 { return nil }
                hasUpper = hasUpper || (byte &- UInt8(ascii: "A")) < 26
            }
            if !hasUpper, range.count == bytes.count { return value }
            return String(unsafeUninitializedCapacity: range.count) { out in
                for (index, byte) in bytes[range].enumerated() {
                    out[index] = (byte &- UInt8(ascii: "A")) < 26 ? byte | 0x20 : byte
                }
                return range.count
            }
        }
        return result ?? nil
    }
}
