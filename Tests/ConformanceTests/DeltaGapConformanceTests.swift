import OTLPDecoding
import OpenSREPipeline
import Testing

/// Delta temporality end to end through the decoder, the store and the
/// exposition: gaps (idle export intervals) and restarts are added across;
/// what cannot be added is refused with its own reason (issue 10, item 7).
@Suite("Conformance: delta across gaps")
struct DeltaGapConformanceTests {
    /// add(5), three idle 10 s intervals, add(1), add(1): the windows of a
    /// delta SDK that skips idle exports.
    static let windows = [(100, 110), (140, 150), (150, 160)]

    static func counter(_ value: Int, _ window: (Int, Int)) -> String {
        OTLP.request(OTLP.sum("jobs", temporality: 1, points: [OTLP.point(value, start: window.0, time: window.1)]))
    }

    /// The page after each request in turn (one store throughout).
    static func pages(_ requests: [String]) throws -> [[String]] {
        try (1...requests.count).map { samples(try expose(Array(requests.prefix($0)))) }
    }

    @Test("delta counter: 5, idle, 1, 1 scrapes as 5, 6, 7")
    func counterAcrossGap() throws {
        let requests = zip([5, 1, 1], Self.windows).map { Self.counter($0, $1) }
        #expect(
            try Self.pages(requests) == [
                ["opensre_jobs_total{\(svc)} 5"], ["opensre_jobs_total{\(svc)} 6"], ["opensre_jobs_total{\(svc)} 7"],
            ])
    }

    @Test("delta explicit histogram: 5 observations, idle, 1, 1 scrapes as count 5, 6, 7")
    func histogramAcrossGap() throws {
        let counts = [[5, 0, 0], [0, 1, 0], [0, 0, 1]]
        let requests = zip(counts, Self.windows).map { counts, window in
            OTLP.request(
                TypeConformanceTests.histogram(
                    "rt", temporality: 1, start: window.0, time: window.1, counts: counts, bounds: [0.1, 1]))
        }
        let pages = try Self.pages(requests)
        #expect(
            pages[2] == [
                #"opensre_rt_seconds_bucket{\#(svc),le="0.1"} 5"#, #"opensre_rt_seconds_bucket{\#(svc),le="1"} 6"#,
                #"opensre_rt_seconds_bucket{\#(svc),le="+Inf"} 7"#, #"opensre_rt_seconds_sum{\#(svc)} 10.5"#,
                #"opensre_rt_seconds_count{\#(svc)} 7"#,
            ])
        #expect(pages.map { $0.last } == [5, 6, 7].map { "opensre_rt_seconds_count{\(svc)} \($0)" })
    }

    @Test("delta exponential histogram: 5 observations, idle, 1, 1 scrapes as count 5, 6, 7")
    func exponentialAcrossGap() throws {
        let sides = [(0, [5]), (1, [1]), (0, [1])]
        let requests = zip(sides, Self.windows).map { side, window in
            OTLP.request(
                TypeConformanceTests.exponential(
                    scale: 0, positive: side, temporality: 1, start: window.0, time: window.1, sum: 2))
        }
        let pages = try Self.pages(requests)
        #expect(
            pages[2] == [
                #"opensre_size_bytes_bucket{\#(svc),le="2"} 6"#, #"opensre_size_bytes_bucket{\#(svc),le="4"} 7"#,
                #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 7"#, #"opensre_size_bytes_sum{\#(svc)} 6"#,
                #"opensre_size_bytes_count{\#(svc)} 7"#,
            ])
        #expect(pages.map { $0.last } == [5, 6, 7].map { "opensre_size_bytes_count{\(svc)} \($0)" })
    }

    @Test("an app restart under delta (a later start than the last end) keeps adding")
    func restart() throws {
        let requests = [Self.counter(5, (100, 110)), Self.counter(2, (110, 120)), Self.counter(3, (500, 510))]
        #expect(try Self.pages(requests).last == ["opensre_jobs_total{\(svc)} 10"])
    }
}
