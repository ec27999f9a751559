/// OTLP trace messages (`opentelemetry.proto.trace.v1`, field numbers from the
/// specification) built with ``ProtobufWriter``, for span-metrics tests.
package enum OTLPTraceProtobuf {
    /// An `AnyValue` holding an int.
    package static func intValue(_ value: Int64) -> ProtobufWriter {
        var any = ProtobufWriter()
        any.varint(3, UInt64(bitPattern: value))
        return any
    }

    /// A `KeyValue` with an int value.
    package static func keyValue(_ key: String, _ value: Int64) -> ProtobufWriter {
        OTLPProtobuf.keyValue(Array(key.utf8), intValue(value))
    }

    /// A `Span`: kind 2 is SERVER; status code 2 is ERROR; times in Unix ns.
    package static func span(
        _ name: String, kind: UInt64 = 2, start: UInt64 = 1_000_000_000, milliseconds: Double,
        status: UInt64 = 0, attributes: [ProtobufWriter] = [], traceID: [UInt8] = Array(1...16),
        spanID: [UInt8] = Array(repeating: 7, count: 8), name nameBytes: [UInt8]? = nil
    ) -> ProtobufWriter {
        var span = ProtobufWriter()
        span.bytes(1, traceID)
        span.bytes(2, spanID)
        span.bytes(5, nameBytes ?? Array(name.utf8))
        span.varint(6, kind)
        span.fixed64(7, start)
        span.fixed64(8, start &+ UInt64(milliseconds * 1_000_000))
        for attribute in attributes { span.message(9, attribute) }
        if status != 0 {
            var message = ProtobufWriter()
            message.varint(3, status)
            span.message(15, message)
        }
        return span
    }

    /// A span with explicit start and end times (for invalid spans).
    package static func span(_ name: String, start: UInt64, end: UInt64) -> ProtobufWriter {
        var span = ProtobufWriter()
        span.bytes(5, Array(name.utf8))
        span.varint(6, 2)
        span.fixed64(7, start)
        span.fixed64(8, end)
        return span
    }

    /// An `ExportTraceServiceRequest` of one resource (`service.name`,
    /// `service.instance.id`) and one scope holding `spans`.
    package static func request(_ spans: [ProtobufWriter], service: String = "checkout", instance: String = "i1") -> [UInt8] {
        var resource = ProtobufWriter()
        resource.message(1, OTLPProtobuf.keyValue("service.name", service))
        resource.message(1, OTLPProtobuf.keyValue("service.instance.id", instance))
        var scope = ProtobufWriter()
        scope.bytes(1, Array("io.opentelemetry.flask".utf8))
        var scopeSpans = ProtobufWriter()
        scopeSpans.message(1, scope)
        for span in spans { scopeSpans.message(2, span) }
        var resourceSpans = ProtobufWriter()
        resourceSpans.message(1, resource)
        resourceSpans.message(2, scopeSpans)
        var request = ProtobufWriter()
        request.message(1, resourceSpans)
        return request.bytes
    }
}
