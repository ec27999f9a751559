import OpenSREPipeline
import PrometheusExposition
import RemoteWriteExporter

extension Cases {
    /// One remote-write export of every series of a store of counter series
    /// (the store the render cases use): the store's families, then every
    /// series encoded as protobuf and snappy-compressed, in requests of the
    /// default 3 MB, over 1 shard and over 5 (the default `num_consumers`).
    /// Items are series (= samples).
    var remoteWriteCases: [BenchmarkCase] {
        [
            remoteWriteEncode(series: 100_000, shards: 1),
            remoteWriteEncode(series: 100_000, shards: 5),
            remoteWriteEncode(series: 1_000_000, shards: 1),
            remoteWriteEncode(series: 1_000_000, shards: 5),
        ]
    }

    private func remoteWriteEncode(series: Int, shards: Int) -> BenchmarkCase {
        let label = series >= 1_000_000 ? "\(series / 1_000_000)M" : "\(series / 1000)k"
        let name = shards == 1 ? "remotewrite.encode.\(label)" : "remotewrite.shards\(shards).\(label)"
        return BenchmarkCase(name: name, unit: "export", items: series) {
            let store = try Self.filledStore(load("counters-1000.pb"), series: series)
            let encoder = RemoteWriteEncoder(maxBatchBytes: 3_000_000, shards: shards)
            let now: UInt64 = 1_700_000_000_000_000_000
            // Compressed bytes per sample, printed once (for RESULTS.md).
            let requests = encoder.encode(store.families(for: ScrapeContext(wallClock: now)), now: now)
            let compressed = requests.reduce(0) { $0 + $1.body.count }
            let uncompressed = requests.reduce(0) { $0 + $1.uncompressedBytes }
            let samples = requests.reduce(0) { $0 + $1.series }
            print(
                "# \(name): \(requests.count) requests, \(samples) samples, "
                    + "\(String(format: "%.1f", Double(compressed) / Double(samples))) compressed bytes/sample, "
                    + "\(String(format: "%.1f", Double(uncompressed) / Double(samples))) protobuf bytes/sample")
            return {
                _ = encoder.encode(store.families(for: ScrapeContext(wallClock: now)), now: now)
            }
        }
    }
}
