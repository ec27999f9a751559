import Glibc

/// An open-addressing hash table keyed by byte strings, for finding a stream
/// or series from the canonical bytes of a decoded point without building any
/// Swift key (a lookup allocates nothing).
///
/// Linear probing over `slots`, each holding an index into the parallel entry
/// arrays (+1; 0 is empty). Removal uses backward-shift deletion, so there are
/// no tombstones and lookups stay short.
///
/// There is one entry per series, so the layout is kept small: 20 bytes of
/// arrays and about 7 of slots per entry besides the key bytes (one `[UInt8]`
/// per key cost some 50 bytes more: its heap block's overhead, 32-byte header
/// and reference, and a full 8-byte hash):
/// - keys lie back to back in one byte buffer, `keyBytes`; `spans` records per
///   entry where its key starts (high 40 bits) and its length (low 24 bits; a
///   key of 16 MiB or more has 0xFFFFFF there and its length in the 8 bytes
///   before it). A removed key's bytes stay behind until they make up more
///   than half of the buffer, which is then compacted.
/// - `hashes` keeps the low 32 bits of each hash: enough to place an entry (a
///   table has fewer than 2^32 slots) and to skip almost every other key before
///   any byte is compared.
struct SeriesTable<Value: AnyObject> {
    private var slots: [Int32]
    private var mask: Int
    private var hashes: [UInt32] = []
    private var spans: [UInt64] = []
    private var keyBytes: [UInt8] = []
    /// Bytes of `keyBytes` that belong to removed entries.
    private var deadKeyBytes = 0
    private(set) var values: [Value] = []

    private static var longKey: UInt64 { 0xFF_FFFF }

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    /// Bytes the key buffer holds, removed keys' included (for tests).
    var keyStorageCount: Int { keyBytes.count }

    /// Bytes the live keys take in the key buffer (a long key's length prefix
    /// included): what ``SeriesAccounting/keyBytes(_:)`` counted for them.
    var liveKeyBytes: Int { keyBytes.count - deadKeyBytes }

    func find(hash: UInt64, key: UnsafeRawBufferPointer) -> Value? {
        guard let slot = slot(hash: hash, key: key) else { return nil }
        return values[Int(slots[slot]) - 1]
    }

    /// Inserts a key known to be absent.
    mutating func insert(hash: UInt64, key: UnsafeRawBufferPointer, value: Value) {
        if (values.count + 1) * 4 > slots.count * 3 {
            grow()
        }
        let offset = UInt64(keyBytes.count)
        precondition(offset < 1 << 40, "series keys over 1 TiB")
        if UInt64(key.count) < Self.longKey {
            spans.append(offset << 24 | UInt64(key.count))
        } else {
            withUnsafeBytes(of: UInt64(key.count)) { keyBytes.append(contentsOf: $0) }
            spans.append(offset << 24 | Self.longKey)
        }
        keyBytes.append(contentsOf: key)
        hashes.append(UInt32(truncatingIfNeeded: hash))
        values.append(value)
        place(entry: values.count - 1)
    }

    mutating func insert(hash: UInt64, key: [UInt8], value: Value) {
        key.withUnsafeBytes { insert(hash: hash, key: $0, value: value) }
    }

    /// Removes the entry for `key`; returns its value.
    @discardableResult
    mutating func remove(hash: UInt64, key: UnsafeRawBufferPointer) -> Value? {
        guard let slot = slot(hash: hash, key: key) else { return nil }
        let removed = Int(slots[slot]) - 1
        vacate(slot)
        let value = values[removed]
        deadKeyBytes += key.count + (spans[removed] & Self.longKey == Self.longKey ? 8 : 0)
        let last = values.count - 1
        if removed != last {
            // Move the last entry into the hole and repoint its slot.
            let lastSlot = self.slot(ofEntry: last)
            hashes[removed] = hashes[last]
            spans[removed] = spans[last]
            values[removed] = values[last]
            slots[lastSlot] = Int32(removed + 1)
        }
        hashes.removeLast()
        spans.removeLast()
        values.removeLast()
        if deadKeyBytes * 2 > keyBytes.count {
            compactKeys()
        }
        return value
    }

    /// Keeps only the entries whose value satisfies `keep` (rebuilds the table).
    mutating func removeAll(where shouldRemove: (Value) -> Bool) {
        guard values.contains(where: shouldRemove) else { return }
        var kept = SeriesTable<Value>(capacity: values.count)
        keyBytes.withUnsafeBytes { bytes in
            for entry in values.indices where !shouldRemove(values[entry]) {
                let key = Self.key(of: spans[entry], in: bytes)
                kept.insert(hash: UInt64(hashes[entry]), key: key, value: values[entry])
            }
        }
        self = kept
    }

    // MARK: Layout

    /// The key a span points at in `bytes` (the key buffer).
    @inline(__always)
    private static func key(of span: UInt64, in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var offset = Int(truncatingIfNeeded: span >> 24)
        var count = Int(truncatingIfNeeded: span & longKey)
        if span & longKey == longKey {
            count = Int(truncatingIfNeeded: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }

    @inline(__always)
    private func home(_ hash: UInt32) -> Int { Int(hash) & mask }

    /// The slot holding `key`, or nil.
    @inline(__always)
    private func slot(hash: UInt64, key: UnsafeRawBufferPointer) -> Int? {
        let short = UInt32(truncatingIfNeeded: hash)
        var slot = home(short)
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if hashes[entry - 1] == short, keyEquals(entry - 1, key) { return slot }
            slot = (slot + 1) & mask
        }
    }

    /// Whether entry `entry`'s key is `key`.
    @inline(__always)
    private func keyEquals(_ entry: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let span = spans[entry]
        if span & Self.longKey != Self.longKey {
            guard Int(truncatingIfNeeded: span & Self.longKey) == key.count else { return false }
            if key.isEmpty { return true }
            let offset = Int(truncatingIfNeeded: span >> 24)
            return keyBytes.withUnsafeBytes { memcmp($0.baseAddress! + offset, key.baseAddress!, key.count) == 0 }
        }
        return keyBytes.withUnsafeBytes { bytes in
            let stored = Self.key(of: span, in: bytes)
            return stored.count == key.count && memcmp(stored.baseAddress!, key.baseAddress!, key.count) == 0
        }
    }

    private func slot(ofEntry entry: Int) -> Int {
        var slot = home(hashes[entry])
        while Int(slots[slot]) != entry + 1 {
            slot = (slot + 1) & mask
        }
        return slot
    }

    /// Empties `hole` and shifts later entries of the same probe run back.
    private mutating func vacate(_ hole: Int) {
        var hole = hole
        slots[hole] = 0
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let home = home(hashes[Int(slots[next]) - 1])
            // Move `next` into `hole` unless its home lies cyclically in (hole, next].
            let homeInRange =
                hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !homeInRange {
                slots[hole] = slots[next]
                slots[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    private mutating func place(entry: Int) {
        var slot = home(hashes[entry])
        while slots[slot] != 0 {
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for entry in 0..<hashes.count {
            place(entry: entry)
        }
    }

    /// Copies the live keys into a new buffer of their size.
    private mutating func compactKeys() {
        var compacted: [UInt8] = []
        compacted.reserveCapacity(keyBytes.count - deadKeyBytes)
        keyBytes.withUnsafeBytes { bytes in
            for entry in spans.indices {
                let span = spans[entry]
                let start = Int(truncatingIfNeeded: span >> 24)
                let prefix = span & Self.longKey == Self.longKey ? 8 : 0
                let end = start + prefix + Self.key(of: span, in: bytes).count
                spans[entry] = UInt64(compacted.count) << 24 | span & Self.longKey
                compacted.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
            }
        }
        keyBytes = compacted
        deadKeyBytes = 0
    }
}

extension SeriesTable {
    /// ``find(hash:key:)`` for a key held in an array.
    func find(hash: UInt64, key: [UInt8]) -> Value? {
        key.withUnsafeBytes { find(hash: hash, key: $0) }
    }
}
