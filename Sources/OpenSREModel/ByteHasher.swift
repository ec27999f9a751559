/// A fast, non-cryptographic 64-bit hash over bytes.
///
/// Series identities are hashed exactly once, by the decoder on the event loop;
/// the processor reuses that hash for its table lookups. The hash is stable
/// within a process only (no guarantee across versions), which is all the
/// in-memory tables need.
package enum ByteHasher {
    /// Hashes `bytes`, mixing in `seed` so that different kinds of keys differ.
    package static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        var state = seed ^ (UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        let count = bytes.count
        var offset = 0
        while offset + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            state = round(state, word)
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            state = round(state, tail)
        }
        return finalize(state)
    }

    /// Combines two hashes into one (order matters). Each is mixed in its own
    /// round: a single round of `first ^ second` would make (1, 1) equal (2, 2).
    package static func combine(_ first: UInt64, _ second: UInt64) -> UInt64 {
        finalize(round(round(0x2D35_8DCC_AA6C_78A5, first), second))
    }

    /// Folds one word in with a full-width multiply (the "mum" step of wyhash):
    /// xoring both halves of the 128-bit product spreads a change in any input
    /// bit to high and low output bits alike. (A plain 64-bit multiply only
    /// carries changes upwards, which made keys differing in a top byte collide.)
    static func round(_ state: UInt64, _ word: UInt64) -> UInt64 {
        let product = (state ^ word ^ 0xA076_1D64_78BD_642F).multipliedFullWidth(by: 0xE703_7ED1_A0B4_28DB)
        return product.high ^ product.low
    }

    /// The splitmix64 finalizer: spreads entropy into the low bits that
    /// open-addressing tables index with.
    static func finalize(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
