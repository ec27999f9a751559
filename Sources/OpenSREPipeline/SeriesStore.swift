import OpenSREModel
import PrometheusExposition

/// The aggregated state of every series, and its rendering as Prometheus text.
///
/// Owned by the batching processor's thread: nothing here is synchronized.
/// A point is found in two steps, both without allocating: its stream by the
/// hash and bytes of (resource, scope, metric name), computed once per request;
/// then its series by the hash and bytes of its attributes, computed by the
/// decoder. Names and label text are rendered once, when a stream or series is
/// first seen, so a scrape only copies bytes and formats numbers.
package final class SeriesStore {
    private let settings: ExpositionSettings
    private let namer: MetricNamer
    private let constLabels: [Label]
    private var streams = SeriesTable<MetricStream>()
    private var families: [String: MetricFamily] = [:]
    private var sortedFamilies: [MetricFamily]?
    private var lastRenderSize = 4096
    package private(set) var statistics = ProcessorStatistics()

    package init(settings: ExpositionSettings = ExpositionSettings()) {
        self.settings = settings
        namer = MetricNamer(namespace: settings.namespace)
        constLabels = settings.constLabels.compactMap { key, value in
            LabelNamer.sanitize(key).map { Label($0, value) }
        }
    }

    /// Number of series currently exposed.
    package var seriesCount: Int {
        families.values.reduce(0) { $0 + $1.seriesCount }
    }

    /// Folds every point of `batch` into its series.
    package func apply(_ batch: DecodedBatch) {
        batch.bytes.withUnsafeBytes { bytes in
            batch.points.withUnsafeBufferPointer { points in
                for stream in batch.streams {
                    let target = self.stream(for: stream, bytes: bytes)
                    if let refusal = target.refusal {
                        switch refusal {
                        case .invalidName: statistics.rejectedInvalidName += Int(stream.pointCount)
                        case .typeConflict: statistics.rejectedTypeConflict += Int(stream.pointCount)
                        }
                        continue
                    }
                    for index in stream.pointRange {
                        apply(points[index], of: target, batch: batch, bytes: bytes)
                    }
                }
            }
        }
    }

    private func apply(_ point: DecodedPoint, of stream: MetricStream, batch: DecodedBatch, bytes: UnsafeRawBufferPointer) {
        let key = bytes[slice: point.attributes]
        var series = stream.series.find(hash: point.attributesHash, key: key)
        if let found = series, found.isRemoved {
            stream.series.remove(hash: point.attributesHash, key: key)
            series = nil
        }
        if point.flags & DataPointFlags.noRecordedValue != 0 {
            if let series {
                stream.series.remove(hash: point.attributesHash, key: key)
                stream.family?.remove(series)
                statistics.removedSeries += 1
            }
            return
        }
        var isNew = false
        if series == nil {
            let created = makeSeries(for: stream, attributes: key)
            stream.series.insert(hash: point.attributesHash, key: Array(key), value: created.series)
            series = created.series
            isNew = created.isNew
        }
        let outcome = fold(point, into: &series!.state, stream: stream, batch: batch, isNew: isNew)
        switch outcome {
        case .applied: statistics.acceptedPoints += 1
        case .ignoredOutOfOrder: statistics.ignoredOutOfOrder += 1
        case .rejectedOverlap: statistics.rejectedOverlap += 1
        }
    }

    private func fold(
        _ point: DecodedPoint, into state: inout SeriesState, stream: MetricStream, batch: DecodedBatch, isNew: Bool
    ) -> SeriesState.Outcome {
        switch stream.kind {
        case .gauge:
            return state.applyLatest(value: point.value, startTime: point.startTime, time: point.time, isNew: isNew)
        case .sum:
            if stream.temporality == .delta {
                return state.applyDelta(value: point.value, startTime: point.startTime, time: point.time, isNew: isNew)
            }
            return state.applyLatest(value: point.value, startTime: point.startTime, time: point.time, isNew: isNew)
        case .histogram:
            return state.applyHistogram(
                point, bounds: batch.doubles[point.doubles.range], counts: batch.counts[point.counts.range],
                delta: stream.temporality == .delta, isNew: isNew)
        case .summary:
            return state.applySummary(point, quantiles: batch.doubles[point.doubles.range], isNew: isNew)
        case .exponentialHistogram:
            return .applied  // never decoded into a batch yet
        }
    }

    // MARK: Creating streams and series

    private func stream(for decoded: DecodedStream, bytes: UnsafeRawBufferPointer) -> MetricStream {
        let identity = bytes[slice: decoded.identity]
        if let existing = streams.find(hash: decoded.identityHash, key: identity) {
            return existing
        }
        let created = makeStream(decoded, bytes: bytes)
        streams.insert(hash: decoded.identityHash, key: Array(identity), value: created)
        return created
    }

    private func makeStream(_ decoded: DecodedStream, bytes: UnsafeRawBufferPointer) -> MetricStream {
        func text(_ range: SliceRange) -> String { String(decoding: bytes[slice: range], as: UTF8.self) }
        let metricName = text(decoded.name)
        let (type, namingKind) = Self.prometheusType(of: decoded)
        let resource = AttributeDecoder.decode(bytes[slice: decoded.resource])
        var fixed = constLabels
        let identity = ResourceIdentity(resource)
        fixed.append(Label("job", identity.job))
        fixed.append(Label("instance", identity.instance))
        fixed.append(Label("otel_scope_name", text(decoded.scopeName)))
        fixed.append(Label("otel_scope_version", text(decoded.scopeVersion)))
        fixed = fixed.filter { !$0.value.isEmpty }.sorted { $0.name < $1.name }
        let reserved: Set<String> =
            switch decoded.kind {
            case .histogram, .exponentialHistogram: ["le"]
            case .summary: ["quantile"]
            default: []
            }
        guard let name = namer.name(for: metricName, unit: text(decoded.unit), kind: namingKind) else {
            return MetricStream(
                kind: decoded.kind, temporality: decoded.temporality, family: nil, refusal: .invalidName,
                fixedLabels: fixed, reservedLabels: reserved)
        }
        let description = text(decoded.description)
        let family: MetricFamily
        if let existing = families[name] {
            guard existing.type == type else {
                return MetricStream(
                    kind: decoded.kind, temporality: decoded.temporality, family: nil, refusal: .typeConflict,
                    fixedLabels: fixed, reservedLabels: reserved)
            }
            family = existing
            if family.help == metricName, !description.isEmpty { family.help = description }
        } else {
            family = MetricFamily(name: name, type: type, help: description.isEmpty ? metricName : description)
            families[name] = family
            sortedFamilies = nil
        }
        return MetricStream(
            kind: decoded.kind, temporality: decoded.temporality, family: family, refusal: nil,
            fixedLabels: fixed, reservedLabels: reserved)
    }

    private func makeSeries(for stream: MetricStream, attributes: UnsafeRawBufferPointer) -> (series: Series, isNew: Bool) {
        let labels = LabelSetBuilder.labels(
            fixed: stream.fixedLabels, attributes: AttributeDecoder.decode(attributes),
            reserved: stream.reservedLabels)
        return stream.family!.series(labelText: ExpositionWriter.labelText(labels))
    }

    /// The Prometheus type of a stream, and how its name is suffixed.
    static func prometheusType(of stream: DecodedStream) -> (PrometheusMetricType, NamingKind) {
        switch stream.kind {
        case .gauge: return (.gauge, .gauge)
        case .sum: return stream.isMonotonic ? (.counter, .monotonicCounter) : (.gauge, .other)
        case .histogram, .exponentialHistogram: return (.histogram, .other)
        case .summary: return (.summary, .other)
        }
    }

    // MARK: Rendering

    /// The whole exposition, families sorted by name and series by labels.
    package func render() -> [UInt8] {
        var writer = ExpositionWriter(capacity: lastRenderSize + lastRenderSize / 8)
        if sortedFamilies == nil {
            sortedFamilies = families.values.sorted { $0.name < $1.name }
        }
        for family in sortedFamilies! where !family.isEmpty {
            writer.appendHelp(name: family.nameBytes, help: family.help)
            writer.appendType(name: family.nameBytes, type: family.type)
            for series in family.sortedSeries() {
                Self.render(series, of: family, into: &writer)
            }
        }
        lastRenderSize = writer.bytes.count
        return writer.bytes
    }

    private static func render(_ series: Series, of family: MetricFamily, into writer: inout ExpositionWriter) {
        let state = series.state
        let name = family.nameBytes
        let labels = series.labelText
        switch family.type {
        case .counter, .gauge, .untyped:
            writer.appendSample(name: name, labels: labels, value: state.value)
        case .histogram:
            var cumulative: UInt64 = 0
            for (index, bound) in state.bounds.enumerated() {
                cumulative &+= state.buckets[index]
                writer.appendSample(
                    name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: bound,
                    value: Double(cumulative))
            }
            writer.appendSample(
                name: name, suffix: "_bucket", labels: labels, extraLabel: "le", extraValue: .infinity,
                value: Double(state.count))
            if state.hasSum {
                writer.appendSample(name: name, suffix: "_sum", labels: labels, value: state.value)
            }
            writer.appendSample(name: name, suffix: "_count", labels: labels, value: Double(state.count))
        case .summary:
            var index = 0
            while index + 1 < state.quantiles.count {
                writer.appendSample(
                    name: name, suffix: "", labels: labels, extraLabel: "quantile",
                    extraValue: state.quantiles[index], value: state.quantiles[index + 1])
                index += 2
            }
            writer.appendSample(name: name, suffix: "_sum", labels: labels, value: state.value)
            writer.appendSample(name: name, suffix: "_count", labels: labels, value: Double(state.count))
        }
    }
}

/// `job` and `instance` of a resource, by the compatibility spec:
/// `job` = `service.namespace/service.name` (or `service.name` alone),
/// `instance` = `service.instance.id`; empty when absent.
struct ResourceIdentity {
    var job = ""
    var instance = ""

    init(_ attributes: [Attribute]) {
        var name = ""
        var namespace = ""
        for attribute in attributes {
            switch attribute.key {
            case "service.name": name = AttributeText.labelValue(attribute.value)
            case "service.namespace": namespace = AttributeText.labelValue(attribute.value)
            case "service.instance.id": instance = AttributeText.labelValue(attribute.value)
            default: break
            }
        }
        job = namespace.isEmpty ? name : namespace + "/" + name
    }
}
