import COTLP
import Glibc
import OpenSREModel

/// The outcome of decoding one export request.
package struct OTLPDecodeResult: Sendable {
    /// Everything accepted, ready for the processor's ring.
    package var batch: DecodedBatch
    /// Points refused while decoding (unsupported type, invalid histogram...).
    package var rejected: RejectedPoints
}

/// Decodes `ExportMetricsServiceRequest` protobuf bodies with libprotobuf-c.
///
/// One decoder per event loop, used only from that loop: it owns an arena that
/// every request is unpacked into and that is reset afterwards, so unpacking
/// costs no malloc per message. The decoder walks the C structs once, copies
/// what it keeps into a ``DecodedBatch`` (attributes in canonical, sorted,
/// hashed form) and never keeps a C pointer past ``decode(_:)``.
package final class OTLPProtobufDecoder {
    private let arena: UnsafeMutablePointer<COTLPArena>
    private let memoryLimit: Int
    /// Reused scratch space for sorting attribute pointers by key.
    private var sortScratch: [UnsafeMutablePointer<CKeyValue>] = []
    /// Reused space for encoding one attribute set.
    private let attributeScratch = AttributeScratch()

    /// Whether unpacking goes through the arena (always, except to measure the difference).
    private let useArena: Bool

    /// - Parameters:
    ///   - initialArenaBytes: first size of the reusable arena block; it grows to
    ///     what requests need (up to 64 MiB) and is reused afterwards.
    ///   - memoryLimit: most bytes one request may unpack into; a request that
    ///     needs more fails with ``OTLPDecodingError/decodedMessageTooLarge(limit:)``.
    ///   - useArena: false unpacks with libprotobuf-c's default malloc/free and
    ///     no memory limit; only the benchmarks use it, to show what the arena saves.
    package init(initialArenaBytes: Int = 1 << 20, memoryLimit: Int = 512 << 20, useArena: Bool = true) {
        guard let arena = cotlp_arena_create(initialArenaBytes, memoryLimit) else {
            fatalError("out of memory creating the OTLP decode arena")
        }
        self.arena = arena
        self.memoryLimit = memoryLimit
        self.useArena = useArena
    }

    deinit {
        cotlp_arena_destroy(arena)
    }

    /// Decodes one request body (already decompressed).
    package func decode(_ body: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> OTLPDecodeResult {
        defer { cotlp_arena_reset(arena) }
        let allocator =
            useArena ? UnsafeMutableRawPointer(arena).assumingMemoryBound(to: ProtobufCAllocator.self) : nil
        let base = body.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard
            let request = opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(
                allocator, body.count, base)
        else {
            if arena.pointee.exhausted != 0 {
                throw .decodedMessageTooLarge(limit: memoryLimit)
            }
            throw .malformedProtobuf
        }
        var walker = RequestWalker(
            builder: DecodedBatchBuilder(expectedBytes: body.count, expectedPoints: body.count / 64),
            sortScratch: sortScratch, scratch: attributeScratch)
        walker.walk(request.pointee)
        if !useArena {
            opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__free_unpacked(request, nil)
        }
        sortScratch = walker.sortScratch
        return OTLPDecodeResult(batch: walker.builder.finish(), rejected: walker.rejected)
    }
}

/// Walks the unpacked C structs of one request into a batch builder.
struct RequestWalker {
    var builder: DecodedBatchBuilder
    var sortScratch: [UnsafeMutablePointer<CKeyValue>]
    let scratch: AttributeScratch
    var rejected = RejectedPoints()

    mutating func walk(_ request: CExportRequest) {
        for index in 0..<request.n_resource_metrics {
            guard let resourceMetrics = request.resource_metrics[index] else { continue }
            walkResource(resourceMetrics.pointee)
        }
    }

    private mutating func walkResource(_ resourceMetrics: CResourceMetrics) {
        let start = builder.mark
        if let resource = resourceMetrics.resource {
            appendAttributes(resource.pointee.attributes, count: resource.pointee.n_attributes)
        }
        builder.endResource(attributesFrom: start)
        for index in 0..<resourceMetrics.n_scope_metrics {
            guard let scopeMetrics = resourceMetrics.scope_metrics[index] else { continue }
            walkScope(scopeMetrics.pointee)
        }
    }

    private mutating func walkScope(_ scopeMetrics: CScopeMetrics) {
        if let scope = scopeMetrics.scope {
            builder.setScope(
                name: scope.pointee.name.rawBytes, version: scope.pointee.version.rawBytes,
                schemaURL: scopeMetrics.schema_url.rawBytes)
            let start = builder.mark
            appendAttributes(scope.pointee.attributes, count: scope.pointee.n_attributes)
            builder.endScope(attributesFrom: start)
        } else {
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            builder.setScope(name: empty, version: empty, schemaURL: scopeMetrics.schema_url.rawBytes)
            builder.endScope(attributesFrom: builder.mark)
        }
        for index in 0..<scopeMetrics.n_metrics {
            guard let metric = scopeMetrics.metrics[index] else { continue }
            walkMetric(metric.pointee)
        }
    }

    private mutating func walkMetric(_ metric: CMetric) {
        switch metric.data_case {
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_GAUGE:
            guard let gauge = metric.gauge else { return }
            begin(metric, kind: .gauge, temporality: .unspecified, monotonic: false)
            walkNumberPoints(gauge.pointee.data_points, count: gauge.pointee.n_data_points)
            builder.endStream()
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM:
            guard let sum = metric.sum else { return }
            let temporality = Temporality(rawValue: UInt8(clamping: sum.pointee.aggregation_temporality.rawValue))
            guard let temporality, temporality != .unspecified else {
                rejected.add(sum.pointee.n_data_points, .missingTemporality, reason: "sum \(metricName(metric)) has no aggregation temporality")
                return
            }
            begin(metric, kind: .sum, temporality: temporality, monotonic: sum.pointee.is_monotonic != 0)
            walkNumberPoints(sum.pointee.data_points, count: sum.pointee.n_data_points)
            builder.endStream()
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM:
            guard let histogram = metric.histogram else { return }
            let temporality = Temporality(rawValue: UInt8(clamping: histogram.pointee.aggregation_temporality.rawValue))
            guard let temporality, temporality != .unspecified else {
                rejected.add(
                    histogram.pointee.n_data_points, .missingTemporality,
                    reason: "histogram \(metricName(metric)) has no aggregation temporality")
                return
            }
            begin(metric, kind: .histogram, temporality: temporality, monotonic: true)
            walkHistogramPoints(histogram.pointee.data_points, count: histogram.pointee.n_data_points)
            builder.endStream()
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_EXPONENTIAL_HISTOGRAM:
            guard let histogram = metric.exponential_histogram else { return }
            let temporality = Temporality(rawValue: UInt8(clamping: histogram.pointee.aggregation_temporality.rawValue))
            guard let temporality, temporality != .unspecified else {
                rejected.add(
                    histogram.pointee.n_data_points, .missingTemporality,
                    reason: "exponential histogram \(metricName(metric)) has no aggregation temporality")
                return
            }
            begin(metric, kind: .exponentialHistogram, temporality: temporality, monotonic: true)
            walkExponentialPoints(histogram.pointee.data_points, count: histogram.pointee.n_data_points)
            builder.endStream()
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUMMARY:
            guard let summary = metric.summary else { return }
            begin(metric, kind: .summary, temporality: .cumulative, monotonic: false)
            walkSummaryPoints(summary.pointee.data_points, count: summary.pointee.n_data_points)
            builder.endStream()
        default:
            // A metric with no data carries no points: nothing to accept or reject.
            return
        }
    }

    private func metricName(_ metric: CMetric) -> String {
        String(decoding: metric.name.rawBytes, as: UTF8.self)
    }

    private mutating func begin(_ metric: CMetric, kind: MetricKind, temporality: Temporality, monotonic: Bool) {
        builder.beginStream(
            name: metric.name.rawBytes, description: metric.description.rawBytes,
            unit: metric.unit.rawBytes, kind: kind, temporality: temporality, isMonotonic: monotonic)
    }

    private mutating func walkNumberPoints(
        _ points: UnsafeMutablePointer<UnsafeMutablePointer<CNumberDataPoint>?>?, count: Int
    ) {
        guard let points else { return }
        for index in 0..<count {
            guard let point = points[index]?.pointee else { continue }
            let value: Double
            switch point.value_case {
            case OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_DOUBLE:
                value = point.as_double
            case OPENTELEMETRY__PROTO__METRICS__V1__NUMBER_DATA_POINT__VALUE_AS_INT:
                value = Double(point.as_int)
            default:
                guard point.flags & DataPointFlags.noRecordedValue != 0 else {
                    rejected.add(1, .missingValue, reason: "number data point has no value")
                    continue
                }
                value = .nan
            }
            appendExemplars(point.exemplars, count: point.n_exemplars)
            let start = builder.mark
            guard appendPointAttributes(point.attributes, count: point.n_attributes, from: start) else { continue }
            builder.addNumberPoint(
                attributesFrom: start, startTime: point.start_time_unix_nano,
                time: point.time_unix_nano, value: value, flags: point.flags)
        }
    }

    private mutating func walkHistogramPoints(
        _ points: UnsafeMutablePointer<UnsafeMutablePointer<CHistogramDataPoint>?>?, count: Int
    ) {
        guard let points else { return }
        for index in 0..<count {
            guard let point = points[index]?.pointee else { continue }
            let bounds = UnsafeBufferPointer(start: point.explicit_bounds, count: point.n_explicit_bounds)
            let buckets = UnsafeBufferPointer(start: point.bucket_counts, count: point.n_bucket_counts)
            if point.flags & DataPointFlags.noRecordedValue == 0,
                let problem = HistogramValidation.problem(bounds: bounds, buckets: buckets, count: point.count)
            {
                rejected.add(1, .invalidHistogram, reason: problem)
                continue
            }
            let hasSum = point._sum_case == OPENTELEMETRY__PROTO__METRICS__V1__HISTOGRAM_DATA_POINT___SUM_SUM
            appendExemplars(point.exemplars, count: point.n_exemplars)
            let start = builder.mark
            guard appendPointAttributes(point.attributes, count: point.n_attributes, from: start) else { continue }
            builder.addHistogramPoint(
                attributesFrom: start, startTime: point.start_time_unix_nano, time: point.time_unix_nano,
                count: point.count, sum: hasSum ? point.sum : nil, bounds: bounds,
                bucketCounts: buckets, flags: point.flags)
        }
    }

    private mutating func walkSummaryPoints(
        _ points: UnsafeMutablePointer<UnsafeMutablePointer<CSummaryDataPoint>?>?, count: Int
    ) {
        guard let points else { return }
        for index in 0..<count {
            guard let point = points[index]?.pointee else { continue }
            let quantilesStart = builder.quantileMark
            for quantileIndex in 0..<point.n_quantile_values {
                guard let pair = point.quantile_values[quantileIndex]?.pointee else { continue }
                builder.appendQuantile(pair.quantile, value: pair.value)
            }
            let start = builder.mark
            guard appendPointAttributes(point.attributes, count: point.n_attributes, from: start) else { continue }
            builder.addSummaryPoint(
                attributesFrom: start, quantilesFrom: quantilesStart,
                startTime: point.start_time_unix_nano, time: point.time_unix_nano,
                count: point.count, sum: point.sum, flags: point.flags)
        }
    }

    private mutating func walkExponentialPoints(
        _ points: UnsafeMutablePointer<UnsafeMutablePointer<CExponentialDataPoint>?>?, count: Int
    ) {
        guard let points else { return }
        for index in 0..<count {
            guard let point = points[index]?.pointee else { continue }
            let hasSum = point._sum_case == OPENTELEMETRY__PROTO__METRICS__V1__EXPONENTIAL_HISTOGRAM_DATA_POINT___SUM_SUM
            let positive = Self.buckets(point.positive)
            let negative = Self.buckets(point.negative)
            if point.flags & DataPointFlags.noRecordedValue == 0,
                let problem = ExponentialHistogramValidation.problem(
                    scale: point.scale, hasSum: hasSum, zeroThreshold: point.zero_threshold,
                    zeroCount: point.zero_count, positiveOffset: positive.offset, positive: positive.counts,
                    negativeOffset: negative.offset, negative: negative.counts, count: point.count)
            {
                rejected.add(1, .invalidExponentialHistogram, reason: problem)
                continue
            }
            appendExemplars(point.exemplars, count: point.n_exemplars)
            let start = builder.mark
            guard appendPointAttributes(point.attributes, count: point.n_attributes, from: start) else { continue }
            builder.addExponentialHistogramPoint(
                attributesFrom: start, startTime: point.start_time_unix_nano, time: point.time_unix_nano,
                count: point.count, sum: hasSum ? point.sum : nil, scale: point.scale, zeroCount: point.zero_count,
                zeroThreshold: point.zero_threshold, positiveOffset: positive.offset, positive: positive.counts,
                negativeOffset: negative.offset, negative: negative.counts, flags: point.flags)
        }
    }

    private static func buckets(
        _ buckets: UnsafeMutablePointer<CExponentialBuckets>?
    ) -> (offset: Int32, counts: UnsafeBufferPointer<UInt64>) {
        guard let buckets = buckets?.pointee else { return (0, UnsafeBufferPointer(start: nil, count: 0)) }
        return (buckets.offset, UnsafeBufferPointer(start: buckets.bucket_counts, count: buckets.n_bucket_counts))
    }

    // MARK: Exemplars

    private mutating func appendExemplars(
        _ exemplars: UnsafeMutablePointer<UnsafeMutablePointer<CExemplar>?>?, count: Int
    ) {
        guard let exemplars else { return }
        for index in 0..<count {
            guard let exemplar = exemplars[index]?.pointee else { continue }
            let value: Double
            switch exemplar.value_case {
            case OPENTELEMETRY__PROTO__METRICS__V1__EXEMPLAR__VALUE_AS_DOUBLE: value = exemplar.as_double
            case OPENTELEMETRY__PROTO__METRICS__V1__EXEMPLAR__VALUE_AS_INT: value = Double(exemplar.as_int)
            default: continue
            }
            let start = builder.mark
            appendAttributes(exemplar.filtered_attributes, count: exemplar.n_filtered_attributes)
            builder.addExemplar(
                value: value, time: exemplar.time_unix_nano,
                traceID: UnsafeRawBufferPointer(start: exemplar.trace_id.data, count: exemplar.trace_id.len),
                spanID: UnsafeRawBufferPointer(start: exemplar.span_id.data, count: exemplar.span_id.len),
                filteredAttributesFrom: start)
        }
    }

    // MARK: Attributes

    /// A point's attributes, refused (and reported) when too many or too large;
    /// the count is checked before anything is sorted or copied.
    private mutating func appendPointAttributes(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>?, count: Int, from start: Int
    ) -> Bool {
        if count <= DecodedBatchBuilder.maximumAttributes {
            appendAttributes(attributes, count: count)
        }
        if let problem = builder.refuseOversizedAttributes(from: start, count: count) {
            rejected.add(1, .attributesTooLarge, reason: problem)
            return false
        }
        return true
    }

    /// Writes `attributes` in canonical form, sorted by key: encoded in the
    /// scratch space, then appended to the batch in one copy.
    private mutating func appendAttributes(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>?, count: Int
    ) {
        guard let attributes, count > 0 else { return }
        scratch.reset()
        if Self.isSorted(attributes, count: count) {
            for index in 0..<count {
                if let pair = attributes[index] { encodeEntry(pair) }
            }
        } else {
            sortScratch.removeAll(keepingCapacity: true)
            for index in 0..<count {
                if let pair = attributes[index] { sortScratch.append(pair) }
            }
            sortScratch.sort { Self.compareKeys($0.pointee.key, $1.pointee.key) < 0 }
            for index in sortScratch.indices {
                encodeEntry(sortScratch[index])
            }
        }
        AttributeEncoder.appendRaw(scratch.bytes, to: &builder.bytes)
    }

    /// `strcmp` order (bytewise), with a NULL key sorting as "".
    private static func compareKeys(_ a: UnsafeMutablePointer<CChar>?, _ b: UnsafeMutablePointer<CChar>?) -> Int32 {
        switch (a, b) {
        case let (a?, b?): return strcmp(a, b)
        case (nil, let b?): return b.pointee == 0 ? 0 : -1
        case (let a?, nil): return a.pointee == 0 ? 0 : 1
        case (nil, nil): return 0
        }
    }

    private static func isSorted(
        _ attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>, count: Int
    ) -> Bool {
        guard count > 1 else { return true }
        var previous = attributes[0]?.pointee.key
        for index in 1..<count {
            let key = attributes[index]?.pointee.key
            if compareKeys(previous, key) > 0 { return false }
            previous = key
        }
        return true
    }

    // The layout is AttributeEncoder's (tests check both paths give the same bytes).

    private func encodeEntry(_ pair: UnsafeMutablePointer<CKeyValue>) {
        let key = pair.pointee.key
        let length = key.map { strlen($0) } ?? 0
        scratch.reserve(4 + length)
        scratch.length(length)
        scratch.raw(key, length)
        encodeValue(pair.pointee.value)
    }

    private func encodeValue(_ value: UnsafeMutablePointer<CAnyValue>?) {
        guard let value = value?.pointee else {
            scratch.reserve(1)
            scratch.byte(AttributeTag.empty.rawValue)
            return
        }
        switch value.value_case {
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE:
            let length = value.string_value.map { strlen($0) } ?? 0
            encodeBytes(.string, value.string_value, length)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BOOL_VALUE:
            scratch.reserve(2)
            scratch.byte(AttributeTag.bool.rawValue)
            scratch.byte(value.bool_value != 0 ? 1 : 0)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_INT_VALUE:
            scratch.reserve(9)
            scratch.byte(AttributeTag.int.rawValue)
            scratch.word(UInt64(bitPattern: value.int_value))
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_DOUBLE_VALUE:
            scratch.reserve(9)
            scratch.byte(AttributeTag.double.rawValue)
            scratch.word(value.double_value.bitPattern)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_BYTES_VALUE:
            encodeBytes(.bytes, value.bytes_value.data, value.bytes_value.len)
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_ARRAY_VALUE:
            let array = value.array_value?.pointee
            let count = array?.n_values ?? 0
            encodeContainer(.array, count: count)
            for index in 0..<count {
                encodeValue(array!.values[index])
            }
        case OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_KVLIST_VALUE:
            guard let list = value.kvlist_value?.pointee else {
                encodeContainer(.map, count: 0)
                return
            }
            var present = 0
            for index in 0..<list.n_values where list.values[index] != nil { present += 1 }
            encodeContainer(.map, count: present)
            for index in 0..<list.n_values {
                if let pair = list.values[index] { encodeEntry(pair) }
            }
        default:
            scratch.reserve(1)
            scratch.byte(AttributeTag.empty.rawValue)
        }
    }

    private func encodeBytes(_ tag: AttributeTag, _ source: UnsafeRawPointer?, _ length: Int) {
        scratch.reserve(5 + length)
        scratch.byte(tag.rawValue)
        scratch.length(length)
        scratch.raw(source, length)
    }

    private func encodeContainer(_ tag: AttributeTag, count: Int) {
        scratch.reserve(5)
        scratch.byte(tag.rawValue)
        scratch.length(count)
    }
}
