import OpenSREModel
import PrometheusExposition

/// How a stream is translated for Prometheus, decided once when the stream
/// is first seen: its family's name, type, help and unit, and the labels its
/// series carry besides their attributes (`job`, `instance`, scope labels,
/// `const_labels`, resource labels). The store keeps the result in its
/// families and label texts, so a scrape and any other reader of the
/// families see the same names: there is one translation.
struct StreamNaming {
    let namer: MetricNamer
    /// `const_labels`, named for the output.
    let constLabels: [Label]
    let withoutScopeInfo: Bool
    /// Whether label names keep UTF-8 (a translation strategy that does not escape).
    let utf8: Bool
    let resourceToTelemetryConversion: Bool

    init(settings: ExpositionSettings) {
        namer = MetricNamer(namespace: settings.namespace, strategy: settings.translationStrategy)
        utf8 = !settings.translationStrategy.escapes
        let utf8 = utf8
        constLabels = settings.constLabels.compactMap { key, value in
            LabelNamer.name(for: key, utf8: utf8).map { Label($0, value) }
        }
        withoutScopeInfo = settings.withoutScopeInfo
        resourceToTelemetryConversion = settings.resourceToTelemetryConversion
    }

    /// One stream's translation.
    struct Translation {
        /// The OpenTelemetry metric name.
        let metric: String
        let description: String
        /// The family's name; nil when the metric name translates to none (`invalid_name`).
        let name: String?
        let type: PrometheusMetricType
        /// The family's unit (empty for none).
        let unit: String
        /// HELP: the description, or the metric name without one.
        var help: String { description.isEmpty ? metric : description }
        /// `job`, `instance`, scope and const labels, sorted by name, empty values left out.
        let fixedLabels: [Label]
        /// Resource attributes turned into labels (`resource_to_telemetry_conversion`).
        let resourceLabels: [Attribute]
        /// Label names attributes must not take.
        let reservedLabels: Set<String>
        let resource: [Attribute]
        let identity: ResourceIdentity
    }

    func translate(_ decoded: DecodedStream, bytes: UnsafeRawBufferPointer) -> Translation {
        func text(_ range: SliceRange) -> String { String(decoding: bytes[slice: range], as: UTF8.self) }
        let resource = AttributeDecoder.decode(bytes[slice: decoded.resource])
        let identity = ResourceIdentity(resource)

        // Collector-derived labels win over const labels of the same name.
        var fixed = [Label("job", identity.job), Label("instance", identity.instance)]
        if !withoutScopeInfo {
            fixed += Self.scopeLabels(
                name: text(decoded.scopeName), version: text(decoded.scopeVersion),
                schemaURL: text(decoded.scopeSchemaURL),
                attributes: AttributeDecoder.decode(bytes[slice: decoded.scopeAttributes]), utf8: utf8)
        }
        let derived = Set(fixed.map(\.name))
        fixed += constLabels.filter { !derived.contains($0.name) }
        fixed = fixed.filter { !$0.value.isEmpty }.sorted { $0.name < $1.name }

        let reserved: Set<String> =
            switch decoded.kind {
            case .histogram, .exponentialHistogram: Self.reservedForHistograms
            case .summary: Self.reservedForSummaries
            default: []
            }
        let metric = text(decoded.name)
        let unit = text(decoded.unit)
        let (type, namingKind) = Self.prometheusType(of: decoded)
        return Translation(
            metric: metric, description: text(decoded.description),
            name: namer.name(for: metric, unit: unit, kind: namingKind), type: type, unit: namer.unit(for: unit),
            fixedLabels: fixed, resourceLabels: resourceToTelemetryConversion ? resource : [],
            reservedLabels: reserved, resource: resource, identity: identity)
    }

    /// Label names attributes must not take, shared by every stream of the kind.
    private static let reservedForHistograms: Set<String> = ["le"]
    private static let reservedForSummaries: Set<String> = ["quantile"]

    /// The Prometheus type of a stream, and how its name is suffixed. A gauge
    /// whose metadata says `prometheus.type=unknown` is untyped but named as a
    /// gauge (compatibility spec, "Gauges"; the Collector's exporter).
    static func prometheusType(of stream: DecodedStream) -> (PrometheusMetricType, NamingKind) {
        switch stream.kind {
        case .gauge: return (stream.isPrometheusUnknown ? .untyped : .gauge, .gauge)
        case .sum: return stream.isMonotonic ? (.counter, .monotonicCounter) : (.gauge, .other)
        case .histogram, .exponentialHistogram: return (.histogram, .other)
        case .summary: return (.summary, .other)
        }
    }

    /// `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and
    /// `otel_scope_<attribute>`; scope attributes that would take one of the
    /// first three names are dropped (compatibility spec).
    static func scopeLabels(
        name: String, version: String, schemaURL: String, attributes: [Attribute], utf8: Bool
    ) -> [Label] {
        let reserved = ["otel_scope_name", "otel_scope_version", "otel_scope_schema_url"]
        var labels = [
            Label(reserved[0], name), Label(reserved[1], version), Label(reserved[2], schemaURL),
        ]
        let prefixed = attributes.map { Attribute("otel_scope_" + $0.key, $0.value) }
        let attributeLabels = LabelSetBuilder.labels(fixed: [], attributes: prefixed, utf8: utf8)
        labels += attributeLabels.filter { !reserved.contains($0.name) }
        return labels
    }
}
