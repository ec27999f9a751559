import COTLP
import Foundation
import OpenSRETestSupport
import Testing

/// Our trace protos (Protos/opentelemetry/proto/trace, collector/trace) read a
/// request the official `opentelemetry-proto` package wrote
/// (`Tests/Fixtures/traces.pb`, from make_fixtures.py): every field the RED
/// series and exemplars need lands where the generated code says.
@Suite("Trace protos")
struct TraceProtoTests {
    private static func text(_ bytes: ProtobufCBinaryData) -> String {
        String(decoding: UnsafeRawBufferPointer(start: bytes.data, count: bytes.len), as: UTF8.self)
    }

    private static func bytes(_ bytes: ProtobufCBinaryData) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: bytes.data, count: bytes.len))
    }

    @Test("the fixture's three spans: names, kinds, times, ids, flags, attributes and status")
    func fixture() throws {
        let payload = try Fixtures.bytes("traces.pb")
        let request = try #require(payload.withUnsafeBufferPointer { buffer in
            opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(nil, buffer.count, buffer.baseAddress)
        })
        defer { opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(request, nil) }
        #expect(request.pointee.n_resource_spans == 1)
        let resource = try #require(request.pointee.resource_spans[0])
        let attributes = try #require(resource.pointee.resource).pointee
        #expect(attributes.n_attributes == 2)
        #expect(Self.text(attributes.attributes[0]!.pointee.key) == "service.name")
        let scope = try #require(resource.pointee.scope_spans[0]).pointee
        #expect(Self.text(scope.scope.pointee.name) == "opentelemetry.instrumentation.flask")
        #expect(scope.n_spans == 3)
        // Spans stay packed in ScopeSpans (bytes): each unpacks on its own.
        let unpacked = try (0..<scope.n_spans).map { index in
            try #require(opentelemetry__proto__trace__v1__span__unpack(nil, scope.spans[index].len, scope.spans[index].data))
        }
        defer { for span in unpacked { opentelemetry__proto__trace__v1__span__free_unpacked(span, nil) } }
        let spans = unpacked.map(\.pointee)
        #expect(spans.map { Self.text($0.name) } == ["POST /pay", "POST /pay", "GET"])
        #expect(spans.map(\.kind) == [
            OPENTELEMETRY__PROTO__TRACE__V1__SPAN__SPAN_KIND__SPAN_KIND_SERVER,
            OPENTELEMETRY__PROTO__TRACE__V1__SPAN__SPAN_KIND__SPAN_KIND_SERVER,
            OPENTELEMETRY__PROTO__TRACE__V1__SPAN__SPAN_KIND__SPAN_KIND_CLIENT,
        ])
        let second: UInt64 = 1_000_000_000
        let t0 = 1_700_000_000 * second
        #expect(spans.map { $0.end_time_unix_nano - $0.start_time_unix_nano } == [42_000_000, 310_000_000, 20_000_000])
        #expect(spans[1].start_time_unix_nano == t0 + second)
        #expect(Self.bytes(spans[0].trace_id) == Array(1...16) && Self.bytes(spans[2].span_id) == Array(repeating: 3, count: 8))
        #expect(Self.bytes(spans[2].parent_span_id) == Array(repeating: 1, count: 8) && spans[0].parent_span_id.len == 0)
        #expect(spans.allSatisfy { $0.flags == 0x101 })
        #expect(spans[0].n_attributes == 3 && Self.text(spans[0].attributes[1]!.pointee.key) == "http.route")
        // Span attribute values stay packed (PackedKeyValue): an AnyValue each.
        let packed = spans[1].attributes[2]!.pointee.value
        let status = try #require(opentelemetry__proto__common__v1__any_value__unpack(nil, packed.len, packed.data))
        defer { opentelemetry__proto__common__v1__any_value__free_unpacked(status, nil) }
        #expect(status.pointee.int_value == 500)
        #expect(spans[0].status.pointee.code == OPENTELEMETRY__PROTO__TRACE__V1__STATUS__STATUS_CODE__STATUS_CODE_OK)
        #expect(spans[1].status.pointee.code == OPENTELEMETRY__PROTO__TRACE__V1__STATUS__STATUS_CODE__STATUS_CODE_ERROR)
        #expect(Self.text(spans[1].status.pointee.message) == "card declined")
    }
}
