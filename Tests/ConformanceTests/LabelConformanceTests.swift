import OpenSREPipeline
import PrometheusExposition
import Testing

@Suite("Conformance: labels")
struct LabelConformanceTests {
    func attributes(_ pairs: (String, String)...) -> String {
        "[" + pairs.map { #"{"key":"\#($0.0)","value":\#($0.1)}"# }.joined(separator: ",") + "]"
    }

    @Test("keys are sanitized: invalid characters, leading digit, leading underscore")
    func sanitizing() throws {
        let page = try expose(
            OTLP.request(
                OTLP.gauge(
                    "m",
                    attributes: attributes(
                        ("http.request.method", #"{"stringValue":"GET"}"#), ("1st", #"{"stringValue":"a"}"#),
                        ("_private", #"{"stringValue":"b"}"#), ("__reserved", #"{"stringValue":"c"}"#),
                        ("ünïcode", #"{"stringValue":"d"}"#)))))
        #expect(
            samples(page) == [
                #"opensre_m{__reserved="c",http_request_method="GET",instance="i1",job="svc",key_1st="a",key_n_code="d",key_private="b",otel_scope_name="lib"} 1"#
            ])
    }

    @Test("keys that collide after sanitizing merge with ';' in the order of the original keys")
    func collisions() throws {
        let page = try expose(
            OTLP.request(
                OTLP.gauge(
                    "m",
                    attributes: attributes(
                        ("k_8s", #"{"stringValue":"underscore"}"#), ("k.8s", #"{"stringValue":"dot"}"#),
                        ("k-8s", #"{"stringValue":"dash"}"#)))))
        // Byte order of the original keys: '-' (0x2D) < '.' (0x2E) < '_' (0x5F).
        #expect(samples(page) == [#"opensre_m{instance="i1",job="svc",k_8s="dash;dot;underscore",otel_scope_name="lib"} 1"#])
    }

    @Test("attributes named job/instance, le (histogram) and quantile (summary) become exported_")
    func reserved() throws {
        let histogram = #"{"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[{"count":"1","sum":1,"bucketCounts":["1"],"attributes":[{"key":"le","value":{"stringValue":"x"}}]}]}}"#
        let summary = #"{"name":"q","summary":{"dataPoints":[{"count":"1","sum":2,"quantileValues":[{"quantile":0.5,"value":2}],"attributes":[{"key":"quantile","value":{"stringValue":"y"}}]}]}}"#
        let page = try expose(
            OTLP.request(
                OTLP.gauge("g", attributes: attributes(("job", #"{"stringValue":"j"}"#), ("instance", #"{"stringValue":"i"}"#))),
                histogram, summary))
        #expect(
            samples(page) == [
                #"opensre_g{exported_instance="i",exported_job="j",\#(svc)} 1"#,
                #"opensre_h_bucket{exported_le="x",\#(svc),le="+Inf"} 1"#,
                #"opensre_h_sum{exported_le="x",\#(svc)} 1"#,
                #"opensre_h_count{exported_le="x",\#(svc)} 1"#,
                #"opensre_q{exported_quantile="y",\#(svc),quantile="0.5"} 2"#,
                #"opensre_q_sum{exported_quantile="y",\#(svc)} 2"#,
                #"opensre_q_count{exported_quantile="y",\#(svc)} 1"#,
            ])
    }

    @Test("non-string values follow the AnyValue rules; values and HELP are escaped")
    func values() throws {
        let metric = #"{"name":"m","description":"line\none \\ two","gauge":{"dataPoints":[{"asInt":"1","attributes":\#(attributes(("b", #"{"boolValue":false}"#), ("i", #"{"intValue":"-42"}"#), ("d", #"{"doubleValue":2.5e-7}"#), ("a", #"{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":1},{"kvlistValue":{"values":[{"key":"k","value":{"boolValue":true}}]}}]}}"#), ("m", #"{"kvlistValue":{"values":[{"key":"z","value":{"stringValue":"q\"uote"}}]}}"#), ("y", #"{"bytesValue":"aGVsbG8="}"#), ("s", #"{"stringValue":"back\\slash \"quoted\"\nnewline"}"#), ("e", "{}")))}]}}"#
        let page = try expose(OTLP.request(metric))
        #expect(
            page == #"""
                # HELP opensre_m line\none \\ two
                # TYPE opensre_m gauge
                opensre_m{a="[\"x\",1,{\"k\":true}]",b="false",d="2.5e-7",i="-42",instance="i1",job="svc",m="{\"z\":\"q\\\"uote\"}",otel_scope_name="lib",s="back\\slash \"quoted\"\nnewline",y="aGVsbG8="} 1

                """#)
    }

    @Test("const_labels are on every series but target_info; collector-derived labels win")
    func constLabels() throws {
        let resource = OTLP.defaultResource.dropLast() + #",{"key":"host.name","value":{"stringValue":"h1"}}]"#
        let page = try expose(
            OTLP.request(OTLP.gauge("m"), resource: String(resource)),
            settings: ExpositionSettings(constLabels: ["env": "prod", "job": "ignored"]))
        #expect(
            samples(page) == [
                #"opensre_m{env="prod",\#(svc)} 1"#,
                #"opensre_target_info{host_name="h1",instance="i1",job="svc"} 1"#,
            ])
    }
}
