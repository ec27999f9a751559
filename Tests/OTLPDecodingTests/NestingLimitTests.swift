import OTLPDecoding
import OpenSREModel
import OpenSRETestSupport
import Testing

/// Issue 10, item 1: attribute values nested without bound crashed the event
/// loop inside protobuf-c's recursive unpack; both encodings now share one limit.
@Suite("Attribute value nesting limit")
struct NestingLimitTests {
    static let limit = OTLPLimits.maximumValueNesting
    static let tooDeep = OTLPDecodingError.valueNestingTooDeep(limit: 32)

    /// The value `OTLPProtobuf.nested` and `JSONText.nested` build.
    static func expected(depth: Int, arrays: Bool = false) -> AttributeValue {
        var value = AttributeValue.string("leaf")
        for _ in 0..<depth {
            value = arrays ? .array([value]) : .map([Attribute("k", value)])
        }
        return value
    }

    static func protobufRequest(_ value: ProtobufWriter) -> [UInt8] {
        OTLPProtobuf.request([
            OTLPProtobuf.gauge("g", points: [OTLPProtobuf.numberPoint(1, attributes: [OTLPProtobuf.keyValue(Array("deep".utf8), value)])])
        ])
    }

    static func jsonRequest(_ value: String) -> String {
        JSONText.request(JSONText.gauge("g", points: [JSONText.point(1, attributes: "[\(JSONText.attribute("deep", value))]")]))
    }

    @Test("the limit is 32 levels and its reason names it")
    func limitAndReason() {
        #expect(Self.limit == 32)
        #expect(Self.tooDeep.reason == "an attribute value nests arrays or maps more than 32 levels deep")
    }

    @Test("5,000 nested maps or arrays (a 35 KB body) are refused with 400's reason, not a crash")
    func hostileProtobuf() throws {
        for arrays in [false, true] {
            let body = Self.protobufRequest(OTLPProtobuf.nested(depth: 5_000, arrays: arrays))
            #expect(body.count > 20_000)
            #expect(throws: Self.tooDeep) { try TestDecoding.protobuf(body) }
        }
    }

    @Test("the gzip'd 5,000-level fixture inflates and is refused the same way")
    func hostileGzip() throws {
        let compressed = try Fixtures.bytes("deep-nesting-5000.pb.gz")
        let inflater = GzipInflater(initialCapacity: 64)
        let decoder = OTLPProtobufDecoder(initialArenaBytes: 4096, options: TestDecoding.options())
        #expect(throws: Self.tooDeep) {
            try compressed.withUnsafeBytes { input throws(OTLPDecodingError) in
                try inflater.inflate(input, limit: 1 << 20) { (body) throws(OTLPDecodingError) in try decoder.decode(body) }
            }
        }
        // The decoder is still usable afterwards.
        #expect(try Fixtures.bytes("mixed.pb").withUnsafeBytes { try decoder.decode($0) }.batch.pointCount == 8)
    }

    @Test("20 levels and exactly 32 levels decode to the value sent, in both encodings")
    func atTheLimit() throws {
        for depth in [20, Self.limit] {
            for arrays in [false, true] {
                let fromProtobuf = try TestDecoding.protobuf(Self.protobufRequest(OTLPProtobuf.nested(depth: depth, arrays: arrays)))
                let fromJSON = try TestDecoding.json(Self.jsonRequest(JSONText.nested(depth: depth, arrays: arrays)))
                for result in [fromProtobuf, fromJSON] {
                    #expect(result.rejected.count == 0)
                    #expect(TestDecoding.attributes(result.batch, 0) == [Attribute("deep", Self.expected(depth: depth, arrays: arrays))])
                }
                #expect(fromProtobuf.batch.bytes == fromJSON.batch.bytes)
            }
        }
    }

    @Test("33 levels are refused, wherever the value is: point, resource, scope or exemplar attributes")
    func pastTheLimit() throws {
        let deep = OTLPProtobuf.keyValue(Array("deep".utf8), OTLPProtobuf.nested(depth: Self.limit + 1))
        let bodies = [
            Self.protobufRequest(OTLPProtobuf.nested(depth: Self.limit + 1)),
            OTLPProtobuf.request([OTLPProtobuf.gauge("g", points: [OTLPProtobuf.numberPoint(1)])], resource: [deep]),
            OTLPProtobuf.request([
                OTLPProtobuf.gauge("g", points: [OTLPProtobuf.numberPoint(1, exemplars: [OTLPProtobuf.exemplar(1, filtered: [deep])])])
            ]),
        ]
        for body in bodies {
            #expect(throws: Self.tooDeep) { try TestDecoding.protobuf(body) }
        }
        #expect(throws: Self.tooDeep) { try TestDecoding.json(Self.jsonRequest(JSONText.nested(depth: Self.limit + 1))) }
        #expect(throws: Self.tooDeep) { try TestDecoding.json(Self.jsonRequest(JSONText.nested(depth: Self.limit + 1, arrays: true))) }
    }

    @Test("JSON: 32 levels in the deepest place (an exemplar's filtered attribute) parse; 5,000 get the same reason")
    func jsonDepth() throws {
        func request(_ depth: Int) -> String {
            let exemplar = #"{"asDouble":1,"timeUnixNano":"1000","filteredAttributes":[\#(JSONText.attribute("deep", JSONText.nested(depth: depth)))]}"#
            let sum = #"{"name":"c","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[\#(JSONText.point(1, extra: #","exemplars":[\#(exemplar)]"#))]}}"#
            return JSONText.request(sum)
        }
        let result = try TestDecoding.json(request(Self.limit))
        #expect(result.batch.exemplars.count == 1)
        let filtered = result.batch.exemplars[0].filteredAttributes
        #expect(AttributeDecoder.decode(Array(result.batch.bytes[filtered.range])) == [Attribute("deep", Self.expected(depth: Self.limit))])
        #expect(throws: Self.tooDeep) { try TestDecoding.json(request(Self.limit + 1)) }
        #expect(throws: Self.tooDeep) { try TestDecoding.json(request(5_000)) }
        #expect(throws: Self.tooDeep) { try TestDecoding.json(Self.jsonRequest(JSONText.nested(depth: 5_000, arrays: true))) }
    }

    @Test("a nested value that is not valid protobuf makes the request malformed")
    func malformedNested() throws {
        var broken = ProtobufWriter()
        broken.bytes(6, [0xFF, 0xFF, 0xFF])  // kvlist_value holding garbage
        #expect(throws: OTLPDecodingError.malformedProtobuf) { try TestDecoding.protobuf(Self.protobufRequest(broken)) }
    }
}
