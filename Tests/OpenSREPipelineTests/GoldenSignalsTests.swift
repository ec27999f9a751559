import OpenSREModel
import OpenSREPipeline
import Testing

@Suite("Golden signals")
struct GoldenSignalsTests {
    func lines(_ store: SeriesStore, prefix: String = "opensre_golden_") -> [String] {
        String(decoding: ScrapeSources.render(store), as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test("errors: 5xx status, error.type, non-OK gRPC status; ms histograms are scaled to seconds")
    func errors() throws {
        let store = SeriesStore()
        let http = JSONRequests.histogram(
            "http.server.request.duration", bounds: [0.1],
            points: [
                (JSONRequests.attributes(("http.response.status_code", "200")), [3, 1]),
                (JSONRequests.attributes(("http.response.status_code", "502")), [1, 0]),
                (JSONRequests.attributes(("http.response.status_code", "404"), ("error.type", "NotFound")), [2, 0]),
            ])
        let rpc = JSONRequests.histogram(
            "rpc.server.duration", unit: "ms", bounds: [50, 5000],
            points: [
                (JSONRequests.attributes(("rpc.grpc.status_code", "0")), [4, 0, 0]),
                (JSONRequests.attributes(("rpc.grpc.status_code", "14")), [0, 1, 0]),
            ])
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "api", http, rpc)))
        #expect(lines(store, prefix: "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="api"} 12"#])
        #expect(lines(store, prefix: "opensre_golden_errors_total") == [#"opensre_golden_errors_total{job="api"} 4"#])
        let buckets = lines(store, prefix: "opensre_golden_request_duration_seconds_bucket")
        // 0.1 s bucket: 3 + 1 + 2 (http) + 4 (rpc, 50 ms → the 0.05 boundary); 5 s: the rpc 5000 ms one.
        #expect(buckets.contains(#"opensre_golden_request_duration_seconds_bucket{job="api",le="0.05"} 4"#))
        #expect(buckets.contains(#"opensre_golden_request_duration_seconds_bucket{job="api",le="0.1"} 10"#))
        #expect(buckets.contains(#"opensre_golden_request_duration_seconds_bucket{job="api",le="5"} 11"#))
        #expect(buckets.last == #"opensre_golden_request_duration_seconds_bucket{job="api",le="+Inf"} 12"#)
    }

    @Test("traffic counts increments; a series older than counting is only a baseline")
    func increments() throws {
        let store = SeriesStore(countingSince: 100)
        func send(start: UInt64, counts: [Int]) throws {
            let metric = JSONRequests.histogram(
                "http.server.request.duration", start: start, bounds: [1],
                points: [(JSONRequests.attributes(("http.response.status_code", "200")), counts)])
            store.apply(try JSONRequests.batch(JSONRequests.request(service: "web", metric)))
        }
        try send(start: 1, counts: [10, 0])  // started before counting: baseline
        try send(start: 1, counts: [15, 1])
        #expect(lines(store, prefix: "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="web"} 6"#])
        try send(start: 200, counts: [2, 0])  // restarted app: the new series counts whole
        #expect(lines(store, prefix: "opensre_golden_requests_total") == [#"opensre_golden_requests_total{job="web"} 8"#])
    }

    @Test("saturation: CPU without idle time, host CPU per CPU, JVM memory used over limit, requests in flight")
    func saturation() throws {
        let request = JSONRequests.request(
            service: "api",
            JSONRequests.gauge("process.cpu.utilization", [
                (JSONRequests.attributes(("cpu.mode", "user")), 0.25), (JSONRequests.attributes(("cpu.mode", "system")), 0.125),
                (JSONRequests.attributes(("cpu.mode", "idle")), 0.625),
            ]),
            JSONRequests.gauge("system.cpu.utilization", [
                (JSONRequests.attributes(("cpu", "0"), ("state", "user")), 0.5), (JSONRequests.attributes(("cpu", "1"), ("state", "user")), 0.25),
                (JSONRequests.attributes(("cpu", "0"), ("state", "idle")), 0.5),
            ]),
            JSONRequests.gauge("jvm.memory.used", [(JSONRequests.attributes(("jvm.memory.pool.name", "heap")), 300)]),
            JSONRequests.gauge("jvm.memory.limit", [(JSONRequests.attributes(("jvm.memory.pool.name", "heap")), 1200)]),
            JSONRequests.gauge("http.server.active_requests", [("[]", 7)]))
        let store = SeriesStore()
        store.apply(try JSONRequests.batch(request))
        #expect(
            lines(store, prefix: "opensre_golden_saturation_ratio").sorted() == [
                #"opensre_golden_saturation_ratio{job="api",resource="cpu"} 0.375"#,
                #"opensre_golden_saturation_ratio{job="api",resource="host_cpu"} 0.375"#,
                #"opensre_golden_saturation_ratio{job="api",resource="jvm_memory"} 0.25"#,
            ])
        #expect(lines(store, prefix: "opensre_golden_active_requests") == [#"opensre_golden_active_requests{job="api"} 7"#])
    }

    @Test("golden_signals.enabled: false leaves them out")
    func disabled() throws {
        let store = SeriesStore(golden: GoldenSignalsConfiguration(enabled: false))
        let metric = JSONRequests.histogram("http.server.request.duration", bounds: [1], points: [("[]", [1, 0])])
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "web", metric)))
        #expect(lines(store).isEmpty)
    }
}
