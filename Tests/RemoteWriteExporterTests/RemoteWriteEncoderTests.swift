import OTLPDecoding
import OpenSREPipeline
import PrometheusExposition
import RemoteWriteExporter
import Testing

@Suite("Remote write: encoding the scrape's families")
struct RemoteWriteEncoderTests {
    static let time: UInt64 = 1_700_000_000_000_000_000
    static let now: UInt64 = 1_700_000_060_000_000_000

    /// A counter, a gauge with a value to escape, an explicit histogram and a
    /// summary from one resource (which also gets a target_info series).
    static let request = #"""
        {"resourceMetrics":[{"resource":{"attributes":[
          {"key":"service.name","value":{"stringValue":"shop"}},
          {"key":"service.instance.id","value":{"stringValue":"i1"}},
          {"key":"host.name","value":{"stringValue":"node-a"}}]},
         "scopeMetrics":[{"scope":{"name":"lib"},"metrics":[
          {"name":"orders.placed","sum":{"isMonotonic":true,"aggregationTemporality":2,"dataPoints":[
            {"startTimeUnixNano":"1","timeUnixNano":"1700000000000000000","asInt":"7",
             "attributes":[{"key":"method","value":{"stringValue":"card"}}]}]}},
          {"name":"queue.depth","gauge":{"dataPoints":[
            {"timeUnixNano":"1700000000000000000","asDouble":3.5,
             "attributes":[{"key":"queue","value":{"stringValue":"a\"b\\c\nd"}}]}]}},
          {"name":"job.duration","unit":"s","histogram":{"aggregationTemporality":2,"dataPoints":[
            {"startTimeUnixNano":"1","timeUnixNano":"1700000000000000000","count":"4","sum":2.5,
             "bucketCounts":["2","1","1"],"explicitBounds":[0.1,1]}]}},
          {"name":"rpc.latency","summary":{"dataPoints":[
            {"timeUnixNano":"1700000000000000000","count":"10","sum":4,
             "quantileValues":[{"quantile":0.5,"value":0.3},{"quantile":0.99,"value":0.9}]}]}}]}]}]}
        """#

    static func families(settings: ExpositionSettings = ExpositionSettings()) throws -> [any ExposedFamily] {
        let store = SeriesStore(settings: settings, golden: GoldenSignalsConfiguration(enabled: false))
        store.apply(try Array(request.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch)
        return store.families(for: ScrapeContext(wallClock: now))
    }

    @Test("every exposition line is a series: named as on the page, labels sorted with __name__, the export's time; external labels added")
    func series() throws {
        let encoder = RemoteWriteEncoder(externalLabels: ["cluster": "eu", "job": "ignored"])
        let requests = encoder.encode(try Self.families(), now: Self.now)
        #expect(requests.count == 1)
        let written = try #require(WriteRequestReader.read(requests[0].body))
        // Points at 1_700_000_000 s; the export at 60 s later stamps every sample.
        let ms: Int64 = 1_700_000_060_000
        let common = ["cluster=eu", "instance=i1", "job=shop"]
        func labels(_ name: String, _ rest: [String]) -> [String] {
            (["__name__=" + name] + common + rest).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        let scope = ["otel_scope_name=lib"]
        #expect(written.series == [
            WrittenSeries(labels: labels("opensre_job_duration_seconds_bucket", ["le=0.1"] + scope), value: 2, timestamp: ms),
            WrittenSeries(labels: labels("opensre_job_duration_seconds_bucket", ["le=1"] + scope), value: 3, timestamp: ms),
            WrittenSeries(labels: labels("opensre_job_duration_seconds_bucket", ["le=+Inf"] + scope), value: 4, timestamp: ms),
            WrittenSeries(labels: labels("opensre_job_duration_seconds_sum", scope), value: 2.5, timestamp: ms),
            WrittenSeries(labels: labels("opensre_job_duration_seconds_count", scope), value: 4, timestamp: ms),
            WrittenSeries(labels: labels("opensre_orders_placed_total", ["method=card"] + scope), value: 7, timestamp: ms),
            WrittenSeries(labels: labels("opensre_queue_depth", ["queue=a\"b\\c\nd"] + scope), value: 3.5, timestamp: ms),
            WrittenSeries(labels: labels("opensre_rpc_latency", ["quantile=0.5"] + scope), value: 0.3, timestamp: ms),
            WrittenSeries(labels: labels("opensre_rpc_latency", ["quantile=0.99"] + scope), value: 0.9, timestamp: ms),
            WrittenSeries(labels: labels("opensre_rpc_latency_sum", scope), value: 4, timestamp: ms),
            WrittenSeries(labels: labels("opensre_rpc_latency_count", scope), value: 10, timestamp: ms),
            WrittenSeries(labels: labels("opensre_target_info", ["host_name=node-a"]), value: 1, timestamp: ms),
        ])
        #expect(written.series.allSatisfy { $0.labels.first?.hasPrefix("__name__=") == true })
        #expect(!written.series.contains { $0.labels.contains("job=ignored") })
        #expect(written.metadata.isEmpty)
    }

    @Test("stale markers: every line of the series, the NaN with bit pattern 0x7ff0000000000002")
    func staleMarkers() throws {
        let requests = RemoteWriteEncoder().encode(try Self.families(), now: Self.now, stale: true)
        let written = try #require(WriteRequestReader.read(requests[0].body))
        let fresh = try #require(WriteRequestReader.read(RemoteWriteEncoder().encode(try Self.families(), now: Self.now)[0].body))
        #expect(written.series.map(\.labels) == fresh.series.map(\.labels))
        #expect(written.series.allSatisfy { $0.value.bitPattern == 0x7ff0_0000_0000_0002 && $0.timestamp == 1_700_000_060_000 })
    }

    @Test("labels out of order (a computed family's) are sorted; external labels merge in where they sort, a series' own label wins")
    func unsortedLabels() throws {
        var family = SyntheticFamily(name: "opensre_things", type: .gauge, help: "Things.")
        family.append([Label("zone", "z1"), Label("app", "a\"b"), Label("cluster", "own")], 1)
        family.append([Label("app", "x"), Label("zone", "z2")], 2)
        let requests = RemoteWriteEncoder(externalLabels: ["cluster": "eu", "B": "upper", "zz": "last"]).encode([family], now: Self.now)
        let written = try #require(WriteRequestReader.read(requests[0].body))
        // Series in label-text order, as on the page.
        #expect(written.series.map(\.labels) == [
            ["B=upper", "__name__=opensre_things", "app=x", "cluster=eu", "zone=z2", "zz=last"],
            ["B=upper", "__name__=opensre_things", "app=a\"b", "cluster=own", "zone=z1", "zz=last"],
        ])
    }

    @Test("computed families take the export's time too")
    func computedSeries() throws {
        var family = SyntheticFamily(name: "opensre_golden_requests_total", type: .counter, help: "Requests.")
        family.append([Label("job", "shop")], 12)
        let requests = RemoteWriteEncoder().encode([family], now: Self.now)
        let written = try #require(WriteRequestReader.read(requests[0].body))
        #expect(written.series == [
            WrittenSeries(labels: ["__name__=opensre_golden_requests_total", "job=shop"], value: 12, timestamp: 1_700_000_060_000)
        ])
    }

    @Test("max_batch_size_bytes splits requests between series, never inside one; nothing lost or repeated")
    func batches() throws {
        let whole = try #require(WriteRequestReader.read(RemoteWriteEncoder().encode(try Self.families(), now: Self.now)[0].body))
        let requests = RemoteWriteEncoder(maxBatchBytes: 250).encode(try Self.families(), now: Self.now)
        #expect(requests.count > 3)
        var series: [WrittenSeries] = []
        for request in requests {
            #expect(request.uncompressedBytes <= 250 || request.series == 1)
            series += try #require(WriteRequestReader.read(request.body)).series
        }
        #expect(series == whole.series)
    }

    @Test("send_metadata: each family's type, name, help and unit once")
    func metadata() throws {
        let requests = RemoteWriteEncoder(sendMetadata: true).encode(try Self.families(), now: Self.now)
        let written = try #require(WriteRequestReader.read(requests[0].body))
        // MetricType: COUNTER 1, GAUGE 2, HISTOGRAM 3, SUMMARY 5, INFO 6.
        #expect(written.metadata == [
            WrittenMetadata(type: 3, name: "opensre_job_duration_seconds", help: "job.duration", unit: "seconds"),
            WrittenMetadata(type: 1, name: "opensre_orders_placed_total", help: "orders.placed", unit: ""),
            WrittenMetadata(type: 2, name: "opensre_queue_depth", help: "queue.depth", unit: ""),
            WrittenMetadata(type: 5, name: "opensre_rpc_latency", help: "rpc.latency", unit: ""),
            WrittenMetadata(type: 6, name: "opensre_target_info", help: "Target metadata", unit: ""),
        ])
    }

    @Test("with several shards every series goes to one shard, the same one every time; all of them are sent once")
    func shards() throws {
        let whole = try #require(WriteRequestReader.read(RemoteWriteEncoder().encode(try Self.families(), now: Self.now)[0].body))
        func assignment() throws -> [String: Int] {
            var shardOf: [String: Int] = [:]
            for request in RemoteWriteEncoder(maxBatchBytes: 300, shards: 3).encode(try Self.families(), now: Self.now) {
                for series in try #require(WriteRequestReader.read(request.body)).series {
                    let key = series.labels.joined(separator: ",")
                    #expect(shardOf[key] == nil, "\(key) sent twice")
                    shardOf[key] = request.shard
                }
            }
            return shardOf
        }
        let first = try assignment()
        #expect(Set(first.keys) == Set(whole.series.map { $0.labels.joined(separator: ",") }))
        #expect(Set(first.values).count > 1, "spread over shards")
        #expect(try assignment() == first)
        // A histogram's lines share the series' label text, hence its shard.
        let buckets = first.filter { $0.key.contains("opensre_job_duration_seconds") }
        #expect(buckets.count == 5 && Set(buckets.values).count == 1)
    }

    @Test("a store series' labels are kept from its second export: later exports send the same, in the same shards; another encoder (other external labels) keeps its own")
    func keptLabels() throws {
        let store = SeriesStore(settings: ExpositionSettings(), golden: GoldenSignalsConfiguration(enabled: false))
        store.apply(try Array(Self.request.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch)
        func export(_ encoder: RemoteWriteEncoder) throws -> [(shard: Int, series: [WrittenSeries])] {
            try encoder.encode(store.families(for: ScrapeContext(wallClock: Self.now)), now: Self.now).map {
                ($0.shard, try #require(WriteRequestReader.read($0.body)).series)
            }
        }
        let eu = RemoteWriteEncoder(externalLabels: ["cluster": "eu"], maxBatchBytes: 300, shards: 3)
        // The first export marks each series, the second keeps its labels, the third reads them.
        let first = try export(eu)
        for _ in 0..<2 {
            let later = try export(eu)
            #expect(later.map(\.shard) == first.map(\.shard))
            #expect(later.map(\.series) == first.map(\.series))
        }
        let all = first.flatMap(\.series)
        #expect(all.count == 12 && all.allSatisfy { $0.labels.contains("cluster=eu") })
        // Another encoder over the same store: its own external labels, not the kept ones.
        for _ in 0..<2 {
            let us = try export(RemoteWriteEncoder(externalLabels: ["cluster": "us", "region": "r1"]))
            let labels = us.flatMap(\.series).map(\.labels)
            #expect(labels.count == 12)
            #expect(labels.allSatisfy { $0.contains("cluster=us") && $0.contains("region=r1") && !$0.contains("cluster=eu") })
        }
        // The first encoder's labels were replaced: it encodes them again, the same.
        #expect(try export(eu).flatMap(\.series) == all)
    }
}
