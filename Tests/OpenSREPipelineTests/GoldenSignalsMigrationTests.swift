import OpenSREModel
import OpenSREPipeline
import Testing

/// `OTEL_SEMCONV_STABILITY_OPT_IN=http/dup` makes an app record every request
/// in both `http.server.duration` (ms, old attribute names) and
/// `http.server.request.duration` (s, stable names): the golden signals count
/// it once.
@Suite("Golden signals during the semantic-convention migration")
struct GoldenSignalsMigrationTests {
    enum Convention: String, CustomStringConvertible, CaseIterable {
        case old, stable, dup, dupOldFirst
        var description: String { rawValue }
    }

    /// One export: `ok` requests under 0.1 s with status 200 and `failed`
    /// between 0.1 and 1 s with status 500, cumulative since `start`.
    static func metrics(_ convention: Convention, start: UInt64 = 1, ok: Int, failed: Int) -> [String] {
        let stable = JSONRequests.histogram(
            "http.server.request.duration", start: start, bounds: [0.1, 1],
            points: [
                (JSONRequests.attributes(("http.response.status_code", "200")), [ok, 0, 0]),
                (JSONRequests.attributes(("http.response.status_code", "500")), [0, failed, 0]),
            ])
        let old = JSONRequests.histogram(
            "http.server.duration", unit: "ms", start: start, bounds: [100, 1000],
            points: [
                (JSONRequests.attributes(("http.status_code", "200")), [ok, 0, 0]),
                (JSONRequests.attributes(("http.status_code", "500")), [0, failed, 0]),
            ])
        switch convention {
        case .old: return [old]
        case .stable: return [stable]
        case .dup: return [stable, old]
        case .dupOldFirst: return [old, stable]
        }
    }

    static func send(
        _ store: SeriesStore, _ convention: Convention, instance: String = "i1", start: UInt64 = 1, ok: Int,
        failed: Int
    ) throws {
        let request = JSONRequests.request(
            service: "web", instance: instance, metrics(convention, start: start, ok: ok, failed: failed))
        store.apply(try JSONRequests.batch(request))
    }

    /// Errors, two latency buckets, the latency count and requests of job "web", in page order.
    static func golden(_ store: SeriesStore) -> [String] {
        let wanted = [
            "opensre_golden_requests_total{", "opensre_golden_errors_total{",
            #"opensre_golden_request_duration_seconds_bucket{job="web",le="0.1"}"#,
            #"opensre_golden_request_duration_seconds_bucket{job="web",le="1"}"#,
            "opensre_golden_request_duration_seconds_count{",
        ]
        return String(decoding: ScrapeSources.render(store), as: UTF8.self).split(separator: "\n").map(String.init)
            .filter { line in wanted.contains { line.hasPrefix($0) } }
    }

    static func expected(requests: Int, errors: Int, fast: Int) -> [String] {
        [
            #"opensre_golden_errors_total{job="web"} \#(errors)"#,
            #"opensre_golden_request_duration_seconds_bucket{job="web",le="0.1"} \#(fast)"#,
            #"opensre_golden_request_duration_seconds_bucket{job="web",le="1"} \#(requests)"#,
            #"opensre_golden_request_duration_seconds_count{job="web"} \#(requests)"#,
            #"opensre_golden_requests_total{job="web"} \#(requests)"#,
        ]
    }

    @Test("old only, stable only, or both in either order: every request counted once", arguments: Convention.allCases)
    func once(convention: Convention) throws {
        let store = SeriesStore()
        try Self.send(store, convention, ok: 8, failed: 2)
        #expect(Self.golden(store) == Self.expected(requests: 10, errors: 2, fast: 8))
        try Self.send(store, convention, ok: 16, failed: 4)
        #expect(Self.golden(store) == Self.expected(requests: 20, errors: 4, fast: 16))
    }

    @Test("both metrics are still exported as their own families")
    func exported() throws {
        let store = SeriesStore()
        try Self.send(store, .dup, ok: 8, failed: 2)
        let page = String(decoding: ScrapeSources.render(store), as: UTF8.self)
        #expect(page.contains(#"opensre_http_server_duration_milliseconds_count{http_status_code="200",instance="i1",job="web",otel_scope_name="lib"} 8"#))
        #expect(page.contains(#"opensre_http_server_request_duration_seconds_count{http_response_status_code="200",instance="i1",job="web",otel_scope_name="lib"} 8"#))
    }

    @Test("per resource: one instance on dup does not silence another instance's old metric")
    func perResource() throws {
        let store = SeriesStore()
        try Self.send(store, .dup, instance: "i1", ok: 8, failed: 2)
        try Self.send(store, .old, instance: "i2", ok: 4, failed: 1)
        #expect(Self.golden(store) == Self.expected(requests: 15, errors: 3, fast: 12))
        try Self.send(store, .dupOldFirst, instance: "i1", ok: 16, failed: 4)
        try Self.send(store, .old, instance: "i2", ok: 8, failed: 2)
        #expect(Self.golden(store) == Self.expected(requests: 30, errors: 6, fast: 24))
    }

    @Test("the stable metric appears in a running app: it takes over where the old one stopped")
    func takeOver() throws {
        let store = SeriesStore()
        try Self.send(store, .old, ok: 8, failed: 2)
        try Self.send(store, .old, ok: 12, failed: 3)
        // The stable instrument started later and has counted less; the old
        // one counts this export's increase, the stable one the next.
        let both = Self.metrics(.old, ok: 16, failed: 4) + Self.metrics(.stable, start: 50, ok: 4, failed: 1)
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "web", instance: "i1", both)))
        #expect(Self.golden(store) == Self.expected(requests: 20, errors: 4, fast: 16))
        let next = Self.metrics(.stable, start: 50, ok: 8, failed: 2) + Self.metrics(.old, ok: 20, failed: 5)
        store.apply(try JSONRequests.batch(JSONRequests.request(service: "web", instance: "i1", next)))
        #expect(Self.golden(store) == Self.expected(requests: 25, errors: 5, fast: 20))
    }

    @Test("an app restarted from old to dup, and back: nothing counted twice, nothing lost")
    func restarts() throws {
        let store = SeriesStore()
        try Self.send(store, .old, start: 1, ok: 8, failed: 2)
        try Self.send(store, .dup, start: 100, ok: 3, failed: 1)
        #expect(Self.golden(store) == Self.expected(requests: 14, errors: 3, fast: 11))
        try Self.send(store, .dupOldFirst, start: 100, ok: 6, failed: 2)
        #expect(Self.golden(store) == Self.expected(requests: 18, errors: 4, fast: 14))
        // Rolled back: the old metric alone again, from a new start.
        try Self.send(store, .old, start: 200, ok: 1, failed: 1)
        #expect(Self.golden(store) == Self.expected(requests: 20, errors: 5, fast: 15))
        try Self.send(store, .old, start: 200, ok: 2, failed: 1)
        #expect(Self.golden(store) == Self.expected(requests: 21, errors: 5, fast: 16))
    }
}
