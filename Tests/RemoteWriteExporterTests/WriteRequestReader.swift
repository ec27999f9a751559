import COTLP
import RemoteWriteExporter

/// A remote-write request read back through the protoc-c code, for tests.
struct WrittenSeries: Equatable, CustomStringConvertible {
    var labels: [String]  // `name=value`, in the order sent
    var value: Double
    var timestamp: Int64

    var description: String { "\(labels.joined(separator: ",")) \(value) @\(timestamp)" }
}

struct WrittenMetadata: Equatable {
    var type: Int
    var name: String
    var help: String
    var unit: String
}

enum WriteRequestReader {
    /// The series and metadata of a snappy-compressed `WriteRequest`; nil when it does not decode.
    static func read(_ body: [UInt8]) -> (series: [WrittenSeries], metadata: [WrittenMetadata])? {
        guard let packed = body.withUnsafeBytes({ Snappy.uncompress($0) }) else { return nil }
        return packed.withUnsafeBufferPointer { bytes -> ([WrittenSeries], [WrittenMetadata])? in
            guard let request = prometheus__write_request__unpack(nil, bytes.count, bytes.baseAddress) else { return nil }
            defer { prometheus__write_request__free_unpacked(request, nil) }
            var series: [WrittenSeries] = []
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
            }
            var metadata: [WrittenMetadata] = []
            for index in 0..<request.pointee.n_metadata {
                let entry = request.pointee.metadata[index]!.pointee
                metadata.append(
                    WrittenMetadata(
                        type: Int(entry.type.rawValue), name: String(cString: entry.metric_family_name),
                        help: String(cString: entry.help), unit: String(cString: entry.unit)))
            }
            return (series, metadata)
        }
    }
}
