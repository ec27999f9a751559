import COTLP
import RemoteWriteExporter

/// A remote-write request read back through the protoc-c code, for tests.
struct WrittenSeries: Equatable, CustomStringConvertible {
    var labels: [String]  // `name=value`, in the order sent
    var value: Double
    var timestamp: Int64

    var description: String { "\(labels.joined(separator: ",")) \(value) @\(timestamp)" }
}

/// A native histogram read back: its series' labels and the message's fields
/// (the integer cases of the count oneofs; nil when another case was sent).
struct WrittenHistogram: Equatable {
    var labels: [String]
    var count: UInt64?
    var sum: Double
    var schema: Int32
    var zeroThreshold: Double
    var zeroCount: UInt64?
    var positive: NativeHistogramLayout.Side
    var negative: NativeHistogramLayout.Side
    var resetHint: Int
    var timestamp: Int64

    /// The absolute count of each bucket a side's spans and deltas describe,
    /// by Prometheus index (zero buckets sent inside a span included).
    static func buckets(of side: NativeHistogramLayout.Side) -> [Int64: UInt64] {
        var buckets: [Int64: UInt64] = [:]
        var index: Int64 = 0
        var count: UInt64 = 0
        var delta = side.deltas.makeIterator()
        for (position, span) in side.spans.enumerated() {
            index += Int64(span.offset) + (position == 0 ? 0 : 1)
            for step in 0..<Int64(span.length) {
                count &+= UInt64(bitPattern: delta.next()!)
                buckets[index + step] = count
            }
            index += Int64(span.length) - 1
        }
        return buckets
    }
}

struct WrittenMetadata: Equatable {
    var type: Int
    var name: String
    var help: String
    var unit: String
}

enum WriteRequestReader {
    /// The series and metadata of a snappy-compressed `WriteRequest`; nil when it does not decode.
    static func read(
        _ body: [UInt8]
    ) -> (series: [WrittenSeries], metadata: [WrittenMetadata], histograms: [WrittenHistogram])? {
        guard let packed = body.withUnsafeBytes({ Snappy.uncompress($0) }) else { return nil }
        return packed.withUnsafeBufferPointer { bytes -> ([WrittenSeries], [WrittenMetadata], [WrittenHistogram])? in
            guard let request = prometheus__write_request__unpack(nil, bytes.count, bytes.baseAddress) else { return nil }
            defer { prometheus__write_request__free_unpacked(request, nil) }
            var series: [WrittenSeries] = []
            var histograms: [WrittenHistogram] = []
            for index in 0..<request.pointee.n_timeseries {
                let entry = request.pointee.timeseries[index]!.pointee
                var labels: [String] = []
                for labelIndex in 0..<entry.n_labels {
                    let label = entry.labels[labelIndex]!.pointee
                    labels.append(String(cString: label.name) + "=" + String(cString: label.value))
                }
                for sampleIndex in 0..<entry.n_samples {
                    let sample = entry.samples[sampleIndex]!.pointee
                    series.append(WrittenSeries(labels: labels, value: sample.value, timestamp: sample.timestamp))
                }
                for histogramIndex in 0..<entry.n_histograms {
                    histograms.append(histogram(entry.histograms[histogramIndex]!.pointee, labels: labels))
                }
            }
            var metadata: [WrittenMetadata] = []
            for index in 0..<request.pointee.n_metadata {
                let entry = request.pointee.metadata[index]!.pointee
                metadata.append(
                    WrittenMetadata(
                        type: Int(entry.type.rawValue), name: String(cString: entry.metric_family_name),
                        help: String(cString: entry.help), unit: String(cString: entry.unit)))
            }
            return (series, metadata, histograms)
        }
    }

    private static func histogram(_ message: Prometheus__Histogram, labels: [String]) -> WrittenHistogram {
        func side(
            _ spanCount: Int, _ spans: UnsafeMutablePointer<UnsafeMutablePointer<Prometheus__BucketSpan>?>?,
            _ deltaCount: Int, _ deltas: UnsafeMutablePointer<Int64>?
        ) -> NativeHistogramLayout.Side {
            NativeHistogramLayout.Side(
                spans: (0..<spanCount).map {
                    NativeHistogramLayout.Span(offset: spans![$0]!.pointee.offset, length: spans![$0]!.pointee.length)
                },
                deltas: (0..<deltaCount).map { deltas![$0] })
        }
        return WrittenHistogram(
            labels: labels,
            count: message.count_case == PROMETHEUS__HISTOGRAM__COUNT_COUNT_INT ? message.count_int : nil,
            sum: message.sum, schema: message.schema, zeroThreshold: message.zero_threshold,
            zeroCount: message.zero_count_case == PROMETHEUS__HISTOGRAM__ZERO_COUNT_ZERO_COUNT_INT
                ? message.zero_count_int : nil,
            positive: side(message.n_positive_spans, message.positive_spans, message.n_positive_deltas, message.positive_deltas),
            negative: side(message.n_negative_spans, message.negative_spans, message.n_negative_deltas, message.negative_deltas),
            resetHint: Int(message.reset_hint.rawValue), timestamp: message.timestamp)
    }
}
