import Foundation
import NIOHTTP1
import OpenSRETestSupport
import Testing

@Suite("Scrapes streamed while rendered")
struct StreamingScrapeTests {
    /// An OTLP/JSON gauge request with `count` series, so the page spans several render slices.
    static func request(series count: Int) -> [UInt8] {
        let points = (0..<count).map { index in
            #"{"asDouble":\#(index),"timeUnixNano":"1","attributes":[{"key":"id","value":{"stringValue":"series-\#(index)-\#(String(repeating: "x", count: 60))"}}]}"#
        }
        let text = #"{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},"scopeMetrics":[{"metrics":[{"name":"wide","gauge":{"dataPoints":[\#(points.joined(separator: ","))]}}]}]}]}"#
        return Array(text.utf8)
    }

    @Test("a large page streams chunked on a keep-alive connection, plain and gzip'd; HTTP/1.0 gets it whole with a length")
    func streamed() async throws {
        let collector = try await RunningCollector.start()
        let posted = try await TestHTTPConnection.send(
            port: collector.receiverPort, .POST, "/v1/metrics", headers: [("Content-Type", "application/json")],
            body: Self.request(series: 6000))
        #expect(posted.status == .ok)

        let connection = try await TestHTTPConnection.connect(port: collector.exporterPort)
        let plain = try await connection.request(.GET, "/metrics")
        #expect(plain.status == .ok)
        #expect(plain.headers["Transfer-Encoding"] == ["chunked"])
        #expect(plain.headers["Content-Length"].isEmpty)
        #expect(plain.body.count > 2 * (256 << 10), "more than two render slices")
        let lines = plain.text.split(separator: "\n").filter { $0.hasPrefix("opensre_wide{") }
        #expect(lines.count == 6000)
        #expect(lines.contains(#"opensre_wide{id="series-5999-\#(String(repeating: "x", count: 60))",job="svc"} 5999"#))

        let gzip = try await connection.request(.GET, "/metrics", headers: [("Accept-Encoding", "gzip")])
        #expect(gzip.status == .ok)
        #expect(gzip.headers["Content-Encoding"] == ["gzip"])
        #expect(gzip.headers["Transfer-Encoding"] == ["chunked"])
        let inflated = try gzip.body.withUnsafeBytes { try GzipInflaterForTests.inflate($0) }
        #expect(
            SelfMetricsFilter.withoutSelfMetrics(String(decoding: inflated, as: UTF8.self))
                == SelfMetricsFilter.withoutSelfMetrics(plain.text))
        await connection.close()

        // HTTP/1.0 knows no chunked encoding: the answer carries Content-Length.
        let raw = try await ProgramRun.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                """
                import socket, sys
                s = socket.create_connection(("127.0.0.1", \(collector.exporterPort)))
                s.sendall(b"GET /metrics HTTP/1.0\\r\\n\\r\\n")
                data = b""
                while True:
                    chunk = s.recv(1 << 16)
                    if not chunk: break
                    data += chunk
                head, _, body = data.partition(b"\\r\\n\\r\\n")
                sys.stdout.write(head.decode() + "\\nbody " + str(len(body)) + "\\n")
                """,
            ])
        #expect(raw.output.hasPrefix("HTTP/1.1 200 OK"))
        #expect(!raw.output.lowercased().contains("transfer-encoding"))
        let length = raw.output.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
        let received = raw.output.split(separator: "\n").last.flatMap { Int($0.dropFirst(5)) }
        #expect(length != nil && length == received)
        #expect((length ?? 0) > 2 * (256 << 10))
        await collector.stop()
    }
}
