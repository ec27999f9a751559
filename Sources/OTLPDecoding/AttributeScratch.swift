import OpenSREModel

/// Reused memory where the protobuf walker encodes one attribute set (in
/// ``AttributeEncoder``'s canonical layout) with plain stores, before it is
/// appended to the batch in one copy. Appending field by field to the batch's
/// array costs a capacity and a uniqueness check per field, which a profile
/// showed costing more than the encoding itself.
final class AttributeScratch {
    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 8)
    }

    deinit {
        base.deallocate()
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func reset() {
        count = 0
    }

    /// Makes room for `extra` more bytes; every write below must be covered by one.
    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2)
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func byte(_ value: UInt8) {
        base.storeBytes(of: value, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    @inline(__always)
    func length(_ value: Int) {
        base.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: count, as: UInt32.self)
        count += 4
    }

    @inline(__always)
    func word(_ value: UInt64) {
        base.storeBytes(of: value.littleEndian, toByteOffset: count, as: UInt64.self)
        count += 8
    }

    @inline(__always)
    func raw(_ source: UnsafeRawPointer?, _ length: Int) {
        if length > 0, let source { (base + count).copyMemory(from: source, byteCount: length) }
        count += length
    }
}
