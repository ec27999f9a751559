import COTLP
import OpenSREModel

/// Walks the unpacked C structs of one request into a batch builder.
struct RequestWalker {
    var builder: DecodedBatchBuilder
    var sortScratch: [UnsafeMutablePointer<CKeyValue>]
    /// Where each attribute set is encoded before it is copied into the batch.
    let encoder: AttributeEncoder
    /// What nested attribute values are unpacked with: the request's arena, or
    /// nil for libprotobuf-c's malloc (then each is freed after use).
    let allocator: UnsafeMutablePointer<ProtobufCAllocator>?
    /// Whether a point attribute whose key escapes to no label is refused.
    let escapesLabelNames: Bool
    /// Points (time or start time) later than this are refused.
    let latestTime: UInt64
    var rejected = RejectedPoints()
    /// Set when the whole request is refused (a value nested too deep, a
    /// nested value that is not valid protobuf); the walk then stops.
    var failure: OTLPDecodingError?

    mutating func walk(_ request: CExportRequest) {
        for index in 0..<request.n_resource_metrics where failure == nil {
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
        for index in 0..<resourceMetrics.n_scope_metrics where failure == nil {
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
        for index in 0..<scopeMetrics.n_metrics where failure == nil {
            guard let metric = scopeMetrics.metrics[index] else { continue }
            walkMetric(metric.pointee)
        }
    }

    private mutating func walkMetric(_ metric: CMetric) {
        if let problem = OTLPLimits.metadataProblem(
            name: metric.name.len, description: metric.description.len, unit: metric.unit.len,
            metricName: { metricName(metric) })
        {
            rejected.add(Self.pointCount(metric), .metadataTooLong, reason: problem)
            return
        }
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

    /// How many points a metric carries, whatever its type.
    private static func pointCount(_ metric: CMetric) -> Int {
        switch metric.data_case {
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_GAUGE: metric.gauge?.pointee.n_data_points ?? 0
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUM: metric.sum?.pointee.n_data_points ?? 0
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_HISTOGRAM: metric.histogram?.pointee.n_data_points ?? 0
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_EXPONENTIAL_HISTOGRAM:
            metric.exponential_histogram?.pointee.n_data_points ?? 0
        case OPENTELEMETRY__PROTO__METRICS__V1__METRIC__DATA_SUMMARY: metric.summary?.pointee.n_data_points ?? 0
        default: 0
        }
    }

    /// Whether the metric's metadata says `prometheus.type` = `unknown`: the
    /// first entry with that key decides, as the Collector's `Map.Get` does.
    private static func isPrometheusUnknown(_ metric: CMetric) -> Bool {
        guard let metadata = metric.metadata else { return false }
        for index in 0..<metric.n_metadata {
            guard let pair = metadata[index]?.pointee, pair.key.equals(OTLPLimits.prometheusTypeKey) else { continue }
            guard let value = pair.value?.pointee,
                value.value_case == OPENTELEMETRY__PROTO__COMMON__V1__ANY_VALUE__VALUE_STRING_VALUE
            else { return false }
            return value.string_value.equals(OTLPLimits.prometheusTypeUnknown)
        }
        return false
    }

    private mutating func begin(_ metric: CMetric, kind: MetricKind, temporality: Temporality, monotonic: Bool) {
        builder.beginStream(
            name: metric.name.rawBytes, description: metric.description.rawBytes,
            unit: metric.unit.rawBytes, kind: kind, temporality: temporality, isMonotonic: monotonic,
            isPrometheusUnknown: kind == .gauge && Self.isPrometheusUnknown(metric))
    }

    /// Refuses (and reports) a point timestamped too far ahead, or with an
    /// attribute whose key makes no label. Checked before anything is copied.
    private mutating func admits(
        start: UInt64, time: UInt64, attributes: UnsafeMutablePointer<UnsafeMutablePointer<CKeyValue>?>?, count: Int
    ) -> Bool {
        if OTLPLimits.isTooFarAhead(start: start, time: time, latest: latestTime) {
            rejected.add(1, .futureTimestamp, reason: OTLPLimits.futureReason)
            return false
        }
        // More attributes than allowed is refused later, with that reason.
        guard let attributes, count <= DecodedBatchBuilder.maximumAttributes else { return true }
        for index in 0..<count {
            guard let key = attributes[index]?.pointee.key.rawBytes else { continue }
            if !LabelNameRule.makesLabel(key, escaping: escapesLabelNames) {
                rejected.add(1, .invalidLabelName, reason: LabelNameRule.refusal(key))
                return false
            }
        }
        return true
    }

    private mutating func walkNumberPoints(
        _ points: UnsafeMutablePointer<UnsafeMutablePointer<CNumberDataPoint>?>?, count: Int
    ) {
        guard let points else { return }
        for index in 0..<count where failure == nil {
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
            guard
                admits(
                    start: point.start_time_unix_nano, time: point.time_unix_nano, attributes: point.attributes,
                    count: point.n_attributes)
            else { continue }
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
        for index in 0..<count where failure == nil {
            guard let point = points[index]?.pointee else { continue }
            let bounds = UnsafeBufferPointer(start: point.explicit_bounds, count: point.n_explicit_bounds)
            let buckets = UnsafeBufferPointer(start: point.bucket_counts, count: point.n_bucket_counts)
            if point.flags & DataPointFlags.noRecordedValue == 0,
                let problem = HistogramValidation.problem(bounds: bounds, buckets: buckets, count: point.count)
            {
                rejected.add(1, .invalidHistogram, reason: problem)
                continue
            }
            guard
                admits(
                    start: point.start_time_unix_nano, time: point.time_unix_nano, attributes: point.attributes,
                    count: point.n_attributes)
            else { continue }
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
        for index in 0..<count where failure == nil {
            guard let point = points[index]?.pointee else { continue }
            guard
                admits(
                    start: point.start_time_unix_nano, time: point.time_unix_nano, attributes: point.attributes,
                    count: point.n_attributes)
            else { continue }
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
        for index in 0..<count where failure == nil {
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
            guard
                admits(
                    start: point.start_time_unix_nano, time: point.time_unix_nano, attributes: point.attributes,
                    count: point.n_attributes)
            else { continue }
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
                value: value, time: exemplar.time_unix_nano, traceID: exemplar.trace_id.rawBytes,
                spanID: exemplar.span_id.rawBytes, filteredAttributesFrom: start)
        }
    }
}
