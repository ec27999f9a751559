import PrometheusExposition
import Testing

@Suite("Sample values as Prometheus's Go client writes them")
struct PrometheusFloatTests {
    @Test(
        "strconv.FormatFloat(v, 'g', -1, 64)",
        arguments: [
            (0.0, "0"), (1.0, "1"), (-3.0, "-3"), (42.0, "42"), (999_999.0, "999999"), (1_000_000.0, "1e+06"),
            (1_234_567.0, "1.234567e+06"), (123_456_789.0, "1.23456789e+08"), (0.5, "0.5"), (0.25, "0.25"),
            (12.5, "12.5"), (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5e-7, "1.5e-07"), (1e21, "1e+21"),
            (1e100, "1e+100"), (0.1, "0.1"), (100.25, "100.25"), (-0.005, "-0.005"), (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (.infinity, "+Inf"), (-.infinity, "-Inf"),
            (.nan, "NaN"), (123456.789, "123456.789"), (9_007_199_254_740_993.0, "9.007199254740992e+15"),
        ])
    func format(value: Double, expected: String) {
        #expect(PrometheusFloat.sampleValue(value) == expected)
    }
}

@Suite("Exposition writer")
struct ExpositionWriterTests {
    @Test("text 0.0.4: HELP escapes backslash and newline; samples with and without labels")
    func text() {
        var writer = ExpositionWriter()
        let name = MetricName("opensre_x")
        writer.appendHeader(name: name, type: .histogram, help: "a\\b\nc \"q\"", unit: "seconds")
        writer.appendSample(name: name, suffix: "_bucket", labels: [], extraLabel: "le", extraValue: 0.5, value: 3)
        writer.appendSample(
            name: name, suffix: "_bucket", labels: Array(#"a="1""#.utf8), extraLabel: "le", extraValue: .infinity,
            value: 4)
        writer.appendSample(name: name, suffix: "_count", labels: [], value: 4, timestamp: 1_700_000_000_123_456_789)
        writer.finish()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self) == """
                # HELP opensre_x a\\\\b\\nc "q"
                # TYPE opensre_x histogram
                opensre_x_bucket{le="0.5"} 3
                opensre_x_bucket{a="1",le="+Inf"} 4
                opensre_x_count 4 1700000000123

                """)
    }

    @Test("OpenMetrics: counter family without _total, UNIT, canonical le, exemplar, timestamps in seconds, EOF")
    func openMetrics() {
        var writer = ExpositionWriter(format: .openMetrics)
        let counter = MetricName("opensre_work_seconds_total")
        writer.appendHeader(name: counter, type: .counter, help: "say \"hi\"", unit: "seconds")
        writer.appendSample(
            name: counter, labels: Array(#"a="1""#.utf8), value: 7, timestamp: 1_700_000_000_250_000_000,
            exemplar: RenderedExemplar(labels: Array(#"trace_id="ab""#.utf8), value: 1.5, time: 1_700_000_000_000_000_000))
        let histogram = MetricName("opensre_latency_seconds")
        writer.appendHeader(name: histogram, type: .histogram, help: "h", unit: "seconds")
        writer.appendSample(name: histogram, suffix: "_bucket", labels: [], extraLabel: "le", extraValue: 1, value: 2)
        let info = MetricName("opensre_target_info")
        writer.appendHeader(name: info, type: .gauge, help: "Target metadata", isInfo: true)
        let plain = MetricName("opensre_hits")
        writer.appendHeader(name: plain, type: .counter, help: "no total suffix", unit: "seconds")
        writer.finish()
        #expect(
            String(decoding: writer.bytes, as: UTF8.self) == """
                # HELP opensre_work_seconds say \\"hi\\"
                # TYPE opensre_work_seconds counter
                # UNIT opensre_work_seconds seconds
                opensre_work_seconds_total{a="1"} 7 1700000000.25 # {trace_id="ab"} 1.5 1700000000
                # HELP opensre_latency_seconds h
                # TYPE opensre_latency_seconds histogram
                # UNIT opensre_latency_seconds seconds
                opensre_latency_seconds_bucket{le="1.0"} 2
                # HELP opensre_target Target metadata
                # TYPE opensre_target info
                # HELP opensre_hits no total suffix
                # TYPE opensre_hits unknown
                # EOF

                """)
    }

    @Test("UTF-8 names are quoted for UTF-8 scrapers and escaped for the others")
    func utf8Names() {
        let name = MetricName("http.requests")
        let labels = ExpositionWriter.labelText([Label("http.method", "GET"), Label("job", "a")])
        var quoted = ExpositionWriter(format: ExpositionFormat(syntax: .text, utf8: true))
        quoted.appendHeader(name: name, type: .gauge, help: "h")
        quoted.appendSample(name: name, labels: labels, value: 1)
        quoted.appendSample(name: name, labels: [], value: 2)
        #expect(
            String(decoding: quoted.bytes, as: UTF8.self) == """
                # HELP "http.requests" h
                # TYPE "http.requests" gauge
                {"http.requests","http.method"="GET",job="a"} 1
                {"http.requests"} 2

                """)
        var escaped = ExpositionWriter()
        escaped.appendSample(name: name, labels: [], value: 2)
        #expect(String(decoding: escaped.bytes, as: UTF8.self) == "http_requests 2\n")
    }
}

@Suite("Content negotiation")
struct ExpositionFormatTests {
    @Test(
        "Accept headers",
        arguments: [
            (nil as String?, ExpositionFormat.text),
            ("text/plain", .text),
            ("*/*", .text),
            ("application/json", .text),
            ("application/openmetrics-text; version=1.0.0", .openMetrics),
            // Prometheus 2.x's default Accept.
            ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics),
            // Prometheus 3's default Accept.
            ("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1", ExpositionFormat(syntax: .openMetrics, utf8: true)),
            ("text/plain;version=0.0.4;q=0.9, application/openmetrics-text;q=0.5", .text),
            ("application/openmetrics-text;q=0, text/plain", .text),
        ])
    func negotiate(accept: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test("enable_open_metrics: false never answers OpenMetrics")
    func disabled() {
        #expect(ExpositionFormat.negotiate(accept: "application/openmetrics-text", allowOpenMetrics: false) == .text)
    }
}
