import OpenSREPipeline
import PrometheusExposition
import Testing

/// Names: otlptranslator's `UnderscoreEscapingWithSuffixes` (the Collector's and
/// Prometheus's default), including where it departs from the spec text.
@Suite("Conformance: metric names")
struct NamingConformanceTests {
    @Test(
        "unit words, per-units, annotations, type suffixes",
        arguments: [
            (OTLP.gauge("latency", unit: "s"), "opensre_latency_seconds"),
            (OTLP.gauge("latency", unit: "ms"), "opensre_latency_milliseconds"),
            (OTLP.gauge("latency", unit: "us"), "opensre_latency_microseconds"),
            (OTLP.gauge("uptime", unit: "d"), "opensre_uptime_days"),
            (OTLP.gauge("heap", unit: "By"), "opensre_heap_bytes"),
            (OTLP.gauge("heap", unit: "KiBy"), "opensre_heap_kibibytes"),
            (OTLP.gauge("heap", unit: "MiBy"), "opensre_heap_mebibytes"),
            (OTLP.gauge("disk", unit: "GBy"), "opensre_disk_gigabytes"),
            (OTLP.gauge("disk.used", unit: "%"), "opensre_disk_used_percent"),
            (OTLP.gauge("temperature", unit: "Cel"), "opensre_temperature_celsius"),
            (OTLP.gauge("clock", unit: "Hz"), "opensre_clock_hertz"),
            (OTLP.gauge("power", unit: "W"), "opensre_power_watts"),
            (OTLP.gauge("distance", unit: "m"), "opensre_distance_meters"),
            (OTLP.gauge("cpu.utilization", unit: "1"), "opensre_cpu_utilization_ratio"),
            (OTLP.gauge("throughput", unit: "By/s"), "opensre_throughput_bytes_per_second"),
            (OTLP.gauge("speed", unit: "m/s"), "opensre_speed_meters_per_second"),
            (OTLP.gauge("rate", unit: "1/s"), "opensre_rate_per_second"),
            (OTLP.gauge("rate", unit: "{request}/min"), "opensre_rate_per_min"),
            (OTLP.gauge("packets", unit: "{packet}"), "opensre_packets"),
            (OTLP.gauge("widgets", unit: "widget"), "opensre_widgets_widget"),
            (OTLP.gauge("request.duration.seconds", unit: "s"), "opensre_request_duration_seconds"),
            (OTLP.gauge("seconds.spent", unit: "s"), "opensre_seconds_spent"),
            (OTLP.gauge("2xx.responses"), "opensre_2xx_responses"),
            (OTLP.gauge("http-server/requests..count"), "opensre_http_server_requests_count"),
            (OTLP.gauge("ratio.of.things", unit: "1"), "opensre_of_things_ratio"),
            (OTLP.sum("requests", points: [OTLP.point(1)]), "opensre_requests_total"),
            (OTLP.sum("total.requests", points: [OTLP.point(1)]), "opensre_requests_total"),
            (OTLP.sum("requests_total", points: [OTLP.point(1)]), "opensre_requests_total"),
            (OTLP.sum("cpu.time", unit: "s", points: [OTLP.point(1)]), "opensre_cpu_time_seconds_total"),
            (OTLP.sum("processed", unit: "1", points: [OTLP.point(1)]), "opensre_processed_total"),
            (OTLP.sum("connections", unit: "1", monotonic: false, points: [OTLP.point(1)]), "opensre_connections"),
        ])
    func names(metric: String, expected: String) throws {
        let page = try expose(OTLP.request(metric))
        #expect(page.contains("# TYPE \(expected) "), "\(page)")
        #expect(samples(page).first?.hasPrefix(expected + "{") == true, "\(page)")
    }

    @Test("without a namespace a leading digit gets an underscore")
    func leadingDigit() throws {
        let page = try expose(OTLP.request(OTLP.gauge("2xx.responses")), settings: ExpositionSettings(namespace: ""))
        #expect(samples(page) == [#"_2xx_responses{\#(svc)} 1"#])
    }

    @Test("a name with nothing valid left is refused and counted")
    func invalidName() throws {
        let page = try expose(OTLP.request(OTLP.gauge("..."), OTLP.gauge("ok")))
        #expect(samples(page) == [#"opensre_ok{\#(svc)} 1"#])
    }

    @Test(
        "translation_strategy: the same metrics under the four strategies",
        arguments: [
            (
                TranslationStrategy.underscoreEscapingWithSuffixes,
                ["opensre_cpu_ratio{\(svc)} 1", "opensre_http_server_duration_seconds_total{http_method=\"GET\",\(svc)} 1"]
            ),
            (
                .underscoreEscapingWithoutSuffixes,
                ["opensre_cpu{\(svc)} 1", "opensre_http_server_duration{http_method=\"GET\",\(svc)} 1"]
            ),
            // UTF-8 strategies keep dots; a legacy scraper sees them escaped to underscores.
            (
                .noUTF8EscapingWithSuffixes,
                ["opensre_cpu_ratio{\(svc)} 1", "opensre_http_server_duration_seconds_total{http_method=\"GET\",\(svc)} 1"]
            ),
            (.noTranslation, ["opensre_cpu{\(svc)} 1", "opensre_http_server_duration{http_method=\"GET\",\(svc)} 1"]),
        ])
    func strategies(strategy: TranslationStrategy, expected: [String]) throws {
        let request = OTLP.request(
            OTLP.sum(
                "http.server.duration", unit: "s",
                points: [OTLP.point(1, attributes: #"[{"key":"http.method","value":{"stringValue":"GET"}}]"#)]),
            OTLP.gauge("cpu", unit: "1"))
        let page = try expose(request, settings: ExpositionSettings(translationStrategy: strategy))
        #expect(samples(page) == expected)
    }

    @Test("UTF-8 strategies write quoted names to scrapers that negotiated allow-utf-8")
    func utf8Scrape() throws {
        let request = OTLP.request(
            OTLP.sum(
                "http.server.duration", unit: "s",
                points: [OTLP.point(1, attributes: #"[{"key":"http.method","value":{"stringValue":"GET"}}]"#)]))
        let utf8 = ExpositionFormat(syntax: .text, utf8: true)
        let withSuffixes = try expose(
            request, settings: ExpositionSettings(translationStrategy: .noUTF8EscapingWithSuffixes), format: utf8)
        #expect(
            withSuffixes == """
                # HELP "opensre_http.server.duration_seconds_total" http.server.duration
                # TYPE "opensre_http.server.duration_seconds_total" counter
                {"opensre_http.server.duration_seconds_total","http.method"="GET",\(svc)} 1

                """)
        let untranslated = try expose(request, settings: ExpositionSettings(translationStrategy: .noTranslation), format: utf8)
        #expect(samples(untranslated) == [#"{"opensre_http.server.duration","http.method"="GET",\#(svc)} 1"#])
    }
}
