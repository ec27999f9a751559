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
