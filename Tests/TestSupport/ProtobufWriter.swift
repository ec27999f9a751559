/// Writes protobuf wire format by hand, so tests can build OTLP requests that
/// no SDK would send (NUL bytes in strings, deep nesting, extreme timestamps).
package struct ProtobufWriter: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    private mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private mutating func tag(_ field: Int, _ wireType: UInt64) {
        varint(UInt64(field) << 3 | wireType)
    }

    package mutating func varint(_ field: Int, _ value: UInt64) {
        tag(field, 0)
        varint(value)
    }

    package mutating func fixed64(_ field: Int, _ value: UInt64) {
        tag(field, 1)
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func double(_ field: Int, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    package mutating func bytes(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    package mutating func string(_ field: Int, _ value: String) {
        bytes(field, Array(value.utf8))
    }

    package mutating func message(_ field: Int, _ value: ProtobufWriter) {
        bytes(field, value.bytes)
    }
}

/// OTLP messages (`opentelemetry.proto.*`, field numbers from the
/// specification) built with ``ProtobufWriter``.
package enum OTLPProtobuf {
    /// An `AnyValue` holding a string (given as bytes, so it may hold NULs).
    package static func stringValue(_ value: [UInt8]) -> ProtobufWriter {
        var any = ProtobufWriter()
        any.bytes(1, value)
        return any
    }

    package static func stringValue(_ value: String) -> ProtobufWriter {
        stringValue(Array(value.utf8))
    }

    /// A `KeyValue`.
    package static func keyValue(_ key: [UInt8], _ value: ProtobufWriter) -> ProtobufWriter {
        var pair = ProtobufWriter()
        pair.bytes(1, key)
        pair.message(2, value)
        return pair
    }

    package static func keyValue(_ key: String, _ value: String) -> ProtobufWriter {
        keyValue(Array(key.utf8), stringValue(value))
    }

    /// An `AnyValue` that nests `depth` containers (maps, or arrays when
    /// `arrays`), the innermost holding the string `leaf`.
    package static func nested(depth: Int, arrays: Bool = false, leaf: String = "leaf") -> ProtobufWriter {
        var value = stringValue(leaf)
        for _ in 0..<depth {
            var container = ProtobufWriter()
            var outer = ProtobufWriter()
            if arrays {
                container.message(1, value)  // ArrayValue.values
                outer.message(5, container)  // AnyValue.array_value
            } else {
                container.message(1, keyValue(Array("k".utf8), value))  // KeyValueList.values
                outer.message(6, container)  // AnyValue.kvlist_value
            }
            value = outer
        }
        return value
    }

    /// A `NumberDataPoint` with a double value.
    package static func numberPoint(
        _ value: Double, start: UInt64 = 0, time: UInt64 = 1_000, attributes: [ProtobufWriter] = [],
        exemplars: [ProtobufWriter] = []
    ) -> ProtobufWriter {
        var point = ProtobufWriter()
        point.fixed64(2, start)
        point.fixed64(3, time)
        point.double(4, value)
        for exemplar in exemplars { point.message(5, exemplar) }
        for attribute in attributes { point.message(7, attribute) }
        return point
    }

    /// An `Exemplar` with a double value and filtered attributes.
    package static func exemplar(_ value: Double, time: UInt64 = 1_000, filtered: [ProtobufWriter]) -> ProtobufWriter {
        var exemplar = ProtobufWriter()
        exemplar.fixed64(2, time)
        exemplar.double(3, value)
        for attribute in filtered { exemplar.message(7, attribute) }
        return exemplar
    }

    /// A `Metric` holding a gauge of `points`.
    package static func gauge(
        _ name: [UInt8], description: [UInt8] = [], unit: [UInt8] = [], points: [ProtobufWriter],
        metadata: [ProtobufWriter] = []
    ) -> ProtobufWriter {
        var gauge = ProtobufWriter()
        for point in points { gauge.message(1, point) }
        var metric = header(name, description, unit)
        metric.message(5, gauge)
        for entry in metadata { metric.message(12, entry) }
        return metric
    }

    package static func gauge(_ name: String, points: [ProtobufWriter], metadata: [ProtobufWriter] = []) -> ProtobufWriter {
        gauge(Array(name.utf8), points: points, metadata: metadata)
    }

    /// A `Metric` holding a cumulative (2) or delta (1) sum of `points`.
    package static func sum(
        _ name: String, monotonic: Bool = true, temporality: UInt64 = 2, points: [ProtobufWriter]
    ) -> ProtobufWriter {
        var sum = ProtobufWriter()
        for point in points { sum.message(1, point) }
        sum.varint(2, temporality)
        sum.varint(3, monotonic ? 1 : 0)
        var metric = header(Array(name.utf8), [], [])
        metric.message(7, sum)
        return metric
    }

    private static func header(_ name: [UInt8], _ description: [UInt8], _ unit: [UInt8]) -> ProtobufWriter {
        var metric = ProtobufWriter()
        metric.bytes(1, name)
        if !description.isEmpty { metric.bytes(2, description) }
        if !unit.isEmpty { metric.bytes(3, unit) }
        return metric
    }

    /// An `ExportMetricsServiceRequest`: one resource (`service.name=svc`,
    /// `service.instance.id=i1` unless given), one scope (`lib`), `metrics`.
    package static func request(
        _ metrics: [ProtobufWriter],
        resource: [ProtobufWriter] = [keyValue("service.name", "svc"), keyValue("service.instance.id", "i1")],
        scope: (name: [UInt8], version: [UInt8]) = (Array("lib".utf8), [])
    ) -> [UInt8] {
        var resourceMessage = ProtobufWriter()
        for attribute in resource { resourceMessage.message(1, attribute) }
        var scopeMessage = ProtobufWriter()
        scopeMessage.bytes(1, scope.name)
        if !scope.version.isEmpty { scopeMessage.bytes(2, scope.version) }
        var scopeMetrics = ProtobufWriter()
        scopeMetrics.message(1, scopeMessage)
        for metric in metrics { scopeMetrics.message(2, metric) }
        var resourceMetrics = ProtobufWriter()
        resourceMetrics.message(1, resourceMessage)
        resourceMetrics.message(2, scopeMetrics)
        var request = ProtobufWriter()
        request.message(1, resourceMetrics)
        return request.bytes
    }
}
