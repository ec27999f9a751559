import Foundation
@testable import OTLPDecoding
import OpenSREModel
import OpenSRETestSupport
import Testing

/// The span walker and aggregator on the fixture a real `opentelemetry-proto`
/// wrote (`Tests/Fixtures/traces.pb`): which spans count, their series keys,
/// bucket placement, exemplars, and the per-service overflow.
@Suite("Span aggregation")
struct SpanAggregationTests {
    static func decode(
        _ configuration: SpanMetricsConfiguration = SpanMetricsConfiguration(), cardinality: SpanCardinalityGuard? = nil
    ) throws -> OTLPDecodeResult {
        let payload = try Fixtures.bytes("traces.pb")
        let rules = SpanMetricsRules(configuration, cardinality: cardinality)
        return try payload.withUnsafeBytes { try OTLPProtobufDecoder().decodeTraces($0, rules: rules) }
    }

    static func text(_ batch: DecodedBatch, _ range: SliceRange) -> String {
        batch.bytes.withUnsafeBytes { String(decoding: $0[slice: range], as: UTF8.self) }
    }

    static func attributes(_ batch: DecodedBatch, _ point: DecodedPoint) -> [String] {
        batch.bytes.withUnsafeBytes { AttributeDecoder.decode($0[slice: point.attributes]) }
            .map { attribute in
                switch attribute.value {
                case .string(let text): "\(attribute.key)=\(text)"
                case .int(let number): "\(attribute.key)=\(number)"
                case .bool(let flag): "\(attribute.key)=\(flag)"
                default: "\(attribute.key)=?"
                }
            }
    }

    @Test("server spans become calls and duration points; the client span is not counted")
    func fixture() throws {
        let result = try Self.decode()
        let batch = result.batch
        #expect(result.rejected.count == 0)
        #expect(batch.streams.map { Self.text(batch, $0.name) } == ["traces.span.metrics.calls", "traces.span.metrics.duration"])
        #expect(batch.streams.map(\.kind) == [.sum, .histogram])
        #expect(batch.streams.allSatisfy { $0.isDerived && $0.temporality == .delta })
        #expect(Self.text(batch, batch.streams[1].unit) == "s")
        let calls = batch.streams[0].pointRange.map { batch.points[$0] }
        #expect(calls.map(\.value) == [1, 1])
        let durations = batch.streams[1].pointRange.map { batch.points[$0] }
        #expect(durations.map(\.count) == [1, 1])
        #expect(Self.attributes(batch, durations[1]).contains("status.code=STATUS_CODE_ERROR"))
        #expect(Self.attributes(batch, durations[0]).contains("span.kind=SPAN_KIND_SERVER"))
    }

    /// One service's spans named "GET /" with these durations (from t0), of
    /// kind `kinds[i]` (SERVER when not given) and status `statuses[i]` (none when not given).
    static func request(durations: [UInt64], kinds: [UInt64] = [], statuses: [UInt64] = []) -> [UInt8] {
        var scope = ProtobufWriter()
        for (index, duration) in durations.enumerated() {
            var span = ProtobufWriter()
            span.string(5, "GET /")
            span.varint(6, index < kinds.count ? kinds[index] : 2)  // SPAN_KIND_SERVER
            span.fixed64(7, 1_700_000_000_000_000_000)
            span.fixed64(8, 1_700_000_000_000_000_000 + duration)
            if index < statuses.count {
                var status = ProtobufWriter()
                status.varint(3, statuses[index])
                span.message(15, status)
            }
            scope.message(2, span)
        }
        var resource = ProtobufWriter()
        resource.message(1, OTLPProtobuf.keyValue(Array("service.name".utf8), OTLPProtobuf.stringValue("svc")))
        var resourceSpans = ProtobufWriter()
        resourceSpans.message(1, resource)
        resourceSpans.message(2, scope)
        var request = ProtobufWriter()
        request.message(1, resourceSpans)
        return request.bytes
    }

    @Test("exponential max_size 1 is taken as 2: 0.5 s and 2 s fill buckets -1 and 0 (with one, downscaling never ended)")
    func exponentialOneBucket() throws {
        var configuration = SpanMetricsConfiguration()
        configuration.buckets = .exponential(maxSize: 1)
        let rules = SpanMetricsRules(configuration, cardinality: nil)
        let body = Self.request(durations: [500_000_000, 2_000_000_000])
        let result = try body.withUnsafeBytes { try OTLPProtobufDecoder().decodeTraces($0, rules: rules) }
        let batch = result.batch
        let point = try #require(batch.streams.last.map { batch.points[$0.pointRange.lowerBound] })
        #expect(point.count == 2)
        let exponential = batch.exponentials[Int(point.exponential)]
        #expect(exponential.positiveOffset == -1)
        #expect(exponential.scale == -1)
        let start = Int(exponential.positive.start)
        #expect(Array(batch.counts[start..<start + Int(exponential.positive.count)]) == [1, 1])
    }

    @Test(
        "below scale 0 (max_size 2), later durations go to their own bucket: 3 s to (1, 4] at scale -1; 8 s past it, to scale -2",
        arguments: [
            // 0.5 s and 2 s take scale -1 (buckets (1/4, 1] and (1, 4]), then 3 s joins 2 s.
            ([500_000_000, 2_000_000_000, 3_000_000_000], -1),
            // 8 s is in (4, 16], a third bucket: scale -2, (1/16, 1] and (1, 16].
            ([500_000_000, 2_000_000_000, 8_000_000_000], -2),
        ] as [([UInt64], Int32)])
    func exponentialBelowScaleZero(durations: [UInt64], scale: Int32) throws {
        let counts: [UInt64] = [1, 2]
        var configuration = SpanMetricsConfiguration()
        configuration.buckets = .exponential(maxSize: 2)
        let rules = SpanMetricsRules(configuration, cardinality: nil)
        let body = Self.request(durations: durations)
        let result = try body.withUnsafeBytes { try OTLPProtobufDecoder().decodeTraces($0, rules: rules) }
        let batch = result.batch
        let point = try #require(batch.streams.last.map { batch.points[$0.pointRange.lowerBound] })
        let exponential = batch.exponentials[Int(point.exponential)]
        let start = Int(exponential.positive.start)
        #expect(exponential.scale == scale)
        #expect(exponential.positiveOffset == -1)
        #expect(Array(batch.counts[start..<start + Int(exponential.positive.count)]) == counts)
    }

    @Test("kinds and status codes outside the enums (-1, 2^31) are read as sent: such kinds are not counted, such statuses are UNSET")
    func enumsOutOfRange() throws {
        let minusOne = UInt64.max  // int32 -1 on the wire: ten bytes, 0xFFFFFFFF once read
        let body = Self.request(
            durations: [1_000_000, 1_000_000, 1_000_000, 1_000_000], kinds: [minusOne, 1 << 31, 2, 2],
            statuses: [0, 0, minusOne, 1 << 31])
        let rules = SpanMetricsRules(SpanMetricsConfiguration(), cardinality: nil)
        let result = try body.withUnsafeBytes { try OTLPProtobufDecoder().decodeTraces($0, rules: rules) }
        let batch = result.batch
        #expect(result.rejected.count == 0)
        let calls = batch.streams[0].pointRange.map { batch.points[$0] }
        #expect(calls.map(\.value) == [2])
        #expect(Self.attributes(batch, calls[0]).contains("status.code=STATUS_CODE_UNSET"))
    }

    @Test("ResourceSpans with the same resource are one resource, wherever they come; others stay apart")
    func resourcesGrouped() throws {
        func resourceSpans(_ instance: String, spans: Int) -> ProtobufWriter {
            var resource = ProtobufWriter()
            resource.message(1, OTLPProtobuf.keyValue(Array("service.name".utf8), OTLPProtobuf.stringValue("svc")))
            resource.message(1, OTLPProtobuf.keyValue(Array("service.instance.id".utf8), OTLPProtobuf.stringValue(instance)))
            var scope = ProtobufWriter()
            for _ in 0..<spans {
                var span = ProtobufWriter()
                span.string(5, "GET /")
                span.varint(6, 2)
                span.fixed64(7, 1_700_000_000_000_000_000)
                span.fixed64(8, 1_700_000_000_001_000_000)
                scope.message(2, span)
            }
            var result = ProtobufWriter()
            result.message(1, resource)
            result.message(2, scope)
            return result
        }
        var request = ProtobufWriter()
        for (instance, spans) in [("a", 1), ("b", 2), ("a", 3), ("c", 4), ("b", 5)] {
            request.message(1, resourceSpans(instance, spans: spans))
        }
        let rules = SpanMetricsRules(SpanMetricsConfiguration(), cardinality: nil)
        let result = try request.bytes.withUnsafeBytes { try OTLPProtobufDecoder().decodeTraces($0, rules: rules) }
        let batch = result.batch
        let calls = batch.streams.filter { $0.kind == .sum }.flatMap { $0.pointRange.map { batch.points[$0].value } }
        // a (1 + 3), b (2 + 5), c (4): one calls point per resource, in the order first seen.
        #expect(calls == [4, 7, 4])
    }
}

/// Exponential buckets built from raw durations (`histogram.exponential`).
@Suite("Exponential buckets from span durations")
struct ExponentialCountsTests {
    @Test("powers of two close their buckets; the scale drops until the range fits max_size")
    func downscales() {
        var counts = ExponentialCounts()
        for value in [1.0, 2, 4] { counts.add(value, maxSize: 160) }
        #expect(counts.scale == 6)
        #expect(counts.offset == -1)
        #expect(counts.counts.count == 129)
        #expect([counts.counts[0], counts.counts[64], counts.counts[128]] == [1, 1, 1])
        #expect(counts.counts.reduce(0, +) == 3)
        counts.add(0, maxSize: 160)
        #expect(counts.zero == 1)
    }

    @Test("a value lands in the bucket whose bounds hold it, at any scale")
    func placement() {
        for scale in Int32(0)...8 {
            for value in [0.003, 0.042, 0.31, 1.5, 7.25] {
                let index = ExponentialCounts.index(of: value, scale: scale)
                let base = pow(2, pow(2, -Double(scale)))
                #expect(pow(base, Double(index)) < value && value <= pow(base, Double(index + 1)) * (1 + 1e-12))
            }
        }
    }

    @Test("merging keeps every count, at the coarser scale")
    func merges() {
        var fine = ExponentialCounts()
        fine.add(1.5, maxSize: 160)
        var coarse = ExponentialCounts()
        for value in [0.001, 1000.0] { coarse.add(value, maxSize: 20) }
        fine.merge(coarse, maxSize: 20)
        #expect(fine.scale == coarse.scale)
        #expect(fine.counts.reduce(0, +) == 3)
        #expect(fine.counts.count <= 20)
    }

    @Test("the aggregator writes exponential points with counts, sum and zero bucket")
    func aggregated() throws {
        var configuration = SpanMetricsConfiguration()
        configuration.buckets = .exponential(maxSize: 160)
        let result = try SpanAggregationTests.decode(configuration)
        let batch = result.batch
        #expect(batch.streams.map(\.kind) == [.sum, .exponentialHistogram])
        let points = batch.streams[1].pointRange.map { batch.points[$0] }
        #expect(points.map(\.count) == [1, 1])
        #expect(points.map(\.value) == [0.042, 0.31])
        let layout = batch.exponentials[Int(points[0].exponential)]
        #expect(batch.counts[layout.positive.range].reduce(0, +) == 1)
    }

    @Test("dimension values repeated across a request's spans give the same series keys as each span alone")
    func repeatedValues() throws {
        var array = ProtobufWriter()
        array.message(1, OTLPProtobuf.stringValue("/a"))
        var arrayValue = ProtobufWriter()
        arrayValue.message(5, array)
        func span(_ route: ProtobufWriter, status: Int64) -> ProtobufWriter {
            OTLPTraceProtobuf.span(
                "GET", milliseconds: 5,
                attributes: [OTLPProtobuf.keyValue(Array("http.route".utf8), route), OTLPTraceProtobuf.keyValue("http.status_code", status)])
        }
        let a = OTLPProtobuf.stringValue("/a")
        let b = OTLPProtobuf.stringValue("/b")
        let spans = [span(a, status: 200), span(b, status: 200), span(a, status: 200), span(arrayValue, status: 200),
            span(a, status: 500), span(arrayValue, status: 200), span(a, status: 200), span(b, status: 200)]
        let rules = SpanMetricsRules(SpanMetricsConfiguration(), cardinality: nil)
        func calls(_ spans: [ProtobufWriter]) throws -> [[UInt8]: Double] {
            let result = try OTLPTraceProtobuf.request(spans).withUnsafeBytes {
                try OTLPProtobufDecoder().decodeTraces($0, rules: rules)
            }
            let batch = result.batch
            var counts: [[UInt8]: Double] = [:]
            for index in batch.streams[0].pointRange {
                let point = batch.points[index]
                counts[batch.bytes.withUnsafeBytes { Array($0[slice: point.attributes]) }, default: 0] += point.value
            }
            return counts
        }
        var alone: [[UInt8]: Double] = [:]
        for one in spans { alone.merge(try calls([one]), uniquingKeysWith: +) }
        let together = try calls(spans)
        #expect(together == alone)
        #expect(together.values.sorted() == [1, 2, 2, 3])
    }
}
