import Foundation
import Logging
import NIOHTTP1
import NIOPosix
import OpenSRECollector
import OpenSREConfig
import OpenSRETestSupport
import Synchronization
import Testing

/// Overload: a receiver whose processor drains slowly is flooded; refused
/// requests must say 503 with Retry-After, and every acknowledged point must be
/// in the scrape.
@Suite("Overload", .serialized)
struct OverloadTests {
    static let connections = 16

    /// One request: the cumulative count of this connection's acknowledged
    /// requests, plus one. Each connection is its own SDK instance (its own
    /// stream), as in real traffic: a stream whose points arrive out of order
    /// across connections waits for the processor's report (see OTLPIngestor).
    static func body(connection: Int, value: Int) -> [UInt8] {
        Array(
            #"{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"load"}},{"key":"service.instance.id","value":{"stringValue":"\#(connection)"}}]},"scopeMetrics":[{"metrics":[{"name":"acked","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"asInt":"\#(value)","startTimeUnixNano":"1","timeUnixNano":"\#(value + 1)","attributes":[{"key":"connection","value":{"intValue":"\#(connection)"}}]}]}}]}]}]}"#
                .utf8)
    }

    @Test("flooded: 503 with Retry-After once the rings are full; every 200-acknowledged point is in the scrape")
    func flood() async throws {
        let configuration = try CollectorConfiguration.parse(
            yaml: """
                receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:0" } } } }
                processors:
                  memory_limiter: { limit_mib: 1024 }
                  batch: { timeout: 30s, send_batch_size: 100000000 }
                exporters: { prometheus: { endpoint: "127.0.0.1:0", shutdown_grace_period: 0s } }
                service: { pipelines: { metrics: { receivers: [otlp], processors: [memory_limiter, batch], exporters: [prometheus] } } }
                """)
        let collector = try Collector(
            configuration: configuration, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let ports = try await collector.start()

        let tally = Tally()
        let deadline = ContinuousClock.now + .seconds(4)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in 0..<Self.connections {
                group.addTask {
                    let client = try await TestHTTPConnection.connect(port: ports.receiver)
                    var acked = 0
                    var sawRefusal = false
                    while ContinuousClock.now < deadline {
                        let answer = try await client.request(
                            .POST, "/v1/metrics", headers: [("Content-Type", "application/json")],
                            body: Self.body(connection: connection, value: acked + 1))
                        switch answer.status {
                        case .ok:
                            acked += 1
                        case .serviceUnavailable:
                            sawRefusal = true
                            tally.refused.withLock { state in
                                state.count += 1
                                if answer.headers["Retry-After"] == ["1"] { state.withRetryAfter += 1 }
                            }
                        default:
                            tally.refused.withLock { $0.other.append(answer.status.code) }
                        }
                        // Once refused, keep flooding a little, then stop (a real SDK would back off).
                        if sawRefusal, acked > 0, Int.random(in: 0..<50) == 0 { break }
                    }
                    tally.acknowledged.withLock { $0[connection] = acked }
                    await client.close()
                }
            }
            try await group.waitForAll()
        }
        let (count, withRetryAfter, other) = tally.refused.withLock { $0 }
        let acked = tally.acknowledged.withLock { $0 }
        #expect(other.isEmpty, "unexpected answers: \(other)")
        #expect(count > 0, "the flood never filled the rings")
        #expect(withRetryAfter == count)
        #expect(acked.values.reduce(0, +) >= 2048, "fewer acknowledged requests than the rings hold")

        // The scrape drains the rings first: every acknowledged point is there.
        let page = try await TestHTTPConnection.send(port: ports.exporter, .GET, "/metrics").text
        for (connection, value) in acked.sorted(by: { $0.key < $1.key }) where value > 0 {
            let line = #"opensre_acked_total{connection="\#(connection)",instance="\#(connection)",job="load"} \#(value)"#
            #expect(page.contains(line + "\n"), "missing \(line)")
        }
        #expect(page.contains(#"opensre_collector_http_requests_total{code="503"} \#(count)"#))
        let rss = MemoryLimiterProbe.resident(in: page)
        #expect(rss > 0 && rss < 1024 * 1024 * 1024, "resident memory \(rss) over the 1 GiB limit")
        await collector.shutdown()
    }
}

enum MemoryLimiterProbe {
    /// `opensre_collector_process_resident_memory_bytes` from a page.
    static func resident(in page: String) -> Double {
        page.split(separator: "\n").first { $0.hasPrefix("opensre_collector_process_resident_memory_bytes ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }
}

/// What the flooding connections saw.
final class Tally: Sendable {
    let acknowledged = Mutex<[Int: Int]>([:])
    let refused = Mutex<(count: Int, withRetryAfter: Int, other: [UInt])>((0, 0, []))
}
