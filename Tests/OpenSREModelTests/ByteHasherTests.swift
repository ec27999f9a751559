import OpenSREModel
import Testing

@Suite("Byte hashing")
struct ByteHasherTests {
    @Test("equal bytes hash equal; a changed byte or seed changes the hash")
    func stability() {
        let bytes: [UInt8] = Array("service.name=checkout".utf8)
        let first = bytes.withUnsafeBytes { ByteHasher.hash($0) }
        let second = bytes.withUnsafeBytes { ByteHasher.hash($0) }
        var changed = bytes
        changed[3] ^= 1
        #expect(first == second)
        #expect(changed.withUnsafeBytes { ByteHasher.hash($0) } != first)
        #expect(bytes.withUnsafeBytes { ByteHasher.hash($0, seed: 1) } != first)
    }

    @Test("combine depends on both values and their order")
    func combine() {
        #expect(ByteHasher.combine(1, 1) != ByteHasher.combine(2, 2))
        #expect(ByteHasher.combine(1, 2) != ByteHasher.combine(2, 1))
        #expect(ByteHasher.combine(7, 9) == ByteHasher.combine(7, 9))
    }

    @Test("low bits are spread (no collisions among 100k sequential keys in 2^20 buckets beyond chance)")
    func distribution() {
        var buckets = [UInt8](repeating: 0, count: 1 << 20)
        var collisions = 0
        for index in 0..<100_000 {
            let key = Array("series-\(index)".utf8)
            let slot = Int(truncatingIfNeeded: key.withUnsafeBytes { ByteHasher.hash($0) }) & ((1 << 20) - 1)
            if buckets[slot] != 0 { collisions += 1 }
            buckets[slot] = 1
        }
        // Expected for a uniform hash: n²/2m ≈ 4768.
        #expect(collisions < 6000)
    }
}
