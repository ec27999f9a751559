import COTLP
import Glibc

// Short names for the protoc-c generated types (package opentelemetry.proto.*).
typealias CExportRequest = Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceRequest
typealias CResourceMetrics = Opentelemetry__Proto__Metrics__V1__ResourceMetrics
typealias CScopeMetrics = Opentelemetry__Proto__Metrics__V1__ScopeMetrics
typealias CMetric = Opentelemetry__Proto__Metrics__V1__Metric
typealias CNumberDataPoint = Opentelemetry__Proto__Metrics__V1__NumberDataPoint
typealias CHistogramDataPoint = Opentelemetry__Proto__Metrics__V1__HistogramDataPoint
typealias CExponentialDataPoint = Opentelemetry__Proto__Metrics__V1__ExponentialHistogramDataPoint
typealias CExponentialBuckets = Opentelemetry__Proto__Metrics__V1__ExponentialHistogramDataPoint__Buckets
typealias CExemplar = Opentelemetry__Proto__Metrics__V1__Exemplar
typealias CSummaryDataPoint = Opentelemetry__Proto__Metrics__V1__SummaryDataPoint
typealias CKeyValue = Opentelemetry__Proto__Common__V1__KeyValue
typealias CAnyValue = Opentelemetry__Proto__Common__V1__AnyValue
typealias CArrayValue = Opentelemetry__Proto__Common__V1__ArrayValue
typealias CKeyValueList = Opentelemetry__Proto__Common__V1__KeyValueList

extension ProtobufCBinaryData {
    /// The bytes of a `bytes` field, which is also how our protos declare the
    /// `string` fields the decoder reads (so a NUL byte does not cut them; see
    /// Protos/). Unset fields are empty.
    var rawBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: data, count: len)
    }

    /// Whether the bytes are exactly `text`'s UTF-8.
    func equals(_ text: StaticString) -> Bool {
        len == text.utf8CodeUnitCount && (len == 0 || memcmp(data, text.utf8Start, len) == 0)
    }
}

typealias CExportTraceRequest = Opentelemetry__Proto__Collector__Trace__V1__ExportTraceServiceRequest
typealias CResourceSpans = Opentelemetry__Proto__Trace__V1__ResourceSpans
typealias CScopeSpans = Opentelemetry__Proto__Trace__V1__ScopeSpans
typealias CSpan = Opentelemetry__Proto__Trace__V1__Span
typealias CPackedKeyValue = Opentelemetry__Proto__Trace__V1__PackedKeyValue
