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
}
