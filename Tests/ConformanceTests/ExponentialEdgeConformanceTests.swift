import Foundation
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import PrometheusExposition
import Testing

/// Exponential histograms at the edges: offsets at the ends of Int32 and of
/// the double range, delta points far apart, bounds that round to 0 or +Inf
/// (issue 10, items 2, 3 and 12).
@Suite("Conformance: exponential histograms at the edges")
struct ExponentialEdgeConformanceTests {
    static func decode(_ request: String) throws -> OTLPDecodeResult {
        let bytes = Array(request.utf8)
        return try bytes.withUnsafeBytes { try OTLPJSONDecoder().decode($0) }
    }

    @Test(
        "buckets past the Int32 index range or outside the doubles are refused at decode, with the reason",
        arguments: [
            (0, (2_147_483_647, [1, 1]), (0, []), "positive", "2147483647...2147483648", "-1075...1023", 0),
            (0, (0, [1]), (-2_147_483_648, [1]), "negative", "-2147483648...-2147483648", "-1075...1023", 0),
            (0, (2_147_483_645, [1]), (0, []), "positive", "2147483645...2147483645", "-1075...1023", 0),
            (0, (1023, [1, 1]), (0, []), "positive", "1023...1024", "-1075...1023", 0),
            (20, (1_073_741_823, [1, 1]), (0, []), "positive", "1073741823...1073741824", "-1126170625...1073741823", 20),
            (-10, (-3, [1]), (0, []), "positive", "-3...-3", "-2...0", -10),
        ] as [(Int, (Int, [Int]), (Int, [Int]), String, String, String, Int)])
    func refusedAtDecode(
        scale: Int, positive: (Int, [Int]), negative: (Int, [Int]), side: String, indexes: String, valid: String,
        reportedScale: Int
    ) throws {
        let result = try Self.decode(
            OTLP.request(TypeConformanceTests.exponential(scale: scale, positive: positive, negative: negative)))
        #expect(result.batch.pointCount == 0)
        #expect(result.rejected.counts.nonZero.map(\.reason) == [.invalidExponentialHistogram] && result.rejected.counts.total == 1)
        #expect(
            result.rejected.reasons == [
                "exponential histogram \(side) bucket indexes \(indexes) are outside \(valid), the range of double values at scale \(reportedScale)"
            ])
    }

    @Test("the widest valid bucket ranges are accepted at the finest and coarsest scales")
    func acceptedAtTheEdges() throws {
        for (scale, first, last) in [(20, -1_126_170_625, 1_073_741_823), (0, -1075, 1023), (-10, -2, 0)] {
            let request = OTLP.request(
                TypeConformanceTests.exponential(scale: scale, positive: (first, [1]), negative: (last, [1])),
                TypeConformanceTests.exponential(scale: scale, positive: (last, [1]), negative: (first, [1])))
            let result = try Self.decode(request)
            #expect(result.rejected.count == 0, "scale \(scale): \(result.rejected.reasons)")
            #expect(result.batch.pointCount == 2)
        }
    }

    @Test("the protobuf decoder refuses the same points (offset 2^31-1 with two buckets)")
    func refusedInProtobuf() throws {
        let body = ProtobufRequest.exponential(scale: 0, positiveOffset: Int32.max, positive: [1, 1])
        let result = try body.withUnsafeBytes { try OTLPProtobufDecoder().decode($0) }
        #expect(result.batch.pointCount == 0)
        #expect(result.rejected.counts.nonZero.map(\.reason) == [.invalidExponentialHistogram] && result.rejected.counts.total == 1)
        #expect(
            result.rejected.reasons == [
                "exponential histogram positive bucket indexes 2147483647...2147483648 are outside -1075...1023, the range of double values at scale 0"
            ])
    }

    /// Two delta points, one observation each, `first` and `second` their bucket indexes at scale 20.
    static func farApart(_ first: Int, _ second: Int) -> [String] {
        [
            OTLP.request(
                TypeConformanceTests.exponential(
                    scale: 20, positive: (first, [1]), temporality: 1, start: 100, time: 110, sum: 1)),
            OTLP.request(
                TypeConformanceTests.exponential(
                    scale: 20, positive: (second, [1]), temporality: 1, start: 110, time: 120, sum: 2)),
        ]
    }

    /// `_bucket` lines with bounds 2^exponent and cumulative counts, as the text format writes them.
    static func bucketLines(_ buckets: [(exponent: Int, cumulative: Int)]) -> [String] {
        buckets.map { bucket in
            let bound = PrometheusFloat.sampleValue(Double(sign: .plus, exponent: bucket.exponent, significand: 1))
            return #"opensre_size_bytes_bucket{\#(svc),le="\#(bound)"} \#(bucket.cumulative)"#
        }
    }

    @Test("delta points 2^26 buckets apart merge exactly, downscaled (not 512 MiB of buckets)")
    func farApart26() throws {
        // Merged at scale 1 (indexes -64 and 64), shown at scale -1 (base 4): indexes -16...16,
        // bounds 4^-15 ... 4^17, the empty buckets between included.
        let lines = samples(try expose(Self.farApart(-(1 << 25), 1 << 25)))
        #expect(
            lines
                == Self.bucketLines((-15...16).map { (2 * $0, 1) } + [(34, 2)]) + [
                    #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 2"#, #"opensre_size_bytes_sum{\#(svc)} 3"#,
                    #"opensre_size_bytes_count{\#(svc)} 2"#,
                ])
        #expect(lines.first == #"opensre_size_bytes_bucket{\#(svc),le="9.313225746154785e-10"} 1"#)
        #expect(lines[32] == #"opensre_size_bytes_bucket{\#(svc),le="1.7179869184e+10"} 2"#)
    }

    @Test("delta points 2^31-1 buckets apart merge exactly; the top bucket's bound is +Inf, so it is only in +Inf")
    func farApart31() throws {
        // Merged at scale -4 (indexes -64 and 63), shown at scale -6 (base 2^64): indexes -16...15,
        // bounds 2^-960 ... 2^960, then 2^1024 = +Inf for the top one.
        let lines = samples(try expose(Self.farApart(-(1 << 30), (1 << 30) - 1)))
        #expect(
            lines
                == Self.bucketLines((-15...15).map { (64 * $0, 1) }) + [
                    #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 2"#, #"opensre_size_bytes_sum{\#(svc)} 3"#,
                    #"opensre_size_bytes_count{\#(svc)} 2"#,
                ])
        #expect(lines.first == #"opensre_size_bytes_bucket{\#(svc),le="1.0261342003245941e-289"} 1"#)
        #expect(lines[30] == #"opensre_size_bytes_bucket{\#(svc),le="9.7453140114e+288"} 1"#)
    }

    /// Pages whose bounds reach the ends of the doubles, with the lines expected.
    static let extremePages: [(request: String, lines: [String])] = [
        // The largest double's bucket: (2^1023, 2^1024], whose bound is +Inf.
        (
            OTLP.request(TypeConformanceTests.exponential(scale: 0, positive: (1023, [1]))),
            [
                #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 1"#, #"opensre_size_bytes_sum{\#(svc)} 10"#,
                #"opensre_size_bytes_count{\#(svc)} 1"#,
            ]
        ),
        // The smallest subnormal's negative bucket: its bound -2^-1075 rounds to -0, the zero bucket's is 0.
        (
            OTLP.request(TypeConformanceTests.exponential(scale: 0, positive: (0, []), negative: (-1075, [1]), zero: 1)),
            [
                #"opensre_size_bytes_bucket{\#(svc),le="0"} 2"#, #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 2"#,
                #"opensre_size_bytes_sum{\#(svc)} 10"#, #"opensre_size_bytes_count{\#(svc)} 2"#,
            ]
        ),
        // Both ends at once, downscaled to scale -6 for 40 lines: 2^-1024 ... 2^960, then 2^1024 = +Inf.
        (
            OTLP.request(
                TypeConformanceTests.exponential(scale: 0, positive: (-1075, [1] + Array(repeating: 0, count: 2097) + [1]))),
            bucketLines((-16...15).map { (64 * $0, 1) }) + [
                #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 2"#, #"opensre_size_bytes_sum{\#(svc)} 10"#,
                #"opensre_size_bytes_count{\#(svc)} 2"#,
            ]
        ),
    ]

    @Test("bounds that round to 0 or +Inf give one le=\"0\" and one le=\"+Inf\", strictly increasing", arguments: 0..<3)
    func extremeBounds(case index: Int) throws {
        let (request, lines) = Self.extremePages[index]
        let page = try expose(request)
        #expect(samples(page) == lines)
    }

    @Test("promtool check metrics accepts every page with extreme bounds", arguments: 0..<3)
    func promtoolAccepts(case index: Int) throws {
        let page = try expose(Self.extremePages[index].request)
        let promtool = try #require(
            ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) },
            "promtool missing: apt-get install prometheus")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(page.utf8))
        try input.fileHandleForWriting.close()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(said)\n\(page)")
    }
}

/// Hand-encoded OTLP protobuf requests (the few fields these tests need).
enum ProtobufRequest {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        return bytes + [UInt8(value)]
    }

    static func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(bytes.count)) + bytes
    }

    static func fixed64(_ number: UInt64, _ value: UInt64) -> [UInt8] {
        varint(number << 3 | 1) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func sint32(_ number: UInt64, _ value: Int32) -> [UInt8] {
        varint(number << 3) + varint(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    /// One exponential histogram (`size`, cumulative) with one point: no negative buckets, sum 1.
    static func exponential(scale: Int32, positiveOffset: Int32, positive: [UInt64], start: UInt64 = 1, time: UInt64 = 2, temporality: UInt64 = 2) -> [UInt8] {
        let buckets = sint32(1, positiveOffset) + field(2, positive.flatMap { varint($0) })
        let point =
            fixed64(2, start) + fixed64(3, time) + fixed64(4, positive.reduce(0, +)) + fixed64(5, (1.0).bitPattern)
            + sint32(6, scale) + field(8, buckets)
        let histogram = field(1, point) + varint(2 << 3) + varint(temporality)
        let metric = field(1, Array("size".utf8)) + field(10, histogram)
        return field(1, field(2, field(2, metric)))
    }
}
