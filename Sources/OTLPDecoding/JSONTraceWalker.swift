import OpenSREModel

/// Walks an OTLP/JSON `ExportTraceServiceRequest` into a ``SpanAggregator``
/// as ``TraceRequestWalker`` walks the protobuf one: same counted kinds, same
/// refusals, and series keys byte-identical to that path's. A span of a kind
/// not counted is skipped unread (its fields are not checked); a counted
/// span's key fields, times and IDs are read, and a wrong type there is an
/// error naming its path, e.g. `resourceSpans[0].scopeSpans[0].spans[0].name`.
struct JSONTraceWalker {
    var aggregator: SpanAggregator
    /// Reads scalars and encodes resource attributes and dimension values (its builder is scratch).
    var attributes: JSONRequestWalker
    var rejected = RejectedPoints()
    /// Each dimension's attribute on the current span, with its position for error paths (reused per span).
    private var found: [(position: Int, value: JSONValue?)?]

    typealias Shape = JSONShapeError

    init(rules: SpanMetricsRules, attributes: JSONRequestWalker) {
        aggregator = SpanAggregator(rules: rules)
        self.attributes = attributes
        found = Array(repeating: nil, count: rules.dimensionKeys.count)
    }

    private var rules: SpanMetricsRules { aggregator.rules }

    mutating func walk(_ root: JSONValue) throws(Shape) {
        guard case .object = root else { throw Shape(message: "the request is not a JSON object") }
        let resources = try attributes.list(root["resourceSpans", alternate: "resource_spans"], "resourceSpans")
        for (index, resourceSpans) in resources.enumerated() {
            try walkResource(resourceSpans, path: "resourceSpans[\(index)]")
        }
    }

    private mutating func walkResource(_ node: JSONValue, path: String) throws(Shape) {
        let resourceAttributes = node["resource"]?["attributes"]
        attributes.builder.discard(from: 0)
        try attributes.appendAttributes(resourceAttributes, path: "\(path).resource.attributes")
        var service = SpanMetricsRules.unknownService
        if let name = Self.serviceName(try attributes.list(resourceAttributes, "\(path).resource.attributes")), !name.isEmpty {
            service = Array(name.utf8)
        }
        service.withUnsafeBytes { service in
            attributes.builder.bytes.withUnsafeBytes { aggregator.beginResource(attributes: $0, service: service) }
        }
        let scopes = try attributes.list(node["scopeSpans", alternate: "scope_spans"], "\(path).scopeSpans")
        for (index, scopeSpans) in scopes.enumerated() {
            let scopePath = "\(path).scopeSpans[\(index)]"
            for (spanIndex, span) in try attributes.list(scopeSpans["spans"], "\(scopePath).spans").enumerated() {
                try walkSpan(span, service: service, path: "\(scopePath).spans[\(spanIndex)]")
            }
        }
    }

    /// The first `service.name` attribute holding a string (as the protobuf path picks it).
    private static func serviceName(_ pairs: [JSONValue]) -> String? {
        for pair in pairs {
            guard case .string("service.name")? = pair["key"], case .object(let members)? = pair["value"],
                let (kind, value) = members.first(where: { JSONRequestWalker.valueKeys.contains($0.key) }),
                kind == "stringValue" || kind == "string_value", case .string(let name) = value
            else { continue }
            return name
        }
        return nil
    }

    private mutating func walkSpan(_ span: JSONValue, service: [UInt8], path: String) throws(Shape) {
        let kind = try enumeration(span["kind"], SpanMetricsConfiguration.spanKindNames, "\(path).kind")
        guard rules.counts(kind: kind) else { return }
        let start = try attributes.unsigned(
            span["startTimeUnixNano", alternate: "start_time_unix_nano"], "\(path).startTimeUnixNano")
        let end = try attributes.unsigned(span["endTimeUnixNano", alternate: "end_time_unix_nano"], "\(path).endTimeUnixNano")
        var name = try attributes.text(span["name"], "\(path).name")
        let status = try enumeration(
            span["status"]?["code"], SpanMetricsConfiguration.statusCodeNames, "\(path).status.code")
        let traceID = try attributes.hex(span["traceId", alternate: "trace_id"], "\(path).traceId")
        let spanID = try attributes.hex(span["spanId", alternate: "span_id"], "\(path).spanId")
        try findDimensions(span["attributes"], path: "\(path).attributes")
        if let problem = TraceRequestWalker.timeProblem(start: start, end: end) {
            rejected.add(1, .invalidSpan, reason: problem)
            return
        }
        let encoder = attributes.encoder
        // encodeKey's callback cannot throw: the first shape error is kept and thrown after.
        var failure: Shape?
        service.withUnsafeBytes { service in
            name.withUTF8 { name in
                rules.encodeKey(
                    into: encoder, service: service, kind: kind, name: UnsafeRawBufferPointer(name), status: status
                ) { index in
                    guard let (position, value) = found[index] else { return false }
                    do throws(Shape) {
                        try attributes.appendValue(value, path: "\(path).attributes[\(position)].value", depth: 0)
                    } catch {
                        failure = failure ?? error
                    }
                    return true
                }
            }
        }
        if let failure { throw failure }
        if let problem = TraceRequestWalker.keyProblem(bytes: encoder.bytes.count) {
            rejected.add(1, .attributesTooLarge, reason: problem)
            return
        }
        traceID.withUnsafeBytes { traceID in
            spanID.withUnsafeBytes { spanID in
                aggregator.add(
                    key: encoder.bytes, status: status, duration: end - start, endTime: end, traceID: traceID,
                    spanID: spanID)
            }
        }
    }

    /// Points `found[i]` at the span's attribute named like dimension i (the first one sent).
    private mutating func findDimensions(_ node: JSONValue?, path: String) throws(Shape) {
        for index in found.indices { found[index] = nil }
        let keys = rules.dimensionKeys
        for (position, pair) in try attributes.list(node, path).enumerated() {
            let key = try attributes.text(pair["key"], "\(path)[\(position)].key")
            for (dimension, wanted) in keys.enumerated()
            where found[dimension] == nil && key.utf8.count == wanted.count && key.utf8.elementsEqual(wanted) {
                found[dimension] = (position, pair["value"])
                break
            }
        }
    }

    /// An enum field: its number, or its name (`names` is indexed by number). Absent is 0.
    private func enumeration(_ node: JSONValue?, _ names: [String], _ path: String) throws(Shape) -> Int32 {
        guard let node else { return 0 }
        if case .string(let text) = node {
            if let number = names.firstIndex(of: text) { return Int32(number) }
            guard Int64(text) != nil else { throw Shape(message: "\(path): expected an enum name or number") }
        }
        return try attributes.signed32(node, path)
    }
}
