/// Writes attribute sets in the canonical layout (``AttributeTag``): the one
/// implementation of it, used by the protobuf decoder (from the C structs),
/// the JSON decoder (from the parsed tree) and ``encode(_:)`` (from Swift
/// values), so the three cannot drift apart.
///
/// It encodes one attribute set into reused memory with plain stores; the
/// caller then appends ``bytes`` to the batch in one copy and calls
/// ``reset()``. Appending field by field to the batch's array costs a
/// capacity and a uniqueness check per field, which a profile showed costing
/// more than the encoding itself. The writes are `@inlinable` so the decoders'
/// hot loops compile to the same stores as when they were written there.
///
/// Not thread-safe: each decoder owns one.
package final class AttributeEncoder {
    // Unchecked exclusivity: the stores below are inlined into other modules,
    // where the optimizer cannot prove accesses disjoint and would keep a
    // runtime check on every field write (a fifth of protobuf decode time).
    // No write here overlaps another access to the same field.
    @exclusivity(unchecked) @usableFromInline var base: UnsafeMutableRawPointer
    @exclusivity(unchecked) @usableFromInline var capacity: Int
    @exclusivity(unchecked) @usableFromInline var count = 0

    package init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        base = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit {
        base.deallocate()
    }

    /// What was written since the last ``reset()``; valid until the next write.
    @inlinable
    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inlinable
    package func reset() {
        count = 0
    }

    /// Drops what was written after `mark` (a ``bytes`` count read earlier).
    @inlinable
    package func truncate(to mark: Int) {
        count = min(count, mark)
    }

    // MARK: The layout

    /// An entry's key (the entry's value follows).
    @inlinable
    package func appendKey(_ key: UnsafeRawPointer?, count length: Int) {
        reserve(4 + length)
        storeLength(length)
        storeRaw(key, length)
    }

    @inlinable
    package func appendString(_ value: UnsafeRawPointer?, count length: Int) {
        appendTagged(.string, value, length)
    }

    @inlinable
    package func appendBytes(_ value: UnsafeRawPointer?, count length: Int) {
        appendTagged(.bytes, value, length)
    }

    @inlinable
    package func appendBool(_ value: Bool) {
        reserve(2)
        storeByte(AttributeTag.bool.rawValue)
        storeByte(value ? 1 : 0)
    }

    @inlinable
    package func appendInt(_ value: Int64) {
        reserve(9)
        storeByte(AttributeTag.int.rawValue)
        storeWord(UInt64(bitPattern: value))
    }

    @inlinable
    package func appendDouble(_ value: Double) {
        reserve(9)
        storeByte(AttributeTag.double.rawValue)
        storeWord(value.bitPattern)
    }

    /// An absent or unknown value.
    @inlinable
    package func appendEmpty() {
        reserve(1)
        storeByte(AttributeTag.empty.rawValue)
    }

    /// Starts an array or map; the caller then appends `count` values (or keys and values).
    @inlinable
    package func appendContainer(_ tag: AttributeTag, count elements: Int) {
        reserve(5)
        storeByte(tag.rawValue)
        storeLength(elements)
    }

    @inlinable
    func appendTagged(_ tag: AttributeTag, _ value: UnsafeRawPointer?, _ length: Int) {
        reserve(5 + length)
        storeByte(tag.rawValue)
        storeLength(length)
        storeRaw(value, length)
    }

    // MARK: Swift values

    /// Appends one attribute (key and value).
    package func append(_ attribute: Attribute) {
        var key = attribute.key
        key.withUTF8 { appendKey($0.baseAddress, count: $0.count) }
        append(attribute.value)
    }

    /// Appends one value, nested values included.
    package func append(_ value: AttributeValue) {
        switch value {
        case .empty: appendEmpty()
        case .string(var string): string.withUTF8 { appendString($0.baseAddress, count: $0.count) }
        case .bool(let bool): appendBool(bool)
        case .int(let int): appendInt(int)
        case .double(let double): appendDouble(double)
        case .bytes(let raw): raw.withUnsafeBytes { appendBytes($0.baseAddress, count: $0.count) }
        case .array(let values):
            appendContainer(.array, count: values.count)
            for element in values { append(element) }
        case .map(let entries):
            appendContainer(.map, count: entries.count)
            for entry in entries { append(entry) }
        }
    }

    /// Encodes Swift values (tests and slow paths). `attributes` must already be sorted by key.
    package static func encode(_ attributes: [Attribute]) -> [UInt8] {
        let encoder = AttributeEncoder(capacity: 256)
        for attribute in attributes { encoder.append(attribute) }
        return Array(encoder.bytes)
    }

    // MARK: Stores

    /// Makes room for `extra` more bytes; every store below must be covered by one.
    @inlinable
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    @usableFromInline
    func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inlinable
    func storeByte(_ value: UInt8) {
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inlinable
    func storeLength(_ value: Int) {
        base.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    @inlinable
    func storeWord(_ value: UInt64) {
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    @inlinable
    func storeRaw(_ source: UnsafeRawPointer?, _ length: Int) {
        if length > 0, let source { (base + count).copyMemory(from: source, byteCount: length) }
        count += length
    }

    // MARK: Batch bytes

    /// Appends a u32 little-endian length to a batch's bytes (as the layout writes lengths).
    package static func appendLength(_ length: Int, to bytes: inout [UInt8]) {
        let value = UInt32(truncatingIfNeeded: length)
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    /// Appends `raw` with one copy: `append(contentsOf:)` with a raw buffer
    /// copies byte by byte (9% of ingest CPU in a profile), a typed buffer is one memcpy.
    @inline(__always)
    package static func appendRaw(_ raw: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count))
    }
}
