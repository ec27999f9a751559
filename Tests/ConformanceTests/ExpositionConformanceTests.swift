import OpenSREPipeline
import PrometheusExposition
import Testing

@Suite("Conformance: OpenMetrics exposition")
struct ExpositionConformanceTests {
    static let trace = #""traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174""#

    @Test("OpenMetrics: TYPE/UNIT/HELP, counters without _total in metadata, info, exemplars, # EOF")
    func openMetrics() throws {
        let long = String(repeating: "v", count: 59)
        let counter = OTLP.sum(
            "cpu.time", unit: "s",
            points: [
                OTLP.point(
                    7,
                    extra: #","exemplars":[{"asDouble":0.25,"timeUnixNano":"1700000000500000000",\#(Self.trace),"filteredAttributes":[{"key":"a","value":{"stringValue":"\#(long)"}},{"key":"b","value":{"stringValue":"x"}},{"key":"c","value":{"stringValue":"dropped-too-long"}},{"key":"trace_id","value":{"stringValue":"shadowed"}}]}]"#
                )
            ])
        let histogram = #"{"name":"rt","unit":"s","histogram":{"aggregationTemporality":2,"dataPoints":[{"count":"3","sum":1.5,"bucketCounts":["1","2"],"explicitBounds":[1],"exemplars":[{"asDouble":0.5,"timeUnixNano":"1700000000000000000",\#(Self.trace)},{"asDouble":9,"timeUnixNano":"1700000001000000000","spanId":"eee19b7ec3c1b174"}]}]}}"#
        let resource = OTLP.defaultResource.dropLast() + #",{"key":"host.name","value":{"stringValue":"h1"}}]"#
        let page = try expose(OTLP.request(counter, histogram, resource: String(resource)), format: .openMetrics)
        #expect(
            page == """
                # HELP opensre_cpu_time_seconds cpu.time
                # TYPE opensre_cpu_time_seconds counter
                # UNIT opensre_cpu_time_seconds seconds
                opensre_cpu_time_seconds_total{\(svc)} 7 # {trace_id="5b8efff798038103d269b633813fc60c",span_id="eee19b7ec3c1b174",a="\(long)",b="x"} 0.25 1700000000.5
                # HELP opensre_rt_seconds rt
                # TYPE opensre_rt_seconds histogram
                # UNIT opensre_rt_seconds seconds
                opensre_rt_seconds_bucket{\(svc),le="1.0"} 1 # {trace_id="5b8efff798038103d269b633813fc60c",span_id="eee19b7ec3c1b174"} 0.5 1700000000
                opensre_rt_seconds_bucket{\(svc),le="+Inf"} 3 # {span_id="eee19b7ec3c1b174"} 9 1700000001
                opensre_rt_seconds_sum{\(svc)} 1.5
                opensre_rt_seconds_count{\(svc)} 3
                # HELP opensre_target Target metadata
                # TYPE opensre_target info
                opensre_target_info{host_name="h1",instance="i1",job="svc"} 1
                # EOF

                """)
    }

    @Test("text 0.0.4 carries no exemplars, UNIT or EOF")
    func textHasNoExemplars() throws {
        let counter = OTLP.sum(
            "hits", points: [OTLP.point(1, extra: #","exemplars":[{"asDouble":1,"timeUnixNano":"1",\#(Self.trace)}]"#)])
        #expect(
            try expose(OTLP.request(counter)) == """
                # HELP opensre_hits_total hits
                # TYPE opensre_hits_total counter
                opensre_hits_total{\(svc)} 1

                """)
    }
}
