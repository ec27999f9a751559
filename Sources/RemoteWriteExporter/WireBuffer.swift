import Foundation

/// Bytes of protobuf wire format, written by hand: the encoder builds
/// every `TimeSeries` straight into its shard's request with this, which
/// measured about five times faster than building protoc-c messages and
/// packing them (Benchmarks/RESULTS.md, "Remote write"). Reused from request
/// to request; grows, never shrinks.
final class WireBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1 << 16) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    func reset() { count = 0 }

    @inline(__always)
    func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var grown = capacity * 2
        while grown < count + extra { grown *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        moved.update(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = grown
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    /// Bytes `range` of this buffer appended to `other`.
    @inline(__always)
    func copy(_ range: Range<Int>, to other: WireBuffer) {
        other.append(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
    }

    @inline(__always)
    func appendVarint(_ value: UInt64) {
        reserve(10)
        writeVarint(value)
    }

    /// A varint into capacity already reserved.
    @inline(__always)
    private func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: value) | 0x80
            count += 1
            value >>= 7
        }
        base[count] = UInt8(value)
        count += 1
    }

    /// A `fixed64` double, little-endian.
    @inline(__always)
    func appendDouble(_ value: Double) {
        reserve(8)
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { (base + count).update(from: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 8) }
        count += 8
    }

    /// A length-delimited string field: tag, length, bytes. Label names and
    /// values are short: one capacity check, and small copies done inline
    /// rather than through a `memmove` call.
    @inline(__always)
    func appendField(_ tag: UInt8, _ bytes: UnsafeRawBufferPointer) {
        reserve(11 + bytes.count)
        base[count] = tag
        count += 1
        writeVarint(UInt64(bytes.count))
        guard let source = bytes.baseAddress else { return }
        if bytes.count <= 16 {
            for offset in 0..<bytes.count { base[count + offset] = source.load(fromByteOffset: offset, as: UInt8.self) }
        } else {
            (base + count).update(from: source.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        }
        count += bytes.count
    }

    /// Bytes a varint of `value` takes.
    @inline(__always)
    static func varintSize(_ value: Int) -> Int {
        var value = UInt64(value)
        var size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    /// Bytes a length-delimited field of `length` bytes takes, its tag included.
    @inline(__always)
    static func fieldSize(_ length: Int) -> Int { 1 + varintSize(length) + length }
}
