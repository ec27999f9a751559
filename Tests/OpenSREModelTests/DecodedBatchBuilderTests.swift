import OpenSREModel
import Testing

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
