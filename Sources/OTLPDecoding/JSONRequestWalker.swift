#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import OpenSREModel

/// Walks the JSON tree into a batch builder (same calls as ``RequestWalker``).
struct JSONRequestWalker {
    var builder: DecodedBatchBuilder
    /// Whether a point attribute whose key escapes to no label is refused.
    let escapesLabelNames: Bool
    /// Points (time or start time) later than this are refused.
    let latestTime: UInt64
    var rejected = RejectedPoints()
    /// Where each attribute set is encoded before it is copied into the batch.
    let encoder = AttributeEncoder(capacity: 1024)

    typealias Shape = JSONShapeError

    mutating func walk(_ root: JSONValue) throws(Shape) {
        guard case .object = root else { throw Shape(message: "the request is not a JSON object") }
        for (index, resourceMetrics) in try list(root["resourceMetrics", alternate: "resource_metrics"], "resourceMetrics").enumerated() {
            try walkResource(resourceMetrics, path: "resourceMetrics[\(index)]")
        }
    }

    private mutating func walkResource(_ node: JSONValue, path: String) throws(Shape) {
        let start = builder.mark
        if let resource = node["resource"] {
            try appendAttributes(resource["attributes"], path: "\(path).resource.attributes")
        }
        builder.endResource(attributesFrom: start)
        for (index, scopeMetrics) in try list(node["scopeMetrics", alternate: "scope_metrics"], "\(path).scopeMetrics").enumerated() {
            try walkScope(scopeMetrics, path: "\(path).scopeMetrics[\(index)]")
        }
    }

    private mutating func walkScope(_ node: JSONValue, path: String) throws(Shape) {
        let scope = node["scope"]
        var name = try text(scope?["name"], "\(path).scope.name")
        var version = try text(scope?["version"], "\(path).scope.version")
        var schemaURL = try text(node["schemaUrl", alternate: "schema_url"], "\(path).schemaUrl")
        name.withUTF8 { nameBytes in
            version.withUTF8 { versionBytes in
                schemaURL.withUTF8 { schemaBytes in
                    builder.setScope(
                        name: UnsafeRawBufferPointer(nameBytes), version: UnsafeRawBufferPointer(versionBytes),
                        schemaURL: UnsafeRawBufferPointer(schemaBytes))
                }
            }
        }
        let start = builder.mark
        try appendAttributes(scope?["attributes"], path: "\(path).scope.attributes")
        builder.endScope(attributesFrom: start)
        for (index, metric) in try list(node["metrics"], "\(path).metrics").enumerated() {
            try walkMetric(metric, path: "\(path).metrics[\(index)]")
        }
    }

    private mutating func walkMetric(_ node: JSONValue, path: String) throws(Shape) {
        let name = try text(node["name"], "\(path).name")
        let description = try text(node["description"], "\(path).description")
        let unit = try text(node["unit"], "\(path).unit")
        if let problem = OTLPLimits.metadataProblem(
            name: name.utf8.count, description: description.utf8.count, unit: unit.utf8.count,
            metricName: { name })
        {
            rejected.add(try pointCount(node, path: path), .metadataTooLong, reason: problem)
            return
        }
        let unknownType = Self.isPrometheusUnknown(node)
        func begin(_ kind: MetricKind, _ temporality: Temporality, _ monotonic: Bool) {
            var name = name
            var description = description
            var unit = unit
            name.withUTF8 { n in
                description.withUTF8 { d in
                    unit.withUTF8 { u in
                        builder.beginStream(
                            name: UnsafeRawBufferPointer(n), description: UnsafeRawBufferPointer(d),
                            unit: UnsafeRawBufferPointer(u), kind: kind, temporality: temporality, isMonotonic: monotonic,
                            isPrometheusUnknown: kind == .gauge && unknownType)
                    }
                }
            }
        }
        if let gauge = node["gauge"] {
            begin(.gauge, .unspecified, false)
            try walkNumberPoints(gauge, path: "\(path).gauge")
        } else if let sum = node["sum"] {
            let points = try list(sum["dataPoints", alternate: "data_points"], "\(path).sum.dataPoints")
            guard let temporality = try temporality(sum, path: "\(path).sum"), temporality != .unspecified else {
                rejected.add(points.count, .missingTemporality, reason: "sum \(name) has no aggregation temporality")
                return
            }
            let monotonic = try flag(sum["isMonotonic", alternate: "is_monotonic"], "\(path).sum.isMonotonic")
            begin(.sum, temporality, monotonic)
            try walkNumberPoints(sum, path: "\(path).sum")
        } else if let histogram = node["histogram"] {
            let points = try list(histogram["dataPoints", alternate: "data_points"], "\(path).histogram.dataPoints")
            guard let temporality = try temporality(histogram, path: "\(path).histogram"), temporality != .unspecified
            else {
                rejected.add(points.count, .missingTemporality, reason: "histogram \(name) has no aggregation temporality")
                return
            }
            begin(.histogram, temporality, true)
            for (index, point) in points.enumerated() {
                try walkHistogramPoint(point, path: "\(path).histogram.dataPoints[\(index)]")
            }
        } else if let histogram = node["exponentialHistogram", alternate: "exponential_histogram"] {
            let field = "\(path).exponentialHistogram"
            let points = try list(histogram["dataPoints", alternate: "data_points"], "\(field).dataPoints")
            guard let temporality = try temporality(histogram, path: field), temporality != .unspecified else {
                rejected.add(
                    points.count, .missingTemporality,
                    reason: "exponential histogram \(name) has no aggregation temporality")
                return
            }
            begin(.exponentialHistogram, temporality, true)
            for (index, point) in points.enumerated() {
                try walkExponentialPoint(point, path: "\(field).dataPoints[\(index)]")
            }
        } else if let summary = node["summary"] {
            begin(.summary, .cumulative, false)
            for (index, point) in try list(summary["dataPoints", alternate: "data_points"], "\(path).summary.dataPoints").enumerated() {
                try walkSummaryPoint(point, path: "\(path).summary.dataPoints[\(index)]")
            }
        } else {
            return  // no data: nothing to accept or reject
        }
        builder.endStream()
    }

    /// How many points a metric carries, whatever its type.
    private func pointCount(_ node: JSONValue, path: String) throws(Shape) -> Int {
        for kind in ["gauge", "sum", "histogram", "exponentialHistogram", "summary"] {
            let snake = kind == "exponentialHistogram" ? "exponential_histogram" : kind
            if let data = node[kind, alternate: snake] {
                return try list(data["dataPoints", alternate: "data_points"], "\(path).\(kind).dataPoints").count
            }
        }
        return 0
    }

    /// Whether the metric's `metadata` says `prometheus.type` = `unknown`
    /// (first entry with that key decides, as in the protobuf path). Metadata
    /// is read leniently: nothing else in it is used.
    private static func isPrometheusUnknown(_ node: JSONValue) -> Bool {
        guard case .array(let entries)? = node["metadata"] else { return false }
        for entry in entries {
            guard case .string(let key)? = entry["key"], key == "\(OTLPLimits.prometheusTypeKey)" else { continue }
            guard case .string(let value)? = entry["value"]?["stringValue", alternate: "string_value"] else {
                return false
            }
            return value == "\(OTLPLimits.prometheusTypeUnknown)"
        }
        return false
    }

    private func temporality(_ node: JSONValue, path: String) throws(Shape) -> Temporality? {
        let field = "\(path).aggregationTemporality"
        guard let value = node["aggregationTemporality", alternate: "aggregation_temporality"] else { return .unspecified }
        if case .string(let name) = value {
            switch name {
            case "AGGREGATION_TEMPORALITY_DELTA": return .delta
            case "AGGREGATION_TEMPORALITY_CUMULATIVE": return .cumulative
            case "AGGREGATION_TEMPORALITY_UNSPECIFIED": return .unspecified
            default: break
            }
        }
        let raw = try signed(value, field)
        return Temporality(rawValue: UInt8(clamping: max(raw, 0))) ?? .unspecified
    }

    // MARK: Points

    private mutating func walkNumberPoints(_ node: JSONValue, path: String) throws(Shape) {
        for (index, point) in try list(node["dataPoints", alternate: "data_points"], "\(path).dataPoints").enumerated() {
            let field = "\(path).dataPoints[\(index)]"
            let flags = try unsigned32(point["flags"], "\(field).flags")
            let value: Double
            if let double = point["asDouble", alternate: "as_double"] {
                value = try self.double(double, "\(field).asDouble")
            } else if let int = point["asInt", alternate: "as_int"] {
                value = Double(try signed(int, "\(field).asInt"))
            } else if flags & DataPointFlags.noRecordedValue != 0 {
                value = .nan
            } else {
                rejected.add(1, .missingValue, reason: "number data point has no value")
                continue
            }
            let startTime = try time(point, "startTimeUnixNano", field)
            let time = try time(point, "timeUnixNano", field)
            guard try admits(point, start: startTime, time: time, path: "\(field).attributes") else { continue }
            try appendExemplars(point, path: field)
            let start = builder.mark
            guard try appendPointAttributes(point, path: "\(field).attributes") else { continue }
            builder.addNumberPoint(attributesFrom: start, startTime: startTime, time: time, value: value, flags: flags)
        }
    }

    private mutating func walkHistogramPoint(_ point: JSONValue, path: String) throws(Shape) {
        let flags = try unsigned32(point["flags"], "\(path).flags")
        let count = try unsigned(point["count"], "\(path).count")
        let bounds = try list(point["explicitBounds", alternate: "explicit_bounds"], "\(path).explicitBounds")
            .enumerated().map { (index, bound) throws(Shape) in try double(bound, "\(path).explicitBounds[\(index)]") }
        let buckets = try list(point["bucketCounts", alternate: "bucket_counts"], "\(path).bucketCounts")
            .enumerated().map { (index, bucket) throws(Shape) in try unsigned(bucket, "\(path).bucketCounts[\(index)]") }
        let sum = try point["sum"].map { (value) throws(Shape) in try double(value, "\(path).sum") }
        let problem = bounds.withUnsafeBufferPointer { b in
            buckets.withUnsafeBufferPointer { c in HistogramValidation.problem(bounds: b, buckets: c, count: count) }
        }
        if flags & DataPointFlags.noRecordedValue == 0, let problem {
            rejected.add(1, .invalidHistogram, reason: problem)
            return
        }
        let startTime = try time(point, "startTimeUnixNano", path)
        let time = try time(point, "timeUnixNano", path)
        guard try admits(point, start: startTime, time: time, path: "\(path).attributes") else { return }
        try appendExemplars(point, path: path)
        let start = builder.mark
        guard try appendPointAttributes(point, path: "\(path).attributes") else { return }
        bounds.withUnsafeBufferPointer { b in
            buckets.withUnsafeBufferPointer { c in
                builder.addHistogramPoint(
                    attributesFrom: start, startTime: startTime, time: time, count: count, sum: sum, bounds: b,
                    bucketCounts: c, flags: flags)
            }
        }
    }

    private mutating func walkExponentialPoint(_ point: JSONValue, path: String) throws(Shape) {
        let flags = try unsigned32(point["flags"], "\(path).flags")
        let count = try unsigned(point["count"], "\(path).count")
        let sum = try point["sum"].map { (value) throws(Shape) in try double(value, "\(path).sum") }
        let scale = try signed32(point["scale"] ?? .number("0"), "\(path).scale")
        let zeroCount = try unsigned(point["zeroCount", alternate: "zero_count"], "\(path).zeroCount")
        let zeroThreshold = try point["zeroThreshold", alternate: "zero_threshold"]
            .map { (value) throws(Shape) in try double(value, "\(path).zeroThreshold") } ?? 0
        let positive = try exponentialBuckets(point["positive"], "\(path).positive")
        let negative = try exponentialBuckets(point["negative"], "\(path).negative")
        let problem = positive.counts.withUnsafeBufferPointer { p in
            negative.counts.withUnsafeBufferPointer { n in
                ExponentialHistogramValidation.problem(
                    scale: scale, hasSum: sum != nil, zeroThreshold: zeroThreshold, zeroCount: zeroCount,
                    positiveOffset: positive.offset, positive: p, negativeOffset: negative.offset, negative: n,
                    count: count)
            }
        }
        if flags & DataPointFlags.noRecordedValue == 0, let problem {
            rejected.add(1, .invalidExponentialHistogram, reason: problem)
            return
        }
        let startTime = try time(point, "startTimeUnixNano", path)
        let time = try time(point, "timeUnixNano", path)
        guard try admits(point, start: startTime, time: time, path: "\(path).attributes") else { return }
        try appendExemplars(point, path: path)
        let start = builder.mark
        guard try appendPointAttributes(point, path: "\(path).attributes") else { return }
        positive.counts.withUnsafeBufferPointer { p in
            negative.counts.withUnsafeBufferPointer { n in
                builder.addExponentialHistogramPoint(
                    attributesFrom: start, startTime: startTime, time: time, count: count, sum: sum, scale: scale,
                    zeroCount: zeroCount, zeroThreshold: zeroThreshold, positiveOffset: positive.offset, positive: p,
                    negativeOffset: negative.offset, negative: n, flags: flags)
            }
        }
    }

    private func exponentialBuckets(_ node: JSONValue?, _ path: String) throws(Shape) -> (offset: Int32, counts: [UInt64]) {
        guard let node else { return (0, []) }
        let offset = try signed32(node["offset"] ?? .number("0"), "\(path).offset")
        let counts = try list(node["bucketCounts", alternate: "bucket_counts"], "\(path).bucketCounts")
            .enumerated().map { (index, count) throws(Shape) in try unsigned(count, "\(path).bucketCounts[\(index)]") }
        return (offset, counts)
    }

    private mutating func walkSummaryPoint(_ point: JSONValue, path: String) throws(Shape) {
        let startTime = try time(point, "startTimeUnixNano", path)
        let time = try time(point, "timeUnixNano", path)
        guard try admits(point, start: startTime, time: time, path: "\(path).attributes") else { return }
        let quantilesStart = builder.quantileMark
        for (index, pair) in try list(point["quantileValues", alternate: "quantile_values"], "\(path).quantileValues").enumerated() {
            let field = "\(path).quantileValues[\(index)]"
            builder.appendQuantile(
                try double(pair["quantile"] ?? .number("0"), "\(field).quantile"),
                value: try double(pair["value"] ?? .number("0"), "\(field).value"))
        }
        let start = builder.mark
        guard try appendPointAttributes(point, path: "\(path).attributes") else { return }
        builder.addSummaryPoint(
            attributesFrom: start, quantilesFrom: quantilesStart, startTime: startTime,
            time: time, count: try unsigned(point["count"], "\(path).count"),
            sum: try double(point["sum"] ?? .number("0"), "\(path).sum"),
            flags: try unsigned32(point["flags"], "\(path).flags"))
    }

    private mutating func appendExemplars(_ point: JSONValue, path: String) throws(Shape) {
        for (index, exemplar) in try list(point["exemplars"], "\(path).exemplars").enumerated() {
            let field = "\(path).exemplars[\(index)]"
            let value: Double
            if let double = exemplar["asDouble", alternate: "as_double"] {
                value = try self.double(double, "\(field).asDouble")
            } else if let int = exemplar["asInt", alternate: "as_int"] {
                value = Double(try signed(int, "\(field).asInt"))
            } else {
                continue
            }
            let trace = try hex(exemplar["traceId", alternate: "trace_id"], "\(field).traceId")
            let span = try hex(exemplar["spanId", alternate: "span_id"], "\(field).spanId")
            let start = builder.mark
            try appendAttributes(exemplar["filteredAttributes", alternate: "filtered_attributes"], path: "\(field).filteredAttributes")
            let exemplarTime = try time(exemplar, "timeUnixNano", field)
            trace.withUnsafeBytes { traceBytes in
                span.withUnsafeBytes { spanBytes in
                    builder.addExemplar(
                        value: value, time: exemplarTime, traceID: traceBytes, spanID: spanBytes,
                        filteredAttributesFrom: start)
                }
            }
        }
    }

    // MARK: Attributes

    /// Refuses (and reports) a point timestamped too far ahead, or with an
    /// attribute whose key makes no label (as the protobuf path).
    private mutating func admits(_ point: JSONValue, start: UInt64, time: UInt64, path: String) throws(Shape) -> Bool {
        if OTLPLimits.isTooFarAhead(start: start, time: time, latest: latestTime) {
            rejected.add(1, .futureTimestamp, reason: OTLPLimits.futureReason)
            return false
        }
        let pairs = try list(point["attributes"], path)
        guard pairs.count <= DecodedBatchBuilder.maximumAttributes else { return true }
        for (index, pair) in pairs.enumerated() {
            var key = try text(pair["key"], "\(path)[\(index)].key")
            let makesLabel = key.withUTF8 { LabelNameRule.makesLabel(UnsafeRawBufferPointer($0), escaping: escapesLabelNames) }
            if !makesLabel {
                rejected.add(1, .invalidLabelName, reason: key.withUTF8 { LabelNameRule.refusal(UnsafeRawBufferPointer($0)) })
                return false
            }
        }
        return true
    }

    /// A point's attributes, refused (and reported) when too many or too large.
    private mutating func appendPointAttributes(_ point: JSONValue, path: String) throws(Shape) -> Bool {
        let start = builder.mark
        let count = try list(point["attributes"], path).count
        if count <= DecodedBatchBuilder.maximumAttributes {
            try appendAttributes(point["attributes"], path: path)
        }
        if let problem = builder.refuseOversizedAttributes(from: start, count: count) {
            rejected.add(1, .attributesTooLarge, reason: problem)
            return false
        }
        return true
    }

    /// Writes a `KeyValue` list in canonical form, sorted by key bytes (as the
    /// protobuf path): encoded by the encoder, then appended to the batch in one copy.
    mutating func appendAttributes(_ node: JSONValue?, path: String) throws(Shape) {
        // `index` is the position sent: error paths name the pair as sent, not its sorted place.
        var pairs: [(key: String, value: JSONValue?, index: Int)] = []
        for (index, pair) in try list(node, path).enumerated() {
            pairs.append((try text(pair["key"], "\(path)[\(index)].key"), pair["value"], index))
        }
        pairs.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        encoder.reset()
        for pair in pairs {
            var key = pair.key
            key.withUTF8 { encoder.appendKey($0.baseAddress, count: $0.count) }
            try appendValue(pair.value, path: "\(path)[\(pair.index)].value", depth: 0)
        }
        AttributeEncoder.appendRaw(encoder.bytes, to: &builder.bytes)
    }

    /// One `AnyValue`; `depth` counts the lists and maps around it, and one
    /// more past ``OTLPLimits/maximumValueNesting`` refuses the request.
    mutating func appendValue(_ node: JSONValue?, path: String, depth: Int) throws(Shape) {
        guard let node, case .object(let members) = node, let (kind, value) = members.first(where: { Self.valueKeys.contains($0.key) }) else {
            encoder.appendEmpty()
            return
        }
        switch kind {
        case "stringValue", "string_value":
            var string = try text(value, "\(path).stringValue")
            string.withUTF8 { encoder.appendString($0.baseAddress, count: $0.count) }
        case "boolValue", "bool_value":
            encoder.appendBool(try flag(value, "\(path).boolValue"))
        case "intValue", "int_value":
            encoder.appendInt(try signed(value, "\(path).intValue"))
        case "doubleValue", "double_value":
            encoder.appendDouble(try double(value, "\(path).doubleValue"))
        case "bytesValue", "bytes_value":
            guard case .string(let encoded) = value, let raw = Self.base64(encoded) else {
                throw Shape(message: "\(path).bytesValue: expected base64")
            }
            raw.withUnsafeBytes { encoder.appendBytes($0.baseAddress, count: $0.count) }
        case "arrayValue", "array_value":
            guard depth < OTLPLimits.maximumValueNesting else {
                throw Shape(.valueNestingTooDeep(limit: OTLPLimits.maximumValueNesting))
            }
            let values = try list(value["values"], "\(path).arrayValue.values")
            encoder.appendContainer(.array, count: values.count)
            for (index, element) in values.enumerated() {
                try appendValue(element, path: "\(path).arrayValue.values[\(index)]", depth: depth + 1)
            }
        default:  // kvlistValue
            guard depth < OTLPLimits.maximumValueNesting else {
                throw Shape(.valueNestingTooDeep(limit: OTLPLimits.maximumValueNesting))
            }
            let entries = try list(value["values"], "\(path).kvlistValue.values")
            encoder.appendContainer(.map, count: entries.count)
            for (index, entry) in entries.enumerated() {
                var key = try text(entry["key"], "\(path).kvlistValue.values[\(index)].key")
                key.withUTF8 { encoder.appendKey($0.baseAddress, count: $0.count) }
                try appendValue(entry["value"], path: "\(path).kvlistValue.values[\(index)].value", depth: depth + 1)
            }
        }
    }

    static let valueKeys: Set<String> = [
        "stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue",
        "string_value", "bool_value", "int_value", "double_value", "array_value", "kvlist_value", "bytes_value",
    ]

    // MARK: Scalars

    func list(_ node: JSONValue?, _ path: String) throws(Shape) -> [JSONValue] {
        switch node {
        case nil, .null?: return []
        case .array(let values)?: return values
        default: throw Shape(message: "\(path): expected an array")
        }
    }

    func text(_ node: JSONValue?, _ path: String) throws(Shape) -> String {
        switch node {
        case nil, .null?: return ""
        case .string(let value)?: return value
        default: throw Shape(message: "\(path): expected a string")
        }
    }

    private func flag(_ node: JSONValue?, _ path: String) throws(Shape) -> Bool {
        switch node {
        case nil, .null?: return false
        case .bool(let value)?: return value
        default: throw Shape(message: "\(path): expected true or false")
        }
    }

    /// int64: a JSON number or a decimal string.
    func signed(_ node: JSONValue, _ path: String) throws(Shape) -> Int64 {
        switch node {
        case .number(let text): if let value = Int64(text) { return value }
        case .string(let text): if let value = Int64(text) { return value }
        case .null: return 0
        default: break
        }
        throw Shape(message: "\(path): expected a 64-bit integer")
    }

    /// uint64 / fixed64: a JSON number or a decimal string.
    func unsigned(_ node: JSONValue?, _ path: String) throws(Shape) -> UInt64 {
        switch node {
        case nil, .null?: return 0
        case .number(let text)?: if let value = UInt64(text) { return value }
        case .string(let text)?: if let value = UInt64(text) { return value }
        default: break
        }
        throw Shape(message: "\(path): expected an unsigned 64-bit integer")
    }

    /// sint32 / int32 fields: a value outside Int32 is a malformed request, never clamped.
    func signed32(_ node: JSONValue, _ path: String) throws(Shape) -> Int32 {
        guard let narrow = Int32(exactly: try signed(node, path)) else {
            throw Shape(message: "\(path): expected a 32-bit integer")
        }
        return narrow
    }

    private func unsigned32(_ node: JSONValue?, _ path: String) throws(Shape) -> UInt32 {
        let value = try unsigned(node, path)
        guard let narrow = UInt32(exactly: value) else { throw Shape(message: "\(path): expected a 32-bit integer") }
        return narrow
    }

    /// double: a JSON number, or a string holding a number, `NaN`, `Infinity` or `-Infinity`.
    private func double(_ node: JSONValue, _ path: String) throws(Shape) -> Double {
        switch node {
        case .number(let text): if let value = Double(text) { return value }
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let text): if let value = Double(text), value.isFinite { return value }
        default: break
        }
        throw Shape(message: "\(path): expected a number")
    }

    private func time(_ node: JSONValue, _ key: String, _ path: String) throws(Shape) -> UInt64 {
        let snake = key == "startTimeUnixNano" ? "start_time_unix_nano" : "time_unix_nano"
        return try unsigned(node[key, alternate: snake], "\(path).\(key)")
    }

    /// `bytes` fields: base64 (RFC 4648), standard or URL-safe alphabet,
    /// padding optional. The text is brought to the padded standard form
    /// Foundation decodes: `-`/`_` become `+`/`/`, every `=` is dropped (the
    /// decoder has always ignored them, wherever they stood) and the padding
    /// is put back. A lone final character holds 6 bits, too few for a byte:
    /// `A==` (zero bits) completes its quantum, so Foundation still checks it
    /// is in the alphabet, and the byte that makes is dropped. Anything
    /// outside the two alphabets is refused.
    private static func base64(_ text: String) -> [UInt8]? {
        var normalized: [UInt8] = []
        normalized.reserveCapacity(text.utf8.count + 3)
        for character in text.utf8 {
            switch character {
            case UInt8(ascii: "="): continue
            case UInt8(ascii: "-"): normalized.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): normalized.append(UInt8(ascii: "/"))
            default: normalized.append(character)
            }
        }
        let missing = (4 - normalized.count % 4) % 4
        if missing == 3 { normalized.append(UInt8(ascii: "A")) }
        normalized += repeatElement(UInt8(ascii: "="), count: min(missing, 2))
        guard let data = Data(base64Encoded: Data(normalized)) else { return nil }
        return Array(data.dropLast(missing == 3 ? 1 : 0))
    }

    /// Trace and span ids are hex in OTLP/JSON (not base64).
    func hex(_ node: JSONValue?, _ path: String) throws(Shape) -> [UInt8] {
        let text = try self.text(node, path)
        guard text.utf8.count % 2 == 0 else { throw Shape(message: "\(path): expected hex") }
        var bytes: [UInt8] = []
        var high: UInt8?
        for character in text.utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: throw Shape(message: "\(path): expected hex")
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}
