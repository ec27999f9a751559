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
