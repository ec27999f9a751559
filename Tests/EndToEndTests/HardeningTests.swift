import Foundation
import Logging
import NIOPosix
import OpenSRECollector
import OpenSREConfig
import OpenSREPipeline
import NIOHTTP1
import OpenSRETestSupport
import Testing

/// Slow clients, health probes: the collector keeps serving everyone else.
@Suite("Hardening", .serialized)
struct HardeningTests {
    static let shortTimeouts = """
                read_header_timeout: 300ms
                read_timeout: 500ms
                idle_timeout: 700ms
        """

    func postFixture(_ port: Int) async throws -> TestHTTPResponse {
        try await TestHTTPConnection.send(
            port: port, .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")],
            body: Fixtures.bytes("mixed.pb"))
    }

    @Test("half-sent headers get 408 and are closed after read_header_timeout; others are served meanwhile")
    func slowHeaders() async throws {
        let collector = try await RunningCollector.start(receiverSettings: Self.shortTimeouts)
        let slow = try await RawTCPConnection.connect(port: collector.receiverPort)
        try await slow.send("POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: app")
        #expect(try await postFixture(collector.receiverPort).status == .ok)
        let result = await slow.waitForClose(timeout: .seconds(3))
        #expect(result.closed)
        #expect(result.text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(try await collector.scrapeText().contains("opensre_http_server_requests_total{"))
        await collector.stop()
    }

    @Test("a trickled body gets 408 after read_timeout; an idle keep-alive connection is closed after idle_timeout")
    func slowBodyAndIdle() async throws {
        let collector = try await RunningCollector.start(receiverSettings: Self.shortTimeouts)
        let trickle = try await RawTCPConnection.connect(port: collector.receiverPort)
        try await trickle.send("POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 1000\r\n\r\n0123456789")
        for _ in 0..<3 {
            try await Task.sleep(for: .milliseconds(100))
            try? await trickle.send("x")
        }
        let result = await trickle.waitForClose(timeout: .seconds(3))
        #expect(result.closed && result.text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))

        let idle = try await RawTCPConnection.connect(port: collector.receiverPort)
        let started = ContinuousClock.now
        let closed = await idle.waitForClose(timeout: .seconds(3))
        #expect(closed.closed && closed.text.isEmpty)
        #expect(ContinuousClock.now - started >= .milliseconds(600))
        #expect(try await postFixture(collector.receiverPort).status == .ok)
        await collector.stop()
    }

    @Test("above the memory_limiter's soft limit data is refused with 503 and Retry-After; probes and scrapes still answer")
    func memoryLimiter() async throws {
        let configuration = try CollectorConfiguration.parse(
            yaml: """
                receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } } }
                processors:
                  memory_limiter: { check_interval: 50ms, limit_mib: 2, spike_limit_mib: 1 }
                  batch:
                exporters: { prometheus: { endpoint: "127.0.0.1:0", shutdown_grace_period: 0s } }
                service: { pipelines: { metrics: { receivers: [otlp], processors: [memory_limiter, batch], exporters: [prometheus] } } }
                """)
        #expect(configuration.memoryLimiter == MemoryLimiterConfiguration(checkInterval: .milliseconds(50), limitMiB: 2, spikeLimitMiB: 1))
        let collector = try Collector(
            configuration: configuration, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let ports = try await collector.start()
        try await Task.sleep(for: .milliseconds(200))  // a check has run: any process is above 1 MiB
        let refused = try await postFixture(ports.receiver)
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers["Retry-After"] == ["1"])
        #expect(StatusBody.decode(refused.body)?.message == "collector is above its memory limit, retry later")
        #expect(try await TestHTTPConnection.send(port: ports.receiver, .GET, "/healthz").status == .ok)
        let page = try await TestHTTPConnection.send(port: ports.exporter, .GET, "/metrics").text
        #expect(page.contains("opensre_collector_memory_limiter_refusing 1\n"))
        #expect(page.contains(#"opensre_collector_http_requests_total{code="503"} 1"#))
        #expect(page.contains(#"opensre_collector_memory_limit_bytes{limit="soft"} 1.048576e+06"#))
        await collector.shutdown()
    }

    @Test(
        "every bad-input class gets its status; the process keeps serving and keeps what it accepted",
        arguments: [
            (HTTPMethod.POST, "/v1/traces", "application/x-protobuf", "", "mixed.pb", 404),
            (.GET, "/v1/metrics", "application/x-protobuf", "", "", 405),
            (.POST, "/v1/metrics", "text/plain", "", "mixed.pb", 415),
            (.POST, "/v1/metrics", "application/x-protobuf", "br", "mixed.pb", 415),
            (.POST, "/v1/metrics", "application/x-protobuf", "", "malformed.bin", 400),
            (.POST, "/v1/metrics", "application/json", "", "mixed.pb", 400),
            (.POST, "/v1/metrics", "application/x-protobuf", "gzip", "mixed.pb", 400),
            (.POST, "/v1/metrics", "application/x-protobuf", "gzip", "zeros-1mib.gz", 413),
            (.POST, "/v1/metrics", "application/x-protobuf", "zstd", "zeros-1mib.zst", 413),
            (.POST, "/v1/metrics", "application/x-protobuf", "", "LARGE", 413),
            (.POST, "/v1/metrics", "application/x-protobuf", "", "", 200),
        ])
    func badInput(
        method: HTTPMethod, path: String, contentType: String, encoding: String, fixture: String, status: Int
    ) async throws {
        // A 512 KiB body limit, so the 1 MiB bombs and a large body exceed it.
        let collector = try await RunningCollector.start(receiverSettings: "        max_request_body_size: 524288")
        #expect(try await postFixture(collector.receiverPort).status == .ok)
        var headers = [("Content-Type", contentType)]
        if !encoding.isEmpty { headers.append(("Content-Encoding", encoding)) }
        let body: [UInt8] =
            switch fixture {
            case "": []
            case "LARGE": [UInt8](repeating: 0x0A, count: 600_000)
            default: try Fixtures.bytes(fixture)
            }
        let answer = try await TestHTTPConnection.send(
            port: collector.receiverPort, method, path, headers: headers, body: body)
        #expect(answer.status.code == UInt(status))
        if status >= 400, contentType == "application/json" {
            #expect(answer.text.hasPrefix(#"{"code":3,"message":"request body is not valid OTLP/JSON"#))
        } else if status >= 400 {
            #expect(StatusBody.decode(answer.body)?.message.isEmpty == false)
        }
        #expect(try await TestHTTPConnection.send(port: collector.receiverPort, .GET, "/healthz").status == .ok)
        #expect(try await postFixture(collector.receiverPort).status == .ok)
        #expect(try await collector.scrapeText().contains("opensre_http_server_requests_total{"))
        await collector.stop()
    }

    static func hostile(_ kind: String) throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID()).pb")
        defer { try? FileManager.default.removeItem(at: file) }
        let script = Fixtures.repositoryRoot.appendingPathComponent("Tests/EndToEndTests/make_hostile.py").path
        let run = try ProgramRun.runBlocking(EndToEndTests.python, [script, kind, file.path])
        guard run.status == 0 else { throw TestError(run.output) }
        return Array(try Data(contentsOf: file))
    }

    @Test(
        "hostile payloads each get a defined answer; the collector keeps serving and keeps what it accepted before",
        arguments: [
            // Invalid UTF-8 in a string: accepted; the bad bytes become U+FFFD in the label.
            ("bad-utf8", 200, "", #"opensre_utf8_test{job="hostile",name="\#u{FFFD}\#u{FFFD}\#u{FFFD}(\#u{FFFD}\#u{FFFD}-OK"} 1"#),
            // NaN and infinities are values like any other.
            ("nan-inf", 200, "", #"opensre_special_values{job="hostile",v="-inf"} -Inf"#),
            // A 100 kB label value: that point is refused and reported; the rest of the request is kept.
            ("huge-value", 200, "(at most 16384)", #"opensre_small_value{job="hostile"} 2"#),
            ("many-attributes", 200, "point has 200 attributes (at most 128)", #"opensre_small_value{job="hostile"} 3"#),
            // A million attributes: counted, not sorted or copied, and refused.
            ("million-attributes", 200, "point has 1000000 attributes (at most 128)", ""),
        ])
    func hostilePayloads(kind: String, status: Int, reason: String, line: String) async throws {
        let collector = try await RunningCollector.start()
        #expect(try await postFixture(collector.receiverPort).status == .ok)
        let answer = try await TestHTTPConnection.send(
            port: collector.receiverPort, .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")],
            body: Self.hostile(kind))
        #expect(answer.status.code == UInt(status))
        if status == 200 {
            let partial = answer.body.isEmpty ? "" : String(decoding: answer.body, as: UTF8.self)
            #expect(reason.isEmpty ? answer.body.isEmpty : partial.contains(reason), "\(partial)")
        } else {
            #expect(StatusBody.decode(answer.body)?.message.hasPrefix(reason) == true)
        }
        #expect(try await TestHTTPConnection.send(port: collector.receiverPort, .GET, "/healthz").status == .ok)
        let page = try await collector.scrapeText()
        #expect(page.contains("opensre_http_server_requests_total{"), "earlier data lost")
        if !line.isEmpty { #expect(page.contains(line + "\n"), "\(page)") }
        if kind == "nan-inf" {
            #expect(page.contains(#"opensre_special_values{job="hostile",v="nan"} NaN"#))
            #expect(page.contains(#"opensre_special_values{job="hostile",v="inf"} +Inf"#))
        }
        await collector.stop()
    }

    @Test("/healthz and /readyz on both ports; /readyz is 503 once shutdown begins")
    func probes() async throws {
        let collector = try await RunningCollector.start()
        for port in [collector.receiverPort, collector.exporterPort] {
            let health = try await TestHTTPConnection.send(port: port, .GET, "/healthz")
            #expect(health.status == .ok && health.text == "ok\n")
            let ready = try await TestHTTPConnection.send(port: port, .GET, "/readyz")
            #expect(ready.status == .ok && ready.text == "ready\n")
        }
        collector.collector.health.markNotReady()
        #expect(try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/readyz").status == .serviceUnavailable)
        #expect(try await TestHTTPConnection.send(port: collector.receiverPort, .GET, "/healthz").status == .ok)
        await collector.stop()
    }
}

struct TestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
