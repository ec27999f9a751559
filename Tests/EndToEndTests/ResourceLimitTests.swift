import Foundation
import NIOCore
import NIOPosix
import OpenSRETestSupport
import Synchronization
import Testing

/// The built executable at its resource limits: memory (concurrent large
/// bodies against the memory_limiter), file descriptors (more idle
/// connections than descriptors), and stray signals.
@Suite("Resource limits", .serialized)
struct ResourceLimitTests {
    /// A valid ExportMetricsServiceRequest of about `size` bytes: one gauge
    /// series (`connection`), its points each carrying an 8 KiB attribute, so
    /// it decodes in about its own size (like the issue's large bodies).
    /// Returns the body and its number of points (also the last point's value).
    static func largeRequest(connection: Int, size: Int) -> (body: [UInt8], points: Int) {
        func varint(_ value: Int) -> [UInt8] {
            var value = UInt64(value)
            var bytes: [UInt8] = []
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            return bytes + [UInt8(value)]
        }
        func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] { varint(number << 3 | 2) + varint(payload.count) + payload }
        func fixed64(_ number: Int, _ value: UInt64) -> [UInt8] {
            varint(number << 3 | 1) + (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
        func keyValue(_ key: String, _ value: String) -> [UInt8] {
            field(1, Array(key.utf8)) + field(2, field(1, Array(value.utf8)))
        }
        let attributes = field(7, keyValue("connection", "\(connection)")) + field(7, keyValue("padding", padding))
        var points: [UInt8] = []
        points.reserveCapacity(size + (16 << 10))
        var count = 0
        while points.count < size {
            count += 1
            points.append(contentsOf: field(1, attributes + fixed64(3, UInt64(1_000 + count)) + fixed64(6, UInt64(count))))
        }
        let metric = field(1, Array("large".utf8)) + field(5, points)
        let resource = field(1, keyValue("service.name", "large"))
        return (field(1, field(1, resource) + field(2, field(2, metric))), count)
    }

    static let padding = String(repeating: "p", count: 8 << 10)

    @Test("16 connections send their heads, then 16 MiB bodies, against a 200 MiB memory_limiter: what fits is taken, the rest gets 503 with Retry-After, RSS stays under the limit, nothing acknowledged is lost")
    func concurrentBodies() async throws {
        let collector = try CollectorProcess(
            processors: "memory_limiter: { check_interval: 100ms, limit_mib: 200 }, batch: {}",
            pipeline: "[memory_limiter, batch]")
        #expect(try await collector.waitUntilReady(), "collector did not become ready\n\(collector.log)")
        let residentBefore = collector.memory("VmRSS")
        let size = 16 << 20
        let requests = (0..<16).map { Self.largeRequest(connection: $0, size: size) }
        let bodies = requests.map(\.body)
        // Every head first, while memory is low; then every body.
        var connections: [RawTCPConnection] = []
        for body in bodies {
            let connection = try await RawTCPConnection.connect(port: collector.receiverPort)
            try await connection.send(
                "POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n")
            connections.append(connection)
        }
        try await Task.sleep(for: .milliseconds(100))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (connection, body) in zip(connections, bodies) {
                group.addTask { try await connection.send(bytes: body) }
            }
            try await group.waitForAll()
        }
        var accepted: [Int] = []
        var refused: [Int] = []
        for (index, connection) in connections.enumerated() {
            let answer = await connection.waitForClose(timeout: .seconds(20)).text
            if answer.hasPrefix("HTTP/1.1 200 ") {
                accepted.append(index)
            } else {
                #expect(answer.hasPrefix("HTTP/1.1 503 "), "\(answer.prefix(200))")
                #expect(answer.contains("\r\nRetry-After: 1\r\n") || answer.contains("\r\nretry-after: 1\r\n"))
                refused.append(index)
            }
        }
        let peakFirstWave = collector.memory("VmHWM")
        #expect(!accepted.isEmpty, "nothing fitted")
        #expect(refused.count >= 8, "only \(refused.count) of 16 refused: the bodies in flight were not accounted")
        // The refused senders retry, one at a time, until taken (as an SDK does on 503).
        var retries = 0
        for index in refused {
            var status: UInt = 0
            for _ in 0..<50 where status != 200 {
                status = try await TestHTTPConnection.send(
                    port: collector.receiverPort, .POST, "/v1/metrics", headers: [("Content-Type", "application/x-protobuf")],
                    body: bodies[index]
                ).status.code
                if status != 200 {
                    retries += 1
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
            #expect(status == 200, "connection \(index) never accepted")
        }
        let page = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/metrics").text
        for (index, request) in requests.enumerated() {
            let line = #"opensre_large{connection="\#(index)",job="large",padding="\#(Self.padding)"} \#(request.points)"#
            #expect(page.contains(line + "\n"), "connection \(index)'s data missing")
        }
        let peak = collector.memory("VmHWM")
        print(
            "concurrent bodies: RSS before \(residentBefore >> 20) MiB, peak after the first wave \(peakFirstWave >> 20) MiB, peak overall \(peak >> 20) MiB; first wave \(accepted.count) accepted, \(refused.count) refused, then \(retries) more 503s while they retried (limit 200 MiB, soft 160 MiB)"
        )
        #expect(peak < 200 << 20, "peak RSS \(peak >> 20) MiB crossed the 200 MiB limit")
        #expect(try await collector.stop() == 0)
    }

    @Test("more idle connections than descriptors: accept does not spin, the exporter's probe answers meanwhile, one warning per interval, both ports answer once they close")
    func descriptorExhaustion() async throws {
        // 200 descriptors: each listener takes at most (200 - 64) / 2 = 68 connections.
        let collector = try CollectorProcess(openFiles: 200)
        #expect(try await collector.waitUntilReady(), "collector did not become ready\n\(collector.log)")
        #expect(collector.log.contains("max_connections lowered to fit the open-file limit"))
        var idle: [RawTCPConnection] = []
        for _ in 0..<250 { idle.append(try await RawTCPConnection.connect(port: collector.receiverPort)) }
        try await Task.sleep(for: .milliseconds(300))
        let cpuBefore = collector.cpuSeconds()
        try await Task.sleep(for: .seconds(2))
        let cpu = collector.cpuSeconds() - cpuBefore
        #expect(cpu < 0.3, "the collector used \(cpu) s of CPU in 2 s while idle connections waited")
        // The 64 reserved descriptors are still free (68 connections plus the loops, listeners and spares).
        let open = collector.openDescriptors()
        #expect(open <= 200 - 64, "\(open) descriptors open")
        // The exporter has its own cap: probes there still answer.
        let probe = try await TestHTTPConnection.send(port: collector.exporterPort, .GET, "/healthz")
        #expect(probe.status == .ok)
        let log = collector.log
        let warnings = log.components(separatedBy: "connection limit reached").count - 1
        #expect(warnings == 1, "expected one warning per interval, got \(warnings):\n\(log)")
        for connection in idle { await connection.close() }
        try await Task.sleep(for: .milliseconds(300))
        for port in [collector.receiverPort, collector.exporterPort] {
            let health = try await TestHTTPConnection.send(port: port, .GET, "/healthz")
            #expect(health.status == .ok, "port \(port)")
        }
        #expect(try await collector.stop() == 0)
    }

    @Test("when accept itself fails (descriptors exhausted behind the cap's back), it backs off instead of spinning, and says so once per interval")
    func acceptBackoff() async throws {
        // max_connections far above what 120 descriptors allow, and the limit
        // lowered after start: the cap cannot help, accept fails with EMFILE.
        let collector = try CollectorProcess()
        #expect(try await collector.waitUntilReady(), "collector did not become ready\n\(collector.log)")
        let prlimit = try #require(ProgramRun.which("prlimit"))
        let lowered = try await ProgramRun.run(prlimit, ["--pid", "\(collector.pid)", "--nofile=120:120"])
        #expect(lowered.status == 0, "\(lowered.output)")
        var idle: [RawTCPConnection] = []
        for _ in 0..<200 { idle.append(try await RawTCPConnection.connect(port: collector.receiverPort)) }
        try await Task.sleep(for: .milliseconds(300))
        let cpuBefore = collector.cpuSeconds()
        try await Task.sleep(for: .seconds(2))
        let cpu = collector.cpuSeconds() - cpuBefore
        #expect(cpu < 0.3, "the accept loop used \(cpu) s of CPU in 2 s")
        let warnings = collector.log.components(separatedBy: "accepting connections failed").count - 1
        #expect(warnings == 1, "expected one warning per interval, got \(warnings):\n\(collector.log)")
        for connection in idle { await connection.close() }
        try await Task.sleep(for: .milliseconds(1500))  // past the 1 s backoff
        for port in [collector.receiverPort, collector.exporterPort] {
            let health = try await TestHTTPConnection.send(port: port, .GET, "/healthz")
            #expect(health.status == .ok, "port \(port)")
        }
        #expect(try await collector.stop() == 0)
    }

    @Test("SIGUSR1 and SIGUSR2 are logged and ignored; the collector keeps serving")
    func strayUserSignals() async throws {
        let collector = try CollectorProcess()
        #expect(try await collector.waitUntilReady(), "collector did not become ready\n\(collector.log)")
        collector.signal(SIGUSR1)
        collector.signal(SIGUSR2)
        try await Task.sleep(for: .milliseconds(200))
        #expect(collector.process.isRunning)
        #expect(try await TestHTTPConnection.send(port: collector.receiverPort, .GET, "/healthz").status == .ok)
        let log = collector.log
        #expect(log.contains("SIGUSR1 ignored: no action is bound to it (SIGTERM or SIGINT stop the collector gracefully)"))
        #expect(log.contains("SIGUSR2 ignored: no action is bound to it"))
        #expect(try await collector.stop() == 0)
    }
}
