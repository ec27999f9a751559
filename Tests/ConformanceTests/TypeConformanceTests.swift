import OTLPDecoding
import OpenSREPipeline
import PrometheusExposition
import Testing

@Suite("Conformance: types and temporality")
struct TypeConformanceTests {
    @Test("gauge, cumulative counter, non-monotonic sum as gauge")
    func basicTypes() throws {
        let page = try expose(
            OTLP.request(
                OTLP.gauge("temperature", unit: "Cel", value: #""asDouble":21.5"#),
                OTLP.sum("requests", points: [OTLP.point(42)]),
                OTLP.sum("queue.length", monotonic: false, points: [OTLP.point(-3)])))
        #expect(
            page == """
                # HELP opensre_queue_length queue.length
                # TYPE opensre_queue_length gauge
                opensre_queue_length{\(svc)} -3
                # HELP opensre_requests_total requests
                # TYPE opensre_requests_total counter
                opensre_requests_total{\(svc)} 42
                # HELP opensre_temperature_celsius temperature
                # TYPE opensre_temperature_celsius gauge
                opensre_temperature_celsius{\(svc)} 21.5

                """)
    }

    @Test("delta counter: contiguous points add, an overlap is rejected (never mixed in), a gap is added across")
    func deltaCounter() throws {
        func delta(_ value: Int, _ start: Int, _ end: Int) -> String {
            OTLP.request(OTLP.sum("jobs", temporality: 1, points: [OTLP.point(value, start: start, time: end)]))
        }
        #expect(samples(try expose([delta(5, 0, 10), delta(7, 10, 20)])) == ["opensre_jobs_total{\(svc)} 12"])
        #expect(samples(try expose([delta(5, 0, 10), delta(7, 10, 20), delta(100, 15, 25)])) == ["opensre_jobs_total{\(svc)} 12"])
        #expect(samples(try expose([delta(5, 0, 10), delta(7, 10, 20), delta(9, 40, 50)])) == ["opensre_jobs_total{\(svc)} 21"])
    }

    @Test("non-monotonic delta sums accumulate into a gauge")
    func deltaUpDown() throws {
        func delta(_ value: Int, _ start: Int, _ end: Int) -> String {
            OTLP.request(OTLP.sum("in.flight", monotonic: false, temporality: 1, points: [OTLP.point(value, start: start, time: end)]))
        }
        let page = try expose([delta(5, 0, 10), delta(-2, 10, 20)])
        #expect(page.contains("# TYPE opensre_in_flight gauge\n"))
        #expect(samples(page) == ["opensre_in_flight{\(svc)} 3"])
    }

    static func histogram(_ name: String, temporality: Int = 2, start: Int = 0, time: Int = 1000, sum: String? = #""sum":3.5,"#, counts: [Int], bounds: [Double]) -> String {
        let total = counts.reduce(0, +)
        return #"{"name":"\#(name)","unit":"s","histogram":{"aggregationTemporality":\#(temporality),"dataPoints":[{"startTimeUnixNano":"\#(start)","timeUnixNano":"\#(time)","count":"\#(total)",\#(sum ?? "")"bucketCounts":[\#(counts.map { "\"\($0)\"" }.joined(separator: ","))],"explicitBounds":[\#(bounds.map { "\($0)" }.joined(separator: ","))]}]}}"#
    }

    @Test("explicit histogram: cumulative le buckets, +Inf equals _count; _sum left out when unset")
    func histogram() throws {
        #expect(
            samples(try expose(OTLP.request(Self.histogram("rt", counts: [1, 2, 3], bounds: [0.1, 1])))) == [
                #"opensre_rt_seconds_bucket{\#(svc),le="0.1"} 1"#, #"opensre_rt_seconds_bucket{\#(svc),le="1"} 3"#,
                #"opensre_rt_seconds_bucket{\#(svc),le="+Inf"} 6"#, #"opensre_rt_seconds_sum{\#(svc)} 3.5"#,
                #"opensre_rt_seconds_count{\#(svc)} 6"#,
            ])
        #expect(
            samples(try expose(OTLP.request(Self.histogram("rt", sum: nil, counts: [4], bounds: [])))) == [
                #"opensre_rt_seconds_bucket{\#(svc),le="+Inf"} 4"#, #"opensre_rt_seconds_count{\#(svc)} 4"#,
            ])
    }

    @Test("delta histograms accumulate bucket by bucket")
    func deltaHistogram() throws {
        let first = OTLP.request(Self.histogram("rt", temporality: 1, start: 0, time: 10, counts: [1, 0, 1], bounds: [0.1, 1]))
        let second = OTLP.request(Self.histogram("rt", temporality: 1, start: 10, time: 20, counts: [0, 2, 0], bounds: [0.1, 1]))
        #expect(
            samples(try expose([first, second])) == [
                #"opensre_rt_seconds_bucket{\#(svc),le="0.1"} 1"#, #"opensre_rt_seconds_bucket{\#(svc),le="1"} 3"#,
                #"opensre_rt_seconds_bucket{\#(svc),le="+Inf"} 4"#, #"opensre_rt_seconds_sum{\#(svc)} 7"#,
                #"opensre_rt_seconds_count{\#(svc)} 4"#,
            ])
    }

    static func exponential(
        scale: Int, positive: (Int, [Int]), negative: (Int, [Int]) = (0, []), zero: Int = 0, temporality: Int = 2,
        start: Int = 0, time: Int = 1000, sum: Double = 10
    ) -> String {
        let count = positive.1.reduce(0, +) + negative.1.reduce(0, +) + zero
        func buckets(_ side: (Int, [Int])) -> String {
            #"{"offset":\#(side.0),"bucketCounts":[\#(side.1.map { "\"\($0)\"" }.joined(separator: ","))]}"#
        }
        return #"{"name":"size","unit":"By","exponentialHistogram":{"aggregationTemporality":\#(temporality),"dataPoints":[{"startTimeUnixNano":"\#(start)","timeUnixNano":"\#(time)","count":"\#(count)","sum":\#(sum),"scale":\#(scale),"zeroCount":"\#(zero)","positive":\#(buckets(positive)),"negative":\#(buckets(negative))}]}}"#
    }

    @Test("exponential histograms become classic le buckets: negative, zero and positive ranges")
    func exponential() throws {
        let page = try expose(OTLP.request(Self.exponential(scale: 0, positive: (0, [1, 2, 3]), negative: (1, [2]), zero: 1)))
        #expect(page.contains("# TYPE opensre_size_bytes histogram\n"))
        #expect(
            samples(page) == [
                #"opensre_size_bytes_bucket{\#(svc),le="-2"} 2"#, #"opensre_size_bytes_bucket{\#(svc),le="0"} 3"#,
                #"opensre_size_bytes_bucket{\#(svc),le="2"} 4"#, #"opensre_size_bytes_bucket{\#(svc),le="4"} 6"#,
                #"opensre_size_bytes_bucket{\#(svc),le="8"} 9"#, #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 9"#,
                #"opensre_size_bytes_sum{\#(svc)} 10"#, #"opensre_size_bytes_count{\#(svc)} 9"#,
            ])
    }

    @Test("a fine exponential histogram is downscaled to at most 40 classic buckets")
    func exponentialBound() throws {
        let lines = samples(try expose(OTLP.request(Self.exponential(scale: 3, positive: (0, Array(repeating: 1, count: 100))))))
        let buckets = lines.filter { $0.contains("_bucket") }
        // Scale 3 → 1: every four buckets merge, 25 remain, plus +Inf.
        #expect(buckets.count == 26)
        #expect(buckets.first == #"opensre_size_bytes_bucket{\#(svc),le="1.4142135623730951"} 4"#)
        #expect(buckets[24] == #"opensre_size_bytes_bucket{\#(svc),le="5792.618751480198"} 100"#)
        #expect(buckets.last == #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 100"#)
    }

    @Test("delta exponential histograms of different scales merge at the coarser one")
    func exponentialDelta() throws {
        let first = OTLP.request(Self.exponential(scale: 1, positive: (0, [1, 1]), temporality: 1, start: 0, time: 10, sum: 3))
        let second = OTLP.request(Self.exponential(scale: 0, positive: (1, [2]), temporality: 1, start: 10, time: 20, sum: 5))
        #expect(
            samples(try expose([first, second])) == [
                #"opensre_size_bytes_bucket{\#(svc),le="2"} 2"#, #"opensre_size_bytes_bucket{\#(svc),le="4"} 4"#,
                #"opensre_size_bytes_bucket{\#(svc),le="+Inf"} 4"#, #"opensre_size_bytes_sum{\#(svc)} 8"#,
                #"opensre_size_bytes_count{\#(svc)} 4"#,
            ])
    }

    @Test("summaries: quantile lines, _sum and _count")
    func summary() throws {
        let metric = #"{"name":"rpc.latency","unit":"ms","summary":{"dataPoints":[{"count":"10","sum":123.5,"quantileValues":[{"quantile":0.5,"value":11},{"quantile":0.99,"value":42.5}]}]}}"#
        #expect(
            samples(try expose(OTLP.request(metric))) == [
                #"opensre_rpc_latency_milliseconds{\#(svc),quantile="0.5"} 11"#,
                #"opensre_rpc_latency_milliseconds{\#(svc),quantile="0.99"} 42.5"#,
                #"opensre_rpc_latency_milliseconds_sum{\#(svc)} 123.5"#,
                #"opensre_rpc_latency_milliseconds_count{\#(svc)} 10"#,
            ])
    }

    @Test("NO_RECORDED_VALUE removes the series")
    func noRecordedValue() throws {
        let set = OTLP.request(OTLP.gauge("up"), OTLP.gauge("other"))
        let stale = OTLP.request(#"{"name":"up","gauge":{"dataPoints":[{"timeUnixNano":"2000","flags":1}]}}"#)
        #expect(samples(try expose([set, stale])) == ["opensre_other{\(svc)} 1"])
    }

    @Test("TYPE conflict: the first type wins, one HELP and TYPE per family, the other metric is refused")
    func typeConflict() throws {
        let page = try expose(
            OTLP.request(OTLP.sum("requests", points: [OTLP.point(3)]), OTLP.gauge("requests_total", value: #""asInt":"9""#)))
        #expect(
            page == """
                # HELP opensre_requests_total requests
                # TYPE opensre_requests_total counter
                opensre_requests_total{\(svc)} 3

                """)
    }

    @Test("metric_expiration removes idle series in the background; 0 keeps them forever")
    func expiry() throws {
        let request = Array(OTLP.request(OTLP.gauge("up")).utf8)
        let batch = try request.withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
        let expiring = SeriesStore(settings: ExpositionSettings(metricExpiration: .seconds(1)))
        expiring.apply(batch, now: 1_000_000_000)
        #expect(expiring.expire(now: 1_500_000_000) == 0)
        #expect(expiring.expire(now: 2_000_000_001) == 1)
        #expect(ScrapeSources.render(expiring) == [])
        #expect(expiring.statistics.expiredSeries == 1)
        expiring.apply(batch, now: 3_000_000_000)
        #expect(samples(String(decoding: ScrapeSources.render(expiring), as: UTF8.self)) == ["opensre_up{\(svc)} 1"])

        let forever = SeriesStore(settings: ExpositionSettings(metricExpiration: .zero))
        forever.apply(batch, now: 1)
        #expect(forever.expire(now: .max) == 0)
        #expect(forever.seriesCount == 1)
    }

    @Test("send_timestamps writes each sample's point time (milliseconds in text)")
    func timestamps() throws {
        let page = try expose(
            OTLP.request(OTLP.sum("requests", points: [OTLP.point(3, time: 1_700_000_000_123_000_000)])),
            settings: ExpositionSettings(sendTimestamps: true))
        #expect(samples(page) == ["opensre_requests_total{\(svc)} 3 1700000000123"])
    }
}
