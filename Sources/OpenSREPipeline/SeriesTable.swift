import Glibc

/// An open-addressing hash table keyed by byte strings, for finding a stream
/// or series from the canonical bytes of a decoded point without building any
/// Swift key (a lookup allocates nothing).
///
/// Linear probing over `slots`, each holding an index into the parallel
/// `hashes`/`keys`/`values` arrays (+1; 0 is empty). Removal uses backward-shift
/// deletion, so there are no tombstones and lookups stay short.
struct SeriesTable<Value: AnyObject> {
    private var slots: [Int32]
    private var mask: Int
    private(set) var hashes: [UInt64] = []
    private(set) var keys: [[UInt8]] = []
    private(set) var values: [Value] = []

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    func find(hash: UInt64, key: UnsafeRawBufferPointer) -> Value? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if hashes[entry - 1] == hash, Self.equal(keys[entry - 1], key) {
                return values[entry - 1]
            }
            slot = (slot + 1) & mask
        }
    }

    /// Inserts a key known to be absent.
    mutating func insert(hash: UInt64, key: [UInt8], value: Value) {
        if (values.count + 1) * 4 > slots.count * 3 {
            grow()
        }
        hashes.append(hash)
        keys.append(key)
        values.append(value)
        place(entry: values.count - 1, hash: hash)
    }

    /// Removes the entry for `key`; returns its value.
    @discardableResult
    mutating func remove(hash: UInt64, key: UnsafeRawBufferPointer) -> Value? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            if hashes[entry - 1] == hash, Self.equal(keys[entry - 1], key) { break }
            slot = (slot + 1) & mask
        }
        let removed = Int(slots[slot]) - 1
        vacate(slot)
        let value = values[removed]
        let last = values.count - 1
        if removed != last {
            // Move the last entry into the hole and repoint its slot.
            let lastSlot = self.slot(ofEntry: last)
            hashes[removed] = hashes[last]
            keys[removed] = keys[last]
            values[removed] = values[last]
            slots[lastSlot] = Int32(removed + 1)
        }
        hashes.removeLast()
        keys.removeLast()
        values.removeLast()
        return value
    }

    private func slot(ofEntry entry: Int) -> Int {
        var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
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
            let home = Int(truncatingIfNeeded: hashes[Int(slots[next]) - 1]) & mask
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

    private mutating func place(entry: Int, hash: UInt64) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 {
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func grow() {
        slots = Array(repeating: 0, count: slots.count * 2)
        mask = slots.count - 1
        for entry in 0..<hashes.count {
            place(entry: entry, hash: hashes[entry])
        }
    }

    @inline(__always)
    private static func equal(_ stored: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == key.count else { return false }
        if key.isEmpty { return true }
        return stored.withUnsafeBytes { memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
    }
}
