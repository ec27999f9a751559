import Glibc

/// An open-addressing hash table keyed by byte strings, for finding a stream
/// or series from the canonical bytes of a decoded point without building any
/// Swift key (a lookup allocates nothing).
///
/// Linear probing over `slots`, each holding an index into the parallel entry
/// arrays (+1; 0 is empty). Removal uses backward-shift deletion, so there are
/// no tombstones and lookups stay short.
///
/// There is one entry per series, so the layout is kept small (about 24 bytes
/// of arrays plus the key bytes per entry, against some 130 for one `[UInt8]`
/// per key: its heap block, header and pointer):
/// - keys lie back to back in one byte buffer, `keyBytes`; an entry records
///   where its key starts (`keyOffsets`). A removed key's bytes stay behind
///   until they make up more than half of the buffer, which is then compacted.
/// - `tags` holds per entry the key's length (high 32 bits) and the low 32 bits
///   of its hash: one comparison skips almost every other key before any byte
///   is compared, and the low bits are all that placing an entry needs (a table
///   has fewer than 2^32 slots). Keys are shorter than 4 GiB: the decoder that
///   produces them is limited to 256 MiB.
struct SeriesTable<Value: AnyObject> {
    private var slots: [Int32]
    private var mask: Int
    private var tags: [UInt64] = []
    private var keyOffsets: [Int] = []
    private var keyBytes: [UInt8] = []
    /// Bytes of `keyBytes` that belong to removed entries.
    private var deadKeyBytes = 0
    private(set) var values: [Value] = []

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    /// Bytes the key buffer holds, removed keys' included (for tests).
    var keyStorageCount: Int { keyBytes.count }

    func find(hash: UInt64, key: UnsafeRawBufferPointer) -> Value? {
        guard let slot = slot(hash: hash, key: key) else { return nil }
        return values[Int(slots[slot]) - 1]
    }

    /// Inserts a key known to be absent.
    mutating func insert(hash: UInt64, key: UnsafeRawBufferPointer, value: Value) {
        precondition(key.count <= UInt32.max, "series key over 4 GiB")
        if (values.count + 1) * 4 > slots.count * 3 {
            grow()
        }
        tags.append(Self.tag(hash: hash, length: key.count))
        keyOffsets.append(keyBytes.count)
        keyBytes.append(contentsOf: key)
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
        deadKeyBytes += Self.length(tags[removed])
        let last = values.count - 1
        if removed != last {
            // Move the last entry into the hole and repoint its slot.
            let lastSlot = self.slot(ofEntry: last)
            tags[removed] = tags[last]
            keyOffsets[removed] = keyOffsets[last]
            values[removed] = values[last]
            slots[lastSlot] = Int32(removed + 1)
        }
        tags.removeLast()
        keyOffsets.removeLast()
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
            for index in values.indices where !shouldRemove(values[index]) {
                let key = UnsafeRawBufferPointer(rebasing: bytes[keyOffsets[index]..<keyOffsets[index] + Self.length(tags[index])])
                kept.insert(hash: tags[index], key: key, value: values[index])
            }
        }
        self = kept
    }

    // MARK: Layout

    @inline(__always)
    private static func tag(hash: UInt64, length: Int) -> UInt64 {
        UInt64(truncatingIfNeeded: length) << 32 | (hash & 0xFFFF_FFFF)
    }

    @inline(__always)
    private static func length(_ tag: UInt64) -> Int { Int(truncatingIfNeeded: tag >> 32) }

    @inline(__always)
    private func home(_ tag: UInt64) -> Int { Int(truncatingIfNeeded: tag) & mask }

    /// The slot holding `key`, or nil.
    @inline(__always)
    private func slot(hash: UInt64, key: UnsafeRawBufferPointer) -> Int? {
        let wanted = Self.tag(hash: hash, length: key.count)
        var slot = home(wanted)
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if tags[entry - 1] == wanted, keyEquals(entry - 1, key) { return slot }
            slot = (slot + 1) & mask
        }
    }

    /// Whether entry `entry`'s key (whose length is known to match) is `key`.
    @inline(__always)
    private func keyEquals(_ entry: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        if key.isEmpty { return true }
        let offset = keyOffsets[entry]
        return keyBytes.withUnsafeBytes { memcmp($0.baseAddress! + offset, key.baseAddress!, key.count) == 0 }
    }

    private func slot(ofEntry entry: Int) -> Int {
        var slot = home(tags[entry])
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
            let home = home(tags[Int(slots[next]) - 1])
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
        var slot = home(tags[entry])
        while slots[slot] != 0 {
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for entry in 0..<tags.count {
            place(entry: entry)
        }
    }

    /// Copies the live keys into a new buffer of their size.
    private mutating func compactKeys() {
        var compacted: [UInt8] = []
        compacted.reserveCapacity(keyBytes.count - deadKeyBytes)
        keyBytes.withUnsafeBytes { bytes in
            for entry in keyOffsets.indices {
                let start = keyOffsets[entry]
                keyOffsets[entry] = compacted.count
                compacted.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<start + Self.length(tags[entry])]))
            }
        }
        keyBytes = compacted
        deadKeyBytes = 0
    }
}
