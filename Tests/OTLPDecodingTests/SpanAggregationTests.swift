import Foundation
import OTLPDecoding
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
