import OpenSREModel
import Testing

@Suite("Canonical attribute encoding")
struct AttributeEncodingTests {
    @Test("every AnyValue kind survives encode → decode")
    func roundTrip() {
        let attributes = [
            Attribute("a", .string("x\"y")),
            Attribute("b", .bool(true)),
            Attribute("c", .int(-42)),
            Attribute("d", .double(0.25)),
            Attribute("e", .array([.string("p"), .int(1), .empty])),
            Attribute("f", .map([Attribute("k", .bool(false))])),
            Attribute("g", .bytes([0, 255])),
            Attribute("h", .empty),
        ]
        let bytes = AttributeEncoder.encode(attributes)
        #expect(AttributeDecoder.decode(bytes) == attributes)
    }

    @Test("the encoding is length-prefixed, so key/value boundaries cannot be confused")
    func boundaries() {
        let one = AttributeEncoder.encode([Attribute("ab", .string("c"))])
        let other = AttributeEncoder.encode([Attribute("a", .string("bc"))])
        #expect(one != other)
        #expect(one == [2, 0, 0, 0, 97, 98, 1, 1, 0, 0, 0, 99])
    }

    @Test("truncated input decodes to what is complete, never out of bounds")
    func truncated() {
        let bytes = AttributeEncoder.encode([Attribute("a", .string("x")), Attribute("b", .int(7))])
        #expect(AttributeDecoder.decode(Array(bytes.dropLast(3))) == [Attribute("a", .string("x"))])
        #expect(AttributeDecoder.decode([255, 255, 255, 255]) == [])
    }
}

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

@Suite("Decoded batch builder")
struct DecodedBatchBuilderTests {
    @Test("streams of the same resource, scope and name share an identity, and a key when of one kind and unit")
    func identity() {
        var builder = DecodedBatchBuilder()
        func add(metric: String, service: String, kind: MetricKind = .gauge, unit: String = "") {
            let start = builder.mark
            builder.bytes += AttributeEncoder.encode([Attribute("service.name", .string(service))])
            builder.endResource(attributesFrom: start)
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            builder.setScope(name: empty, version: empty)
            builder.endScope(attributesFrom: builder.mark)
            var name = metric
            var unit = unit
            name.withUTF8 { n in
                unit.withUTF8 { u in
                    builder.beginStream(
                        name: UnsafeRawBufferPointer(n), description: empty, unit: UnsafeRawBufferPointer(u),
                        kind: kind, temporality: .unspecified, isMonotonic: false)
                }
            }
            builder.addNumberPoint(attributesFrom: builder.mark, startTime: 0, time: 1, value: 1, flags: 0)
            builder.endStream()
        }
        add(metric: "m", service: "a")
        add(metric: "m", service: "a")
        add(metric: "m", service: "b")
        add(metric: "n", service: "a")
        // The same identity as another kind or unit: another stream (key and hash), one identity.
        add(metric: "m", service: "a", kind: .summary)
        add(metric: "m", service: "a", unit: "s")
        let batch = builder.finish()
        #expect(batch.streams.count == 6)
        #expect(batch.pointCount == 6)
        let hashes = batch.streams.map(\.identityHash)
        #expect(hashes[0] == hashes[1])
        #expect(Set(hashes).count == 5)
        #expect(batch.streams.map(\.pointRange) == [0..<1, 1..<2, 2..<3, 3..<4, 4..<5, 5..<6])
        batch.bytes.withUnsafeBytes { bytes in
            let identities = batch.streams.map { Array(bytes[slice: $0.identity]) }
            let keys = batch.streams.map { Array(bytes[slice: $0.key]) }
            #expect(identities[4] == identities[0] && identities[5] == identities[0])
            #expect(Set(keys).count == 5 && keys[0] == keys[1])
            #expect(batch.streams.allSatisfy { $0.key.start == $0.identity.start && $0.key.count > $0.identity.count })
        }
    }
}
