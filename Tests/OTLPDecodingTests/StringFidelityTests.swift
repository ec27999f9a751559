import OTLPDecoding
import OpenSREModel
import OpenSRETestSupport
import Testing

/// Issue 10, item 10: protobuf-c cut `string` fields at the first NUL byte, so
/// `alice\0admin` and `alice\0guest` were one series and a key `\0x` vanished,
/// while JSON kept them. Every string is now read with its length.
@Suite("Strings keep NUL bytes, in both encodings")
struct StringFidelityTests {
    static let admin = Array("alice\0admin".utf8)
    static let guest = Array("alice\0guest".utf8)

    static var protobufRequest: [UInt8] {
        let points = [
            OTLPProtobuf.numberPoint(1, attributes: [OTLPProtobuf.keyValue(Array("user".utf8), OTLPProtobuf.stringValue(admin))]),
            OTLPProtobuf.numberPoint(2, attributes: [OTLPProtobuf.keyValue(Array("user".utf8), OTLPProtobuf.stringValue(guest))]),
            OTLPProtobuf.numberPoint(3, attributes: [OTLPProtobuf.keyValue(Array("\0x".utf8), OTLPProtobuf.stringValue("v"))]),
        ]
        return OTLPProtobuf.request(
            [
                OTLPProtobuf.gauge(
                    Array("a\0b".utf8), description: Array("d\0e".utf8), unit: Array("s\0".utf8), points: points)
            ],
            resource: [OTLPProtobuf.keyValue(Array("service.name".utf8), OTLPProtobuf.stringValue(Array("svc\0x".utf8)))],
            scope: (Array("lib\0a".utf8), Array("1\0b".utf8)))
    }

    static let jsonRequest = #"""
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc\u0000x"}}]},
         "scopeMetrics":[{"scope":{"name":"lib\u0000a","version":"1\u0000b"},"metrics":[
          {"name":"a\u0000b","description":"d\u0000e","unit":"s\u0000","gauge":{"dataPoints":[
            {"asDouble":1,"startTimeUnixNano":"0","timeUnixNano":"1000","attributes":[{"key":"user","value":{"stringValue":"alice\u0000admin"}}]},
            {"asDouble":2,"startTimeUnixNano":"0","timeUnixNano":"1000","attributes":[{"key":"user","value":{"stringValue":"alice\u0000guest"}}]},
            {"asDouble":3,"startTimeUnixNano":"0","timeUnixNano":"1000","attributes":[{"key":"\u0000x","value":{"stringValue":"v"}}]}]}}]}]}]}
        """#

    @Test("values, keys, metric name, description, unit, scope and resource keep their NUL bytes (protobuf)")
    func protobuf() throws {
        let batch = try TestDecoding.protobuf(Self.protobufRequest).batch
        #expect(batch.pointCount == 3)
        #expect(TestDecoding.attributes(batch, 0) == [Attribute("user", .string("alice\0admin"))])
        #expect(TestDecoding.attributes(batch, 1) == [Attribute("user", .string("alice\0guest"))])
        #expect(TestDecoding.attributes(batch, 2) == [Attribute("\0x", .string("v"))])
        #expect(batch.points[0].attributesHash != batch.points[1].attributesHash)
        let stream = batch.streams[0]
        #expect(TestDecoding.text(batch, stream.name) == Array("a\0b".utf8))
        #expect(TestDecoding.text(batch, stream.description) == Array("d\0e".utf8))
        #expect(TestDecoding.text(batch, stream.unit) == Array("s\0".utf8))
        #expect(TestDecoding.text(batch, stream.scopeName) == Array("lib\0a".utf8))
        #expect(TestDecoding.text(batch, stream.scopeVersion) == Array("1\0b".utf8))
        #expect(AttributeDecoder.decode(TestDecoding.text(batch, stream.resource)) == [Attribute("service.name", .string("svc\0x"))])
    }

    @Test("the same data in JSON decodes to the same bytes, hashes and values")
    func sameAsJSON() throws {
        let fromProtobuf = try TestDecoding.protobuf(Self.protobufRequest).batch
        let fromJSON = try TestDecoding.json(Self.jsonRequest).batch
        #expect(fromJSON.bytes == fromProtobuf.bytes)
        #expect(fromJSON.streams.map(\.identityHash) == fromProtobuf.streams.map(\.identityHash))
        #expect(fromJSON.points.map(\.attributesHash) == fromProtobuf.points.map(\.attributesHash))
        #expect(fromJSON.points.map(\.value) == fromProtobuf.points.map(\.value))
    }

    @Test("keys are sorted by their bytes, NULs included, as in JSON")
    func keyOrder() throws {
        let pairs = [
            OTLPProtobuf.keyValue(Array("a\0b".utf8), OTLPProtobuf.stringValue("2")),
            OTLPProtobuf.keyValue(Array("a".utf8), OTLPProtobuf.stringValue("1")),
            OTLPProtobuf.keyValue(Array("a\0".utf8), OTLPProtobuf.stringValue("3")),
        ]
        let body = OTLPProtobuf.request([OTLPProtobuf.gauge("g", points: [OTLPProtobuf.numberPoint(1, attributes: pairs)])])
        let batch = try TestDecoding.protobuf(body).batch
        #expect(TestDecoding.attributes(batch, 0).map(\.key) == ["a", "a\0", "a\0b"])
    }

    @Test("a refusal reason that names a metric keeps its NUL in the protobuf answer")
    func reasonWithNUL() {
        var rejected = RejectedPoints()
        rejected.add(1, .missingTemporality, reason: "a\0b")
        // field 1 (message, 7 bytes) { field 1 varint 1, field 2 bytes "a\0b" }
        #expect(OTLPResponseEncoder.exportResponse(rejected: rejected) == [0x0A, 0x07, 0x08, 0x01, 0x12, 0x03, 0x61, 0x00, 0x62])
    }
}
