import OTLPDecoding
import OpenSREModel
import Yams

/// The traces pipeline and the `spanmetrics` connector it exports into: the
/// Collector's shape, where the connector is the traces pipeline's exporter
/// and a receiver of the metrics pipeline.
extension ConfigurationParser {
    static let spanMetricsKeys = [
        "dimensions", "exclude_dimensions", "histogram", "exemplars", "metrics_expiration",
        "aggregation_cardinality_limit", "namespace", "span_kinds", "aggregation_temporality",
        "metrics_flush_interval", "dimensions_cache_size", "resource_metrics_cache_size", "metric_timestamp_cache_size",
        "resource_metrics_key_attributes", "calls_dimensions", "events", "include_instrumentation_scope",
    ]

    /// The Collector's keys for what OpenSRE does not derive: refused with
    /// why, since accepting them would show other series than the file asks for.
    static let unsupportedSpanMetricsKeys = [
        "calls_dimensions": "dimensions on calls only are not supported: list them in dimensions (both metrics)",
        "histogram.dimensions": "dimensions on duration only are not supported: list them in dimensions (both metrics)",
        "events": "span event metrics (events) are not supported",
        "include_instrumentation_scope": "instrumentation scope dimensions are not supported",
    ]

    mutating func parseTracesPipeline(_ node: Node, at path: String) {
        var lists: [String: [String]] = [:]
        for (key, value) in reader.mapping(node, at: path, allowed: ["receivers", "processors", "exporters"]) {
            lists[key] = reader.stringList(value, at: "\(path).\(key)")
        }
        let receiverIDs = references(lists["receivers"], at: "\(path).receivers", defined: receivers, kind: "receiver")
        if lists["receivers"] == nil { reader.fail("\(path).receivers", "missing: list the otlp receiver", node) }
        if let id = receiverIDs.first {
            if metricsReceiverIDs.isEmpty {
                parseOTLPReceiver(receivers[id]!, at: "receivers.\(id)")
            } else if !metricsReceiverIDs.contains(id) || receiverIDs.count > 1 {
                reader.fail(
                    "\(path).receivers", "one otlp receiver serves both pipelines: list \(metricsReceiverIDs[0]) here too", node)
            }
        }
        // Spans are not batched (each request is folded into span metrics at
        // once); batch and memory_limiter are accepted here so files carry over.
        for (index, id) in (lists["processors"] ?? []).enumerated() {
            let type = id.split(separator: "/").first.map(String.init) ?? ""
            guard processors[id] != nil, ["batch", "memory_limiter"].contains(type) else {
                reader.fail(
                    "\(path).processors[\(index)]",
                    "a traces pipeline takes only batch and memory_limiter processors (defined in processors), got \"\(id)\"", node)
                continue
            }
            usedIDs.insert(id)
        }
        let exporterIDs = lists["exporters"] ?? []
        guard exporterIDs.count == 1, let connector = exporterIDs.first, connectors[connector] != nil else {
            reader.fail(
                "\(path).exporters",
                "a traces pipeline exports into exactly one spanmetrics connector (defined in connectors); spans are not stored or forwarded",
                node)
            return
        }
        guard metricsConnectorIDs.contains(where: { $0.connector == connector }) else {
            reader.fail(
                "\(path).exporters", "connector \"\(connector)\" must also be listed as a receiver of the metrics pipeline", node)
            return
        }
        usedIDs.formUnion(receiverIDs + [connector])
        let spans = parseSpanMetrics(connectors[connector]!, at: "connectors.\(connector)")
        configuration.spanMetrics = spans
        configuration.exporter.exposition.derivedExpiration = spans.metricsExpiration
    }

    /// An SLO that reads the span duration histogram with `le` gets that
    /// bound among its buckets: "faster than 300 ms" is then counted exactly,
    /// from each span's own duration (the bound is in the histogram's unit).
    mutating func addSLOThresholdsToSpanDurations() {
        guard let spans = configuration.spanMetrics, let definitions = configuration.slo?.definitions else { return }
        let thresholds = definitions.flatMap { [$0.total, $0.good, $0.bad].compactMap { $0 } }
            .filter { $0.metric == spans.durationName }
            .compactMap(\.lessOrEqual)
        configuration.spanMetrics = spans.addingBounds(thresholds)
    }

    private mutating func parseSpanMetrics(_ node: Node, at path: String) -> SpanMetricsConfiguration {
        var settings = SpanMetricsConfiguration()
        var excluded: [String] = []
        for (key, value) in reader.mapping(node, at: path, allowed: Self.spanMetricsKeys) {
            let keyPath = "\(path).\(key)"
            switch key {
            case "dimensions": settings.dimensions = dimensions(value, at: keyPath)
            case "exclude_dimensions": excluded = reader.stringList(value, at: keyPath)
            case "histogram": histogram(value, at: keyPath, into: &settings)
            case "exemplars":
                for (flag, flagNode) in reader.mapping(value, at: keyPath, allowed: ["enabled", "max_per_data_point"]) {
                    if flag == "enabled" {
                        if let enabled = reader.bool(flagNode, at: "\(keyPath).enabled") { settings.exemplars = enabled }
                    } else {
                        // One per point and request (the slowest span) and one per bucket kept.
                        _ = reader.integer(flagNode, at: "\(keyPath).\(flag)", minimum: 1)
                    }
                }
            case "metrics_expiration":
                if let duration = duration(value, at: keyPath) { settings.metricsExpiration = duration }
            case "aggregation_cardinality_limit":
                if let limit = reader.integer(value, at: keyPath, minimum: 0) { settings.cardinalityLimit = limit }
            case "namespace":
                if let namespace = reader.string(value, at: keyPath) { settings.namespace = namespace }
            case "span_kinds":
                settings.spanKinds = spanKinds(value, at: keyPath)
            case "aggregation_temporality":
                guard let text = reader.string(value, at: keyPath) else { continue }
                if text != "AGGREGATION_TEMPORALITY_CUMULATIVE" {
                    reader.fail(
                        keyPath, "only AGGREGATION_TEMPORALITY_CUMULATIVE: span metrics are cumulative from when OpenSRE first counted them",
                        value)
                }
            case "resource_metrics_key_attributes":
                _ = reader.stringList(value, at: keyPath)
                configuration.warnings.append(
                    "\(keyPath) is ignored: span series are keyed by job and instance like every series (other resource attributes go to target_info), so attributes that change across restarts do not split them")
            case _ where Self.unsupportedSpanMetricsKeys[key] != nil:
                reader.fail(keyPath, Self.unsupportedSpanMetricsKeys[key]!, value)
            default:
                // metrics_flush_interval and the Collector's cache sizes.
                configuration.warnings.append("\(keyPath) is ignored: spans are folded into span metrics as each request arrives")
            }
        }
        if !excluded.isEmpty { settings.dimensions.removeAll { excluded.contains($0.name) } }
        return settings
    }

    private mutating func dimensions(_ node: Node, at path: String) -> [SpanMetricsConfiguration.Dimension] {
        guard case .sequence(let items) = node else {
            reader.fail(path, "expected a list of { name, default }", node)
            return []
        }
        var result: [SpanMetricsConfiguration.Dimension] = []
        for (index, item) in items.enumerated() {
            let itemPath = "\(path)[\(index)]"
            var dimension = SpanMetricsConfiguration.Dimension(name: "")
            for (key, value) in reader.mapping(item, at: itemPath, allowed: ["name", "default"]) {
                guard let text = reader.string(value, at: "\(itemPath).\(key)") else { continue }
                if key == "name" { dimension.name = text } else { dimension.defaultValue = text }
            }
            guard !dimension.name.isEmpty else {
                reader.fail("\(itemPath).name", "missing: the span attribute to key by", item)
                continue
            }
            result.append(dimension)
        }
        return result
    }

    private mutating func spanKinds(_ node: Node, at path: String) -> Set<Int32> {
        var kinds: Set<Int32> = []
        for (index, name) in reader.stringList(node, at: path).enumerated() {
            guard let kind = SpanMetricsConfiguration.spanKindNames.firstIndex(of: name) else {
                reader.fail(
                    "\(path)[\(index)]",
                    "unknown span kind \"\(name)\" (expected one of: \(SpanMetricsConfiguration.spanKindNames.joined(separator: ", ")))",
                    node)
                continue
            }
            kinds.insert(Int32(kind))
        }
        return kinds
    }

    /// `histogram: { unit, disable, explicit: { buckets }, exponential: { max_size } }`.
    private mutating func histogram(_ node: Node, at path: String, into settings: inout SpanMetricsConfiguration) {
        let entries = reader.mapping(node, at: path, allowed: ["unit", "disable", "explicit", "exponential", "dimensions"])
        if entries.contains(where: { $0.key == "explicit" }), entries.contains(where: { $0.key == "exponential" }) {
            reader.fail(path, "explicit and exponential cannot both be set", node)
            return
        }
        var bucketNode: (Node, String)?
        for (key, value) in entries {
            let keyPath = "\(path).\(key)"
            switch key {
            case "unit":
                guard let text = reader.string(value, at: keyPath) else { continue }
                guard let unit = SpanMetricsConfiguration.Unit(rawValue: text) else {
                    reader.fail(keyPath, "expected s or ms, got \"\(text)\"", value)
                    continue
                }
                settings.unit = unit
            case "disable":
                if let flag = reader.bool(value, at: keyPath) { settings.histogramDisabled = flag }
            case "dimensions":
                reader.fail(keyPath, Self.unsupportedSpanMetricsKeys["histogram.dimensions"]!, value)
            case "explicit":
                for (_, buckets) in reader.mapping(value, at: keyPath, allowed: ["buckets"]) {
                    bucketNode = (buckets, "\(keyPath).buckets")
                }
            default:
                var maxSize = 160
                for (_, size) in reader.mapping(value, at: keyPath, allowed: ["max_size"]) {
                    maxSize = reader.integer(size, at: "\(keyPath).max_size", minimum: 2, maximum: 4096) ?? maxSize
                }
                settings.buckets = .exponential(maxSize: maxSize)
            }
        }
        // Bounds are read once the unit is known: "100ms" is 0.1 in seconds, 100 in milliseconds.
        if let (buckets, bucketsPath) = bucketNode {
            settings.buckets = .explicit(bounds(buckets, at: bucketsPath, unit: settings.unit))
        }
    }

    /// Bucket bounds: durations (`2ms`, `1s`, as the Collector writes them) or
    /// plain numbers in the histogram's unit; increasing.
    private mutating func bounds(_ node: Node, at path: String, unit: SpanMetricsConfiguration.Unit) -> [Double] {
        var result: [Double] = []
        for (index, text) in reader.stringList(node, at: path).enumerated() {
            let itemPath = "\(path)[\(index)]"
            let value: Double
            if let number = Double(text), number.isFinite {
                value = number
            } else if let duration = DurationText.parse(text) {
                value = Double(duration.nanoseconds) / unit.nanoseconds
            } else {
                reader.fail(itemPath, "expected a duration such as 100ms or a number of \(unit.rawValue), got \"\(text)\"", node)
                continue
            }
            if let last = result.last, value <= last {
                reader.fail(itemPath, "bucket bounds must increase", node)
                continue
            }
            result.append(value)
        }
        if result.isEmpty { reader.fail(path, "at least one bucket bound is needed", node) }
        return result
    }
}
