import OTLPDecoding
import OpenSREModel
import OpenSREModel
import OpenSRETestSupport
import Testing

@Suite("Protobuf decoding with libprotobuf-c and the arena")
struct OTLPProtobufDecoderTests {
    let decoder = OTLPProtobufDecoder(initialArenaBytes: 4096)

    func decode(_ bytes: [UInt8]) throws -> OTLPDecodeResult {
        try bytes.withUnsafeBytes { try decoder.decode($0) }
    }

    func text(_ batch: DecodedBatch, _ range: SliceRange) -> String {
        String(decoding: batch.bytes[range.range], as: UTF8.self)
    }

    func attributes(_ batch: DecodedBatch, _ point: DecodedPoint) -> [Attribute] {
        AttributeDecoder.decode(Array(batch.bytes[point.attributes.range]))
    }

    @Test("a request written by opentelemetry-proto decodes into streams, points and values")
    func mixed() throws {
        let result = try decode(Fixtures.bytes("mixed.pb"))
        let batch = result.batch
        #expect(result.rejected.count == 0)
        #expect(
            batch.streams.map { text(batch, $0.name) } == [
                "http.server.requests", "process.memory.usage", "system.cpu.utilization",
                "http.server.active_requests", "http.server.request.duration", "legacy.latency", "feature.flags",
            ])
        #expect(batch.streams.map(\.kind) == [.sum, .gauge, .gauge, .sum, .histogram, .summary, .gauge])
        #expect(batch.streams.map(\.isMonotonic) == [true, false, false, false, true, false, false])
        #expect(batch.streams[0].temporality == .cumulative)
        #expect(text(batch, batch.streams[0].unit) == "{request}")
        #expect(text(batch, batch.streams[0].description) == "Requests served")
        #expect(text(batch, batch.streams[0].scopeName) == "fixture.meter")
        #expect(text(batch, batch.streams[0].scopeVersion) == "0.1.0")
        #expect(
            AttributeDecoder.decode(Array(batch.bytes[batch.streams[0].resource.range])) == [
                Attribute("host.name", .string("node-a")), Attribute("service.instance.id", .string("pod-1")),
                Attribute("service.name", .string("checkout")), Attribute("service.namespace", .string("shop")),
            ])

        // Sum points: int values, attributes sorted by key although sent unsorted.
        let get = batch.points[0]
        #expect(get.value == 42)
        #expect(get.startTime == 1_700_000_000_000_000_000)
        #expect(get.time == 1_700_000_060_000_000_000)
        #expect(
            attributes(batch, get) == [
                Attribute("http.request.method", .string("GET")), Attribute("http.response.status_code", .int(200)),
            ])
        #expect(batch.points[1].value == 3)
        #expect(batch.points[2].value == 123_456_789)

        // Histogram: bounds, per-bucket counts, count and sum.
        let histogram = batch.points[batch.streams[4].pointRange.lowerBound]
        #expect(Array(batch.doubles[histogram.doubles.range]) == [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1])
        #expect(Array(batch.counts[histogram.counts.range]) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(histogram.count == 45)
        #expect(histogram.hasSum && histogram.value == 12.5)

        // Summary: interleaved (quantile, value) pairs.
        let summary = batch.points[batch.streams[5].pointRange.lowerBound]
        #expect(Array(batch.doubles[summary.doubles.range]) == [0.5, 12.5, 0.99, 80])
        #expect(summary.count == 100 && summary.value == 1500)

        // Every AnyValue kind of the last gauge.
        let flags = attributes(batch, batch.points[batch.streams[6].pointRange.lowerBound])
        #expect(flags.map(\.key) == ["2xx", "a.b", "a_b", "enabled", "job", "quote", "ratio", "raw", "tags"])
        #expect(flags[3].value == .bool(true))
        #expect(flags[6].value == .double(0.5))
        #expect(flags[7].value == .bytes([0, 255]))
        #expect(flags[8].value == .array([.string("a"), .int(1), .bool(true)]))
    }

    @Test("the same attributes in another order have the same hash and bytes")
    func orderIndependent() throws {
        let batch = try decode(Fixtures.bytes("mixed.pb")).batch
        // Point 0 was sent as (status, method), point 1 as (method, status): both sorted.
        let first = attributes(batch, batch.points[0]).map(\.key)
        let second = attributes(batch, batch.points[1]).map(\.key)
        #expect(first == second)
    }

    @Test("a gzip body inflates to the same request")
    func gzip() throws {
        let inflater = GzipInflater(initialCapacity: 64)
        let compressed = try Fixtures.bytes("mixed.pb.gz")
        let plain = try Fixtures.bytes("mixed.pb")
        let inflated = try compressed.withUnsafeBytes { input in
            try inflater.inflate(input, limit: 1 << 20) { Array($0) }
        }
        #expect(inflated == plain)
    }

    @Test("deflate (zlib-wrapped or raw) and zstd bodies decompress to the same request")
    func otherCodings() throws {
        let plain = try Fixtures.bytes("mixed.pb")
        let inflater = GzipInflater(initialCapacity: 64)
        for name in ["mixed.pb.deflate", "mixed.pb.rawdeflate"] {
            let compressed = try Fixtures.bytes(name)
            let raw = compressed.withUnsafeBytes { !GzipInflater.isZlibWrapped($0) }
            #expect(raw == (name == "mixed.pb.rawdeflate"))
            let inflated = try compressed.withUnsafeBytes { try inflater.inflate($0, limit: 1 << 20, rawDeflate: raw) { Array($0) } }
            #expect(inflated == plain)
        }
        let zstd = ZstdDecompressor(initialCapacity: 64)
        let decompressed = try Fixtures.bytes("mixed.pb.zst").withUnsafeBytes { try zstd.decompress($0, limit: 1 << 20) { Array($0) } }
        #expect(decompressed == plain)
    }

    @Test("zstd: a bomb is stopped while decompressing; corrupt and truncated frames are errors")
    func zstdLimits() throws {
        let zstd = ZstdDecompressor(initialCapacity: 64)
        let bomb = try Fixtures.bytes("zeros-1mib.zst")
        #expect(bomb.count < 100)
        #expect(throws: OTLPDecodingError.decompressedBodyTooLarge(limit: 4096)) {
            try bomb.withUnsafeBytes { try zstd.decompress($0, limit: 4096) { $0.count } }
        }
        let frame = try Fixtures.bytes("mixed.pb.zst")
        #expect(throws: OTLPDecodingError.malformedCompression("zstd stream is truncated")) {
            try Array(frame.prefix(frame.count / 2)).withUnsafeBytes { try zstd.decompress($0, limit: 1 << 20) { $0.count } }
        }
        #expect(throws: OTLPDecodingError.self) {
            try Array("not zstd at all".utf8).withUnsafeBytes { try zstd.decompress($0, limit: 1 << 20) { $0.count } }
        }
        // Still usable afterwards.
        #expect(try frame.withUnsafeBytes { try zstd.decompress($0, limit: 1 << 20) { $0.count } } == 1285)
    }

    @Test("a body that inflates past the limit is stopped while inflating")
    func gzipLimit() throws {
        let inflater = GzipInflater(initialCapacity: 64)
        let compressed = try Fixtures.bytes("mixed.pb.gz")
        #expect(throws: OTLPDecodingError.decompressedBodyTooLarge(limit: 100)) {
            try compressed.withUnsafeBytes { try inflater.inflate($0, limit: 100) { $0.count } }
        }
    }

    @Test("corrupt and truncated gzip are decoding errors")
    func gzipCorrupt() throws {
        let inflater = GzipInflater()
        let compressed = try Fixtures.bytes("mixed.pb.gz")
        let truncated = Array(compressed.prefix(compressed.count / 2))
        #expect(throws: OTLPDecodingError.malformedCompression("compressed stream is truncated")) {
            try truncated.withUnsafeBytes { try inflater.inflate($0, limit: 1 << 20) { $0.count } }
        }
        let garbage: [UInt8] = Array("definitely not gzip".utf8)
        #expect(throws: OTLPDecodingError.self) {
            try garbage.withUnsafeBytes { try inflater.inflate($0, limit: 1 << 20) { $0.count } }
        }
    }

    @Test("bytes that are not a request are a malformed-protobuf error, and the decoder keeps working")
    func malformed() throws {
        #expect(throws: OTLPDecodingError.malformedProtobuf) { try decode(Fixtures.bytes("malformed.bin")) }
        #expect(throws: OTLPDecodingError.malformedProtobuf) { try decode([0xFF, 0xFF, 0xFF]) }
        #expect(try decode(Fixtures.bytes("mixed.pb")).batch.pointCount == 8)
    }

    @Test("an empty body is an empty request")
    func empty() throws {
        let result = try decode([])
        #expect(result.batch.pointCount == 0 && result.rejected.count == 0)
    }

    @Test("invalid points are rejected with reasons; the rest is kept")
    func rejected() throws {
        let result = try decode(Fixtures.bytes("unsupported.pb"))
        #expect(result.batch.pointCount == 2)
        #expect(result.rejected.count == 3)
        #expect(
            result.rejected.reasons == [
                "sum bad.sum has no aggregation temporality",
                "exponential histogram point has no sum",
                "histogram point has 2 bucket counts for 2 bounds (expected bounds + 1)",
            ])
        #expect(result.rejected.counts.nonZero.map(\.reason) == [.missingTemporality, .invalidHistogram, .invalidExponentialHistogram])
        #expect(result.rejected.counts.total == 3)
        let exponential = result.batch.exponentials[0]
        #expect(exponential.scale == 1 && exponential.positiveOffset == 0)
        #expect(Array(result.batch.counts[exponential.positive.range]) == [1, 1])
    }

    @Test("unpacking beyond the memory limit fails cleanly")
    func memoryLimit() throws {
        let small = OTLPProtobufDecoder(initialArenaBytes: 256, memoryLimit: 512)
        let bytes = try Fixtures.bytes("mixed.pb")
        #expect(throws: OTLPDecodingError.decodedMessageTooLarge(limit: 512)) {
            try bytes.withUnsafeBytes { try small.decode($0) }
        }
        #expect(try [UInt8]().withUnsafeBytes { try small.decode($0) }.batch.pointCount == 0)
    }

    @Test("the partial-success response encodes the rejected count and reasons")
    func partialSuccess() {
        var rejected = RejectedPoints()
        #expect(OTLPResponseEncoder.exportResponse(rejected: rejected) == [])
        rejected.add(3, .invalidHistogram, reason: "no")
        // field 1 (message, 6 bytes) { field 1 varint 3, field 2 string "no" }
        #expect(OTLPResponseEncoder.exportResponse(rejected: rejected) == [0x0A, 0x06, 0x08, 0x03, 0x12, 0x02, 0x6E, 0x6F])
    }
}
