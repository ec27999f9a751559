import Foundation
import OTLPDecoding
import OpenSREPipeline
import OpenSRETestSupport
import PrometheusExposition
import RemoteWriteExporter
import Testing

/// Debian's Prometheus 2.42 as a remote-write receiver: what the encoder
/// builds from the store's families is accepted (`204`) and reads back
/// through the query API with the names, labels and values a scrape shows
/// (exponential histograms as native histograms, which a scrape cannot show).
@Suite("Remote write into real Prometheus", .serialized)
struct RemoteWritePrometheusTests {
    static func request(timeNanoseconds: UInt64) -> String {
        #"""
        {"resourceMetrics":[{"resource":{"attributes":[
          {"key":"service.name","value":{"stringValue":"shop"}},
          {"key":"service.instance.id","value":{"stringValue":"i1"}},
          {"key":"host.name","value":{"stringValue":"node-a"}}]},
         "scopeMetrics":[{"scope":{"name":"lib"},"metrics":[
          {"name":"orders.placed","sum":{"isMonotonic":true,"aggregationTemporality":1,"dataPoints":[
            {"startTimeUnixNano":"\#(timeNanoseconds - 10_000_000_000)","timeUnixNano":"\#(timeNanoseconds)","asInt":"7",
             "attributes":[{"key":"method","value":{"stringValue":"card"}}]}]}},
          {"name":"queue.depth","gauge":{"dataPoints":[
            {"timeUnixNano":"\#(timeNanoseconds)","asDouble":3.5,
             "attributes":[{"key":"queue","value":{"stringValue":"a\"b\\c\nd"}}]}]}},
          {"name":"job.duration","unit":"s","histogram":{"aggregationTemporality":2,"dataPoints":[
            {"startTimeUnixNano":"1","timeUnixNano":"\#(timeNanoseconds)","count":"4","sum":2.5,
             "bucketCounts":["2","1","1"],"explicitBounds":[0.1,1]}]}},
          {"name":"http.server.request.duration","unit":"s","histogram":{"aggregationTemporality":2,"dataPoints":[
            {"startTimeUnixNano":"1","timeUnixNano":"\#(timeNanoseconds)","count":"4","sum":1,
             "bucketCounts":["3","1"],"explicitBounds":[0.5],
             "attributes":[{"key":"http.response.status_code","value":{"intValue":"500"}}]}]}},
          {"name":"payload.size","unit":"By","exponentialHistogram":{"aggregationTemporality":2,"dataPoints":[
            {"startTimeUnixNano":"1","timeUnixNano":"\#(timeNanoseconds)","count":"8","sum":7.25,"scale":3,
             "zeroCount":"1","positive":{"offset":5,"bucketCounts":["1","0","1","0","0","0","0","4"]},
             "negative":{"offset":2,"bucketCounts":["1"]}}]}},
          {"name":"rpc.latency","summary":{"dataPoints":[
            {"timeUnixNano":"\#(timeNanoseconds)","count":"10","sum":4,
             "quantileValues":[{"quantile":0.5,"value":0.3},{"quantile":0.99,"value":0.9}]}]}}]}]}]}
        """#
    }

    @Test("counters (from delta input), gauges, classic and native histograms, summaries, target_info and external labels, exact")
    func writeAndQuery() async throws {
        let binary = try #require(ProgramRun.which("prometheus"), "prometheus missing: apt-get install prometheus")
        let prometheus = try PrometheusProcess.start(
            binary: binary, target: nil,
            arguments: ["--web.enable-remote-write-receiver", "--enable-feature=native-histograms"])
        defer { prometheus.stop() }
        #expect(try await prometheus.waitUntilReady(timeout: .seconds(30)), "Prometheus log:\n\(prometheus.log())")

        let now = UInt64(Date().timeIntervalSince1970 * 1000) * 1_000_000
        let store = SeriesStore()
        store.apply(try Array(Self.request(timeNanoseconds: now).utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch)
        let families = ScrapeSources.composer(store: store).families(for: ScrapeContext(wallClock: now))
        let requests = RemoteWriteEncoder(externalLabels: ["cluster": "eu"], maxBatchBytes: 2_000)
            .encode(families, now: now)
        #expect(requests.count > 1)
        try await Self.send(requests, to: prometheus)

        #expect(try await prometheus.value(#"opensre_orders_placed_total{job="shop",instance="i1",method="card",cluster="eu"}"#) == 7)
        #expect(try await prometheus.value(#"opensre_queue_depth{queue="a\"b\\c\nd"}"#) == 3.5)
        #expect(try await prometheus.value(#"histogram_quantile(0.5, opensre_job_duration_seconds_bucket)"#) == 0.1)
        #expect(try await prometheus.value(#"opensre_job_duration_seconds_count"#) == 4)
        #expect(try await prometheus.value(#"opensre_job_duration_seconds_sum"#) == 2.5)
        #expect(try await prometheus.value(#"opensre_rpc_latency{quantile="0.99"}"#) == 0.9)
        // The exponential histogram, whole: 1 negative, 1 zero, 6 positive observations.
        #expect(try await prometheus.value(#"histogram_count(opensre_payload_size_bytes{job="shop",cluster="eu"})"#) == 8)
        #expect(try await prometheus.value(#"histogram_sum(opensre_payload_size_bytes)"#) == 7.25)
        // Rank 4 of 8 is the last observation of OTLP bucket 7 at scale 3, (2^(7/8), 2]: its upper bound, exactly.
        #expect(try await prometheus.value(#"histogram_quantile(0.5, opensre_payload_size_bytes)"#) == 2)
        #expect(try await prometheus.value(#"count({__name__=~"opensre_payload_size_bytes.+"})"#) == nil, "no classic lines")
        #expect(try await prometheus.value(#"opensre_target_info{host_name="node-a",job="shop"}"#) == 1)
        // The golden signals come from the composer like the store's families (computed series, stamped `now`).
        #expect(try await prometheus.value(#"opensre_golden_requests_total{job="shop"}"#) == 4)
        #expect(try await prometheus.value(#"opensre_golden_errors_total{job="shop"}"#) == 4)
        #expect(try await prometheus.value(#"count({cluster="eu"})"#) == Double(try Self.lineCount(families)))

        // A native histogram's stale marker is accepted and ends the series.
        let payload = families.filter { $0.metricName.text == "opensre_payload_size_bytes" }
        let stale = RemoteWriteEncoder(externalLabels: ["cluster": "eu"]).encode(payload, now: now + 1_000_000, stale: true)
        #expect(stale.count == 1)
        try await Self.send(stale, to: prometheus)
        #expect(try await prometheus.value(#"histogram_count(opensre_payload_size_bytes)"#) == nil)
    }

    /// POSTs each request as Prometheus's remote write does; each must be accepted.
    static func send(_ requests: [RemoteWriteEncoder.Request], to prometheus: PrometheusProcess) async throws {
        for request in requests {
            let response = try await TestHTTPConnection.send(
                port: prometheus.port, .POST, "/api/v1/write",
                headers: [
                    ("Content-Encoding", "snappy"), ("Content-Type", "application/x-protobuf"),
                    ("X-Prometheus-Remote-Write-Version", "0.1.0"),
                ],
                body: request.body)
            #expect(response.status == .noContent, "\(response.text)")
        }
    }

    /// How many series remote write sends for `families`: the text
    /// exposition's lines, but one for a histogram sent as a native one.
    static func lineCount(_ families: [any ExposedFamily]) throws -> Int {
        var lines = 0
        for family in families where !family.isEmpty {
            family.forEachSeries(utf8: false) { series in
                switch series.value {
                case .single: lines += 1
                case .histogram(let histogram) where histogram.native.flatMap(NativeHistogramLayout.init) != nil: lines += 1
                case .histogram(let histogram): lines += histogram.bounds.count + 2 + (histogram.sum == nil ? 0 : 1)
                case .summary(let summary): lines += summary.quantiles.count + 2
                }
            }
        }
        return lines
    }
}
