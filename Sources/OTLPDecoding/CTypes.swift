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

extension UnsafeMutablePointer<CChar>? {
    /// The bytes of a protobuf-c string field (NUL-terminated, never NULL in
    /// practice: unset strings point at a shared empty string).
    var rawBytes: UnsafeRawBufferPointer {
        guard let pointer = self else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: strlen(pointer))
    }
}
