import COTLP
import Glibc
import OpenSREModel

/// Walks an unpacked `ExportTraceServiceRequest` into a ``SpanAggregator``:
/// per span only what the series key needs is read (kind, name, status, the
/// configured dimensions' values, times and IDs). Spans arrive packed and are
/// unpacked one at a time by the caller (``walk(_:unpack:)``); other
/// attributes stay as protobuf-c unpacked them; events and links are not
/// unpacked at all.
struct TraceRequestWalker {
    var aggregator: SpanAggregator
    /// Encodes resource attributes and dimension values (its builder is scratch).
    var attributes: RequestWalker
    var rejected = RejectedPoints()
    /// Which span attribute holds each dimension (reused per span).
    private var found: [UnsafeMutablePointer<CPackedKeyValue>?]

    init(rules: SpanMetricsRules, attributes: RequestWalker) {
        aggregator = SpanAggregator(rules: rules)
        self.attributes = attributes
        found = Array(repeating: nil, count: rules.dimensionKeys.count)
    }

    var failure: OTLPDecodingError? { attributes.failure }
    private var rules: SpanMetricsRules { aggregator.rules }

    /// - Parameter unpack: unpacks one span's bytes and calls its second
    ///   argument with the span (valid only during that call); false when
    ///   the bytes are not a span, which fails the request.
    mutating func walk(
        _ request: CExportTraceRequest,
        unpack: (ProtobufCBinaryData, (CSpan) -> Void) -> Bool
    ) {
        for index in 0..<request.n_resource_spans where failure == nil {
            guard let resourceSpans = request.resource_spans[index] else { continue }
            walkResource(resourceSpans.pointee, unpack: unpack)
        }
    }

    private mutating func walkResource(
        _ resourceSpans: CResourceSpans, unpack: (ProtobufCBinaryData, (CSpan) -> Void) -> Bool
    ) {
        attributes.builder.discard(from: 0)
        var service = UnsafeRawBufferPointer(start: nil, count: 0)
        if let resource = resourceSpans.resource?.pointee {
            attributes.appendAttributes(resource.attributes, count: resource.n_attributes)
            service = Self.serviceName(resource.attributes, count: resource.n_attributes) ?? service
        }
        if service.isEmpty {
            SpanMetricsRules.unknownService.withUnsafeBytes { unknown in
                attributes.builder.bytes.withUnsafeBytes { aggregator.beginResource(attributes: $0, service: unknown) }
            }
        } else {
            attributes.builder.bytes.withUnsafeBytes { aggregator.beginResource(attributes: $0, service: service) }
        }
        for index in 0..<resourceSpans.n_scope_spans where failure == nil {
            guard let scopeSpans = resourceSpans.scope_spans[index]?.pointee else { continue }
            for spanIndex in 0..<scopeSpans.n_spans where failure == nil {
                let unpacked = unpack(scopeSpans.spans[spanIndex]) { span in
                    walkSpan(span, service: service.isEmpty ? nil : service)
                }
                if !unpacked { attributes.failure = .malformedProtobuf }
            }
        }
    }

    /// The resource's `service.name` (a string), if it has one.
    private static func serviceName(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>?, count: Int
    ) -> UnsafeRawBufferPointer? {
        guard let attributes else { return nil }
        for index in 0..<count {
            guard let pair = attributes[index]?.pointee, pair.key.equals("service.name"),
                let value = pair.value?.pointee,
                value.value_case == OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE
            else { continue }
            return value.string_value.rawBytes
        }
        return nil
    }

    private mutating func walkSpan(_ span: CSpan, service: UnsafeRawBufferPointer?) {
        // The wire's int32 as sent (protobuf-c keeps any value, -1 and 2^31 too; an unknown kind is not counted).
        let kind = Int32(truncatingIfNeeded: span.kind.rawValue)
        guard rules.counts(kind: kind) else { return }
        if let problem = Self.timeProblem(start: span.start_time_unix_nano, end: span.end_time_unix_nano) {
            rejected.add(1, .invalidSpan, reason: problem)
            return
        }
        findDimensions(span.attributes, count: span.n_attributes)
        if let service {
            measure(span, kind: kind, service: service)
        } else {
            SpanMetricsRules.unknownService.withUnsafeBytes { measure(span, kind: kind, service: $0) }
        }
    }

    /// Adds a counted span under its series key.
    private mutating func measure(_ span: CSpan, kind: Int32, service: UnsafeRawBufferPointer) {
        let status = Int32(truncatingIfNeeded: span.status?.pointee.code.rawValue ?? 0)
        let encoder = attributes.encoder
        rules.encodeKey(into: encoder, service: service, kind: kind, name: span.name.rawBytes, status: status) { index in
            guard let pair = found[index] else { return false }
            encodePackedValue(pair.pointee.value)
            return true
        }
        guard failure == nil else { return }
        if let problem = Self.keyProblem(bytes: encoder.bytes.count) {
            rejected.add(1, .attributesTooLarge, reason: problem)
            return
        }
        aggregator.add(
            key: encoder.bytes, status: status, duration: span.end_time_unix_nano - span.start_time_unix_nano,
            endTime: span.end_time_unix_nano, traceID: span.trace_id.rawBytes, spanID: span.span_id.rawBytes)
    }

    /// Why a span's times make no duration, if they don't (shared with the JSON walker).
    static func timeProblem(start: UInt64, end: UInt64) -> String? {
        guard start > 0, end >= start else {
            return start == 0 || end == 0 ? "span has no start or end time" : "span ends before it starts"
        }
        return nil
    }

    /// Why a series key of this many bytes is refused, if it is (shared with the JSON walker).
    static func keyProblem(bytes: Int) -> String? {
        guard bytes > DecodedBatchBuilder.maximumAttributeBytes else { return nil }
        return "span series attributes take \(bytes) bytes (at most \(DecodedBatchBuilder.maximumAttributeBytes))"
    }

    /// A dimension's value, unpacked from its bytes (an `AnyValue`) into the
    /// request's arena and encoded; a value that is not valid protobuf
    /// refuses the request, as anywhere else in it.
    private mutating func encodePackedValue(_ bytes: ProtobufCBinaryData) {
        let allocator = attributes.allocator
        guard let value = opentelemetry__proto__common__v1__any_value__unpack(allocator, bytes.len, bytes.data) else {
            attributes.failure = .malformedProtobuf
            return
        }
        defer { if allocator == nil { opentelemetry__proto__common__v1__any_value__free_unpacked(value, nil) } }
        attributes.encodeValue(value, depth: 0)
    }

    /// Points `found[i]` at the span's attribute named like dimension i (the first one sent).
    private mutating func findDimensions(
        _ list: UnsafeMutablePointer<UnsafeMutablePointer<CPackedKeyValue>?>?, count: Int
    ) {
        for index in found.indices { found[index] = nil }
        guard let list, !found.isEmpty else { return }
        let keys = rules.dimensionKeys
        for index in 0..<count {
            guard let pair = list[index] else { continue }
            let key = pair.pointee.key
            for (dimension, wanted) in keys.enumerated() where wanted.count == key.len && found[dimension] == nil {
                if key.len == 0 || wanted.withUnsafeBytes({ memcmp($0.baseAddress!, key.data, key.len) == 0 }) {
                    found[dimension] = pair
                    break
                }
            }
        }
    }
}
