/// The canonical byte encoding of an attribute set: the key a series is found by.
///
/// Layout, all integers little-endian:
/// ```
/// set    := entry*                      (sorted by key bytes; the decoder sorts)
/// entry  := keyLength:u32 key value
/// value  := tag:u8 payload
///   0 empty   -
///   1 string  length:u32 bytes
///   2 bool    u8
///   3 int     i64
///   4 double  f64 bits
///   5 array   count:u32 value*
///   6 map     count:u32 (keyLength:u32 key value)*   (in the order sent)
///   7 bytes   length:u32 bytes
/// ```
/// Two attribute sets are the same series exactly when their encodings are
/// byte-equal, so lookups compare bytes and never rebuild Swift values.
package enum AttributeTag: UInt8 {
    case empty = 0, string, bool, int, double, array, map, bytes
}

/// Appends canonical encodings to a byte array.
package enum AttributeEncoder {
    // The appends below go through typed buffers and single bytes on purpose:
    // `append(contentsOf:)` with a raw buffer copies byte by byte (9% of
    // ingest CPU in a profile), a typed buffer is one memcpy.

    package static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        let value = UInt32(truncatingIfNeeded: length)
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// Appends `raw` with one copy.
    @inline(__always)
    package static func appendRaw(_ raw: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count))
    }

    package static func appendKey(_ key: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        appendLength(key.count, to: &bytes)
        appendRaw(key, to: &bytes)
    }

    package static func appendString(_ value: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        bytes.append(AttributeTag.string.rawValue)
        appendLength(value.count, to: &bytes)
        appendRaw(value, to: &bytes)
    }

    package static func appendBytes(_ value: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        bytes.append(AttributeTag.bytes.rawValue)
        appendLength(value.count, to: &bytes)
        appendRaw(value, to: &bytes)
    }

    package static func appendBool(_ value: Bool, to bytes: inout [UInt8]) {
        bytes.append(AttributeTag.bool.rawValue)
        bytes.append(value ? 1 : 0)
    }

    package static func appendInt(_ value: Int64, to bytes: inout [UInt8]) {
        bytes.append(AttributeTag.int.rawValue)
        appendWord(UInt64(bitPattern: value), to: &bytes)
    }

    package static func appendDouble(_ value: Double, to bytes: inout [UInt8]) {
        bytes.append(AttributeTag.double.rawValue)
        appendWord(value.bitPattern, to: &bytes)
    }

    private static func appendWord(_ value: UInt64, to bytes: inout [UInt8]) {
        appendLength(Int(truncatingIfNeeded: value & 0xFFFF_FFFF), to: &bytes)
        appendLength(Int(truncatingIfNeeded: value >> 32), to: &bytes)
    }

    package static func appendEmpty(to bytes: inout [UInt8]) {
        bytes.append(AttributeTag.empty.rawValue)
    }

    /// Starts an array or map; the caller then appends `count` values (or entries).
    package static func appendContainer(_ tag: AttributeTag, count: Int, to bytes: inout [UInt8]) {
        bytes.append(tag.rawValue)
        appendLength(count, to: &bytes)
    }

    /// Encodes Swift values (tests and slow paths). `attributes` must already be sorted by key.
    package static func encode(_ attributes: [Attribute]) -> [UInt8] {
        var bytes: [UInt8] = []
        for attribute in attributes {
            appendEntry(attribute, to: &bytes)
        }
        return bytes
    }

    private static func appendEntry(_ attribute: Attribute, to bytes: inout [UInt8]) {
        var key = attribute.key
        key.withUTF8 { appendKey(UnsafeRawBufferPointer($0), to: &bytes) }
        appendValue(attribute.value, to: &bytes)
    }

    private static func appendValue(_ value: AttributeValue, to bytes: inout [UInt8]) {
        switch value {
        case .empty: appendEmpty(to: &bytes)
        case .string(var string): string.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &bytes) }
        case .bool(let bool): appendBool(bool, to: &bytes)
        case .int(let int): appendInt(int, to: &bytes)
        case .double(let double): appendDouble(double, to: &bytes)
        case .bytes(let raw): raw.withUnsafeBytes { appendBytes($0, to: &bytes) }
        case .array(let values):
            appendContainer(.array, count: values.count, to: &bytes)
            for element in values { appendValue(element, to: &bytes) }
        case .map(let entries):
            appendContainer(.map, count: entries.count, to: &bytes)
            for entry in entries { appendEntry(entry, to: &bytes) }
        }
    }
}

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
