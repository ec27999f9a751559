/// Reads canonical encodings back into Swift values.
///
/// The input was written by ``AttributeEncoder`` in this process, but the
/// reader still checks every length so a bug cannot read out of bounds.
package struct AttributeDecoder {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Decodes a whole attribute set.
    package static func decode(_ bytes: UnsafeRawBufferPointer) -> [Attribute] {
        var decoder = AttributeDecoder(bytes)
        var result: [Attribute] = []
        while let attribute = decoder.nextEntry() {
            result.append(attribute)
        }
        return result
    }

    /// Decodes a whole attribute set held in an array.
    package static func decode(_ bytes: [UInt8]) -> [Attribute] {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// The next entry's key and encoded value (its tag and payload), as
    /// views of the input: for readers that build no Swift values. Nil at the
    /// end, or where the encoding is cut short (as ``decode(_:)-swift.type.method`` stops).
    package mutating func nextRawEntry() -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)? {
        guard let key = readRaw() else { return nil }
        let start = offset
        guard skipValue() else { return nil }
        return (key, UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
    }

    /// Decodes one encoded value, as ``nextRawEntry()`` gives it.
    package static func value(_ encoded: UnsafeRawBufferPointer) -> AttributeValue? {
        var decoder = AttributeDecoder(encoded)
        return decoder.readValue()
    }

    /// Steps over one value; false where the encoding is cut short.
    private mutating func skipValue() -> Bool {
        guard offset < bytes.count, let tag = AttributeTag(rawValue: bytes[offset]) else { return false }
        offset += 1
        switch tag {
        case .empty: return true
        case .string, .bytes: return readRaw() != nil
        case .bool:
            guard offset < bytes.count else { return false }
            offset += 1
            return true
        case .int, .double: return readWord() != nil
        case .array:
            guard let count = readLength() else { return false }
            for _ in 0..<count where !skipValue() { return false }
            return true
        case .map:
            guard let count = readLength() else { return false }
            for _ in 0..<count where readRaw() == nil || !skipValue() { return false }
            return true
        }
    }

    private mutating func nextEntry() -> Attribute? {
        guard let key = readString(), let value = readValue() else { return nil }
        return Attribute(key, value)
    }

    private mutating func readLength() -> Int? {
        guard offset + 4 <= bytes.count else { return nil }
        let value = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        offset += 4
        return Int(value)
    }

    private mutating func readRaw() -> UnsafeRawBufferPointer? {
        guard let length = readLength(), offset + length <= bytes.count else { return nil }
        defer { offset += length }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
    }

    private mutating func readString() -> String? {
        readRaw().map { String(decoding: $0, as: UTF8.self) }
    }

    private mutating func readWord() -> UInt64? {
        guard offset + 8 <= bytes.count else { return nil }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    private mutating func readValue() -> AttributeValue? {
        guard offset < bytes.count, let tag = AttributeTag(rawValue: bytes[offset]) else { return nil }
        offset += 1
        switch tag {
        case .empty: return .empty
        case .string: return readString().map(AttributeValue.string)
        case .bytes: return readRaw().map { .bytes(Array($0)) }
        case .bool:
            guard offset < bytes.count else { return nil }
            offset += 1
            return .bool(bytes[offset - 1] != 0)
        case .int: return readWord().map { .int(Int64(bitPattern: $0)) }
        case .double: return readWord().map { .double(Double(bitPattern: $0)) }
        case .array:
            guard let count = readLength() else { return nil }
            var values: [AttributeValue] = []
            for _ in 0..<count {
                guard let value = readValue() else { return nil }
                values.append(value)
            }
            return .array(values)
        case .map:
            guard let count = readLength() else { return nil }
            var entries: [Attribute] = []
            for _ in 0..<count {
                guard let entry = nextEntry() else { return nil }
                entries.append(entry)
            }
            return .map(entries)
        }
    }
}
