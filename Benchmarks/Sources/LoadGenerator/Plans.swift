import Histogram
import NIOCore
import NIOHTTP1
import Synchronization

/// Settings every connection of an ingest run shares.
final class IngestShared: Sendable {
    let payload: Payload
    let head: HTTPRequestHead
    /// OTLP/gRPC calls instead of OTLP/HTTP posts: bodies are length-prefixed
    /// messages and `completed` gets the `grpc-status` (0 is success).
    let grpc: Bool
    let sequence = Atomic<Int>(0)
    /// Series ids cycle through this many values (nil: replay the body as is).
    let varyCount: Int?
    /// Send exactly this many requests in all, then stop (nil: run until `endAt`).
    let totalRequests: Int?
    let measureFrom: UInt64
    let endAt: UInt64
    /// Planned gap between requests on one connection (nil: as fast as answered).
    let interval: UInt64?

    init(
        payload: Payload, host: String, path: String, varyCount: Int?, totalRequests: Int?, measureFrom: UInt64,
        endAt: UInt64, interval: UInt64?, grpc: Bool = false
    ) {
        self.payload = payload
        self.grpc = grpc
        self.head =
            grpc
            ? GRPCRequest.head(host: host, encoding: payload.encoding, signal: payload.signal)
            : Self.httpHead(payload, host: host, path: path)
        self.varyCount = payload.markers.isEmpty ? nil : varyCount
        self.totalRequests = totalRequests
        self.measureFrom = measureFrom
        self.endAt = endAt
        self.interval = interval
    }

    private static func httpHead(_ payload: Payload, host: String, path: String) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Content-Type", value: "application/x-protobuf")
        if let encoding = payload.encoding { head.headers.add(name: "Content-Encoding", value: encoding) }
        head.headers.add(name: "Content-Length", value: String(payload.body.count))
        return head
    }

    /// What goes on the wire for one export request's (possibly compressed) message.
    func requestBody(_ message: [UInt8]) -> ByteBuffer {
        grpc ? GRPCRequest.framed(message, compressed: payload.encoding != nil) : ByteBuffer(bytes: message)
    }

    /// Whether an answer's status means success: HTTP 200, or `grpc-status` 0.
    func succeeded(_ status: Int) -> Bool { status == (grpc ? 0 : 200) }
}

/// Latencies in microseconds, 1 µs to 1 hour, three significant digits.
typealias LatencyHistogram = Histogram<UInt64>

func makeLatencyHistogram() -> LatencyHistogram {
    Histogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
}

/// One connection's share of an ingest run.
final class IngestPlan: RequestPlan, @unchecked Sendable {
    // @unchecked: used on its connection's event loop, read after the channel closed.
    private let shared: IngestShared
    private let fixedBody: ByteBuffer
    private var nextAt: UInt64
    var latencies = makeLatencyHistogram()
    var statuses: [Int: Int] = [:]
    /// Requests answered 200 (gRPC: status 0) that were planned inside the measured window.
    var measuredOK = 0
    var sent = 0

    init(shared: IngestShared, start: UInt64) {
        self.shared = shared
        self.fixedBody = shared.requestBody(shared.payload.body)
        self.nextAt = start
    }

    func next(now: UInt64) -> PlannedRequest? {
        guard now < shared.endAt else { return nil }
        var body = fixedBody
        if shared.totalRequests != nil || shared.varyCount != nil {
            let sequence = shared.sequence.add(1, ordering: .relaxed).oldValue
            if let total = shared.totalRequests, sequence >= total { return nil }
            if let vary = shared.varyCount {
                body = shared.requestBody(shared.payload.body(sequence: sequence % vary))
            }
        }
        let at: UInt64
        if let interval = shared.interval {
            at = nextAt
            nextAt &+= interval
        } else {
            at = now
        }
        sent += 1
        return PlannedRequest(at: at, head: shared.head, body: body)
    }

    func completed(status: Int, bodyBytes: Int, intended: UInt64, now: UInt64) {
        statuses[status, default: 0] += 1
        guard intended >= shared.measureFrom, intended < shared.endAt else { return }
        _ = latencies.record(max(1, (now &- intended) / 1000))
        if shared.succeeded(status) { measuredOK += 1 }
    }
}

/// Scrapes `/metrics` over one connection, one scrape at a time.
final class ScrapePlan: RequestPlan, @unchecked Sendable {
    // @unchecked: used on its connection's event loop, read after the channel closed.
    private let head: HTTPRequestHead
    private let interval: UInt64
    private let endAt: UInt64
    private let limit: Int
    private var nextAt: UInt64
    var durations = makeLatencyHistogram()
    var samples: [(microseconds: UInt64, bytes: Int)] = []
    var failures = 0

    init(host: String, path: String, gzip: Bool, interval: UInt64, start: UInt64, endAt: UInt64, limit: Int) {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: host)
        if gzip { head.headers.add(name: "Accept-Encoding", value: "gzip") }
        self.head = head
        self.interval = interval
        self.endAt = endAt
        self.limit = limit
        self.nextAt = start
    }

    func next(now: UInt64) -> PlannedRequest? {
        guard now < endAt, samples.count + failures < limit else { return nil }
        let at = max(nextAt, now)
        nextAt = at &+ interval
        return PlannedRequest(at: at, head: head, body: nil)
    }

    func completed(status: Int, bodyBytes: Int, intended: UInt64, now: UInt64) {
        guard status == 200 else {
            failures += 1
            return
        }
        let microseconds = max(1, (now &- intended) / 1000)
        _ = durations.record(microseconds)
        samples.append((microseconds, bodyBytes))
    }
}
