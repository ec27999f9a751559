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
    @Test("HELP escapes backslash and newline; samples with and without labels")
    func lines() {
        var writer = ExpositionWriter()
        let name = Array("opensre_x".utf8)
        writer.appendHelp(name: name, help: "a\\b\nc \"q\"")
        writer.appendType(name: name, type: .histogram)
        writer.appendSample(name: name, suffix: "_bucket", labels: [], extraLabel: "le", extraValue: 0.5, value: 3)
        writer.appendSample(
            name: name, suffix: "_bucket", labels: Array(#"a="1""#.utf8), extraLabel: "le", extraValue: .infinity,
            value: 4)
        writer.appendSample(name: name, suffix: "_count", labels: [], value: 4)
        #expect(
            String(decoding: writer.bytes, as: UTF8.self) == """
                # HELP opensre_x a\\\\b\\nc "q"
                # TYPE opensre_x histogram
                opensre_x_bucket{le="0.5"} 3
                opensre_x_bucket{a="1",le="+Inf"} 4
                opensre_x_count 4

                """)
    }
}
