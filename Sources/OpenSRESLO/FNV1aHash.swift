/// FNV-1a, 64-bit (Fowler–Noll–Vo; offset basis 0xcbf29ce484222325, prime
/// 0x100000001b3): the hash of what is written to disk.
///
/// Keys on disk must mean the same thing to every later build, so they cannot
/// come from ``OpenSREModel/ByteHasher``, which is free to change between
/// versions. FNV-1a is fixed by its definition and checked here against its
/// published test vectors (`""` → 0xcbf29ce484222325, `"a"` →
/// 0xaf63dc4c8601ec8c, `"foobar"` → 0x85944171f73967e8). It is slower than
/// `ByteHasher` (a byte at a time), which does not matter where it is used: once
/// per SLO series when it is created, and once per SLO when state is saved.
package struct FNV1aHash: Sendable, Equatable {
    /// The hash of everything combined so far.
    package private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    package init() {}

    /// Mixes in `bytes`, one byte at a time.
    package mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        var hash = value
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        value = hash
    }

    /// Mixes in `bytes`.
    package mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
    }

    /// Mixes in a length or count, as 8 little-endian bytes (so that adjacent
    /// variable-length parts cannot be confused with each other).
    package mutating func combine(length: Int) {
        withUnsafeBytes(of: UInt64(truncatingIfNeeded: length).littleEndian) { combine($0) }
    }

    /// The hash of `bytes` alone.
    package static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hasher = FNV1aHash()
        hasher.combine(bytes)
        return hasher.value
    }
}
