import PrometheusExposition
import Testing

@Suite("Metric names (otlptranslator UnderscoreEscapingWithSuffixes)")
struct MetricNamerTests {
    let namer = MetricNamer(namespace: "opensre")
    let bare = MetricNamer(namespace: "")

    @Test(
        "name, unit and type to a Prometheus name",
        arguments: [
            ("http.server.request.duration", "s", NamingKind.other, "opensre_http_server_request_duration_seconds"),
            ("http.server.requests", "{request}", .monotonicCounter, "opensre_http_server_requests_total"),
            ("process.memory.usage", "By", .gauge, "opensre_process_memory_usage_bytes"),
            ("system.cpu.utilization", "1", .gauge, "opensre_system_cpu_utilization_ratio"),
            ("system.cpu.utilization", "1", .other, "opensre_system_cpu_utilization"),
            ("requests.count", "1", .monotonicCounter, "opensre_requests_count_total"),
            ("network.io", "By/s", .gauge, "opensre_network_io_bytes_per_second"),
            ("throughput", "1/s", .gauge, "opensre_throughput_per_second"),
            ("cache.size", "KiBy", .gauge, "opensre_cache_size_kibibytes"),
            ("temperature", "Cel", .gauge, "opensre_temperature_celsius"),
            ("disk.usage", "%", .gauge, "opensre_disk_usage_percent"),
            ("latency", "ms", .other, "opensre_latency_milliseconds"),
            ("duration_seconds", "s", .other, "opensre_duration_seconds"),
            ("total.requests", "", .monotonicCounter, "opensre_requests_total"),
            ("requests_total", "", .monotonicCounter, "opensre_requests_total"),
            ("packets", "{packet}/s", .gauge, "opensre_packets_per_second"),
            ("rate", "By/{x}", .gauge, "opensre_rate_bytes"),
            ("weird..name__x", "", .gauge, "opensre_weird_name_x"),
            ("custom", "widgets", .gauge, "opensre_custom_widgets"),
            ("per.min", "1/min", .gauge, "opensre_per_min_per_min"),
            ("speed", "m/h", .gauge, "opensre_speed_meters_per_hour"),
        ])
    func names(name: String, unit: String, kind: NamingKind, expected: String) {
        #expect(namer.name(for: name, unit: unit, kind: kind) == expected)
    }

    @Test("a leading digit gets an underscore only without a namespace")
    func leadingDigit() {
        #expect(bare.name(for: "2xx.responses", unit: "", kind: .gauge) == "_2xx_responses")
        #expect(namer.name(for: "2xx.responses", unit: "", kind: .gauge) == "opensre_2xx_responses")
    }

    @Test("a name with nothing valid left is refused")
    func invalid() {
        #expect(namer.name(for: "...", unit: "", kind: .gauge) == nil)
        #expect(namer.name(for: "", unit: "", kind: .other) == nil)
    }
}

@Suite("Label names and values")
struct LabelTests {
    @Test(
        "sanitizing attribute keys",
        arguments: [
            ("http.method", "http_method"), ("a-b c", "a_b_c"), ("2xx", "key_2xx"), ("ok_name", "ok_name"),
            ("día", "d_a"),
        ])
    func sanitize(key: String, expected: String) {
        #expect(LabelNamer.sanitize(key) == expected)
    }

    @Test("colliding keys merge with ';' in the order of the original keys")
    func collisions() {
        let labels = LabelSetBuilder.labels(
            fixed: [Label("job", "shop/checkout"), Label("instance", "")],
            attributes: [
                .init("a_b", .string("second")), .init("a.b", .string("first")), .init("job", .string("mine")),
                .init("empty", .string("")), .init("n", .int(3)),
            ])
        #expect(
            labels == [
                Label("a_b", "first;second"), Label("exported_job", "mine"), Label("job", "shop/checkout"),
                Label("n", "3"),
            ])
    }

    @Test("reserved names (le on histograms) become exported_")
    func reserved() {
        let labels = LabelSetBuilder.labels(fixed: [], attributes: [.init("le", .string("x"))], reserved: ["le"])
        #expect(labels == [Label("exported_le", "x")])
    }

    @Test(
        "non-string attribute values follow the AnyValue rules",
        arguments: [
            (AttributeValueCase.bool, "true"), (.int, "-7"), (.double, "0.1"), (.bigDouble, "1e+21"),
            (.smallDouble, "1e-7"), (.array, "[\"a\",1,false,null]"), (.map, "{\"k\":\"v\",\"n\":1.5}"),
            (.bytes, "aGk="), (.nan, "NaN"), (.infinity, "-Infinity"),
        ])
    func values(kind: AttributeValueCase, expected: String) {
        #expect(AttributeText.labelValue(kind.value) == expected)
    }

    @Test("label text escapes backslash, quote and newline")
    func escaping() {
        let text = ExpositionWriter.labelText([Label("a", "x\\y\"z\nw"), Label("b", "ok")])
        #expect(String(decoding: text, as: UTF8.self) == #"a="x\\y\"z\nw",b="ok""#)
    }
}

import OpenSREModel

enum AttributeValueCase: CaseIterable, Sendable {
    case bool, int, double, bigDouble, smallDouble, array, map, bytes, nan, infinity

    var value: AttributeValue {
        switch self {
        case .bool: return .bool(true)
        case .int: return .int(-7)
        case .double: return .double(0.1)
        case .bigDouble: return .double(1e21)
        case .smallDouble: return .double(1e-7)
        case .array: return .array([.string("a"), .int(1), .bool(false), .empty])
        case .map: return .map([Attribute("k", .string("v")), Attribute("n", .double(1.5))])
        case .bytes: return .bytes(Array("hi".utf8))
        case .nan: return .double(.nan)
        case .infinity: return .double(-.infinity)
        }
    }
}
