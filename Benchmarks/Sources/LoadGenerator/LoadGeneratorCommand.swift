import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Replays pre-encoded OTLP requests to a running collector over keep-alive
/// connections and reports throughput, latency (HdrHistogram) and the
/// collector's CPU efficiency; also times scrapes. See Benchmarks/README.md.
@main
struct LoadGenerator: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opensre-loadgen",
        abstract: "Load generator and scrape timer for OpenSRE benchmarks.",
        subcommands: [Ingest.self, Scrape.self])
}

struct Ingest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "POST a payload (or send it as OTLP/gRPC calls) over keep-alive connections; report points/s and latency.")

    @Option(help: "Receiver URL; grpc://host:port implies --grpc.") var url = "http://127.0.0.1:4318/v1/metrics"
    @Flag(help: "OTLP/gRPC MetricsService/Export calls over h2c to the URL's host and port (its path is ignored).")
    var grpc = false
    @Option(help: "Pre-encoded ExportMetricsServiceRequest (.pb, or .gz sent as gzip).") var payload: String
    @Option(
        help: """
            metrics, or traces: the payload is an ExportTraceServiceRequest (post it to /v1/traces; over gRPC \
            TraceService/Export is called); figures count spans, under the same keys.
            """)
    var signal = Signal.metrics
    @Option(help: "Keep-alive connections.") var connections = 8
    @Option(help: "Event-loop threads of the generator.") var threads = 2
    @Option(help: "Seconds measured.") var duration = 10.0
    @Option(help: "Seconds of load before measuring.") var warmup = 2.0
    @Option(help: "Requests per second in all (open loop); default: as fast as answered.") var rate: Double?
    @Option(help: "Give each request new series: marker values cycle through this many ids.") var vary: Int?
    @Option(help: "Send exactly this many requests (with --vary: ids 0..<n), then stop; ignores --duration.")
    var requests: Int?
    @Option(help: "Collector process id, for its CPU time and RSS.") var pid: Int32?
    @Option(help: "Scrape this URL in a loop while loading.") var scrapeURL: String?
    @Option(help: "Seconds between scrape starts.") var scrapeInterval = 1.0
    @Flag(help: "Ask for gzip'd scrapes.") var scrapeGzip = false
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        let body = try Payload(path: payload, signal: signal)
        let target = try Endpoint(url: url)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        defer { try? group.syncShutdownGracefully() }

        let start = Clock.now() + 50_000_000
        let fill = requests != nil
        let measureFrom = fill ? start : start + UInt64(warmup * 1e9)
        let endAt = fill ? UInt64.max : measureFrom + UInt64(duration * 1e9)
        let interval = rate.map { UInt64(Double(connections) / $0 * 1e9) }
        let useGRPC = grpc || url.hasPrefix("grpc://")
        let shared = IngestShared(
            payload: body, host: target.host, path: target.path, varyCount: vary ?? requests, totalRequests: requests,
            measureFrom: measureFrom, endAt: endAt, interval: interval, grpc: useGRPC)
        let plans = (0..<connections).map { index in
            IngestPlan(shared: shared, start: start + (interval ?? 0) * UInt64(index) / UInt64(connections))
        }
        var closed = try plans.map { plan in
            try useGRPC ? connectGRPC(group: group, to: target, plan: plan) : connect(group: group, to: target, plan: plan)
        }
        var scraper: ScrapePlan?
        // The scraper reads a page of up to 130 MB: on a thread of its own, so
        // parsing it cannot delay the ingest connections' sends and reads
        // (which would be counted as collector latency).
        let scrapeGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? scrapeGroup.syncShutdownGracefully() }
        if let scrapeURL, !fill {
            let scrapeTarget = try Endpoint(url: scrapeURL)
            let plan = ScrapePlan(
                host: scrapeTarget.host, path: scrapeTarget.path, gzip: scrapeGzip,
                interval: UInt64(scrapeInterval * 1e9), start: measureFrom, endAt: endAt, limit: .max)
            closed.append(try connect(group: scrapeGroup, to: scrapeTarget, plan: plan, largeReads: true))
            scraper = plan
        }

        sleep(until: measureFrom)
        let cpuBefore = pid.flatMap(ProcessCPU.seconds(pid:))
        let ownBefore = ProcessCPU.ownSeconds()
        if !fill { sleep(until: endAt) }
        for future in closed { try? future.wait() }
        let finished = fill ? Clock.now() : endAt
        let cpuAfter = pid.flatMap(ProcessCPU.seconds(pid:))
        let ownAfter = ProcessCPU.ownSeconds()

        var latencies = makeLatencyHistogram()
        var statuses: [Int: Int] = [:]
        var ok = 0
        for plan in plans {
            latencies.add(plan.latencies)
            statuses.merge(plan.statuses, uniquingKeysWith: +)
            ok += plan.measuredOK
        }
        let seconds = Double(finished - measureFrom) / 1e9
        var report = Report()
        report["payload"] = .text(payload)
        report["transport"] = .text(useGRPC ? "grpc" : "http")
        report["signal"] = .text(signal.rawValue)
        report["points_per_request"] = .number(Double(body.points))
        report["seconds"] = .number(seconds)
        report["requests_ok"] = .number(Double(ok))
        report["requests_per_second"] = .number(Double(ok) / seconds)
        report["points_per_second"] = .number(Double(ok * body.points) / seconds)
        report["latency_p50_ms"] = .number(Double(latencies.valueAtPercentile(50)) / 1000)
        report["latency_p99_ms"] = .number(Double(latencies.valueAtPercentile(99)) / 1000)
        report["latency_p999_ms"] = .number(Double(latencies.valueAtPercentile(99.9)) / 1000)
        report["latency_max_ms"] = .number(Double(latencies.max) / 1000)
        report["statuses"] = .text(statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
        report["loadgen_cpu_seconds"] = .number(ownAfter - ownBefore)
        if let cpuBefore, let cpuAfter {
            let cpu = cpuAfter - cpuBefore
            report["collector_cpu_seconds"] = .number(cpu)
            report["points_per_cpu_second"] = .number(cpu > 0 ? Double(ok * body.points) / cpu : 0)
        }
        if let pid, let rss = ProcessCPU.residentBytes(pid: pid) {
            report["collector_rss_mib"] = .number(Double(rss) / 1_048_576)
        }
        if let scraper {
            report["scrapes"] = .number(Double(scraper.samples.count))
            report["scrape_p50_ms"] = .number(Double(scraper.durations.valueAtPercentile(50)) / 1000)
            report["scrape_max_ms"] = .number(Double(scraper.durations.max) / 1000)
            report["scrape_bytes"] = .number(Double(scraper.samples.last?.bytes ?? 0))
        }
        print(json ? report.json : report.text)
    }
}

struct Scrape: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time full scrapes of /metrics, one after the other; report the median and bytes.")

    @Option(help: "Exporter URL.") var url = "http://127.0.0.1:8889/metrics"
    @Option(help: "Scrapes to time.") var repeats = 5
    @Flag(help: "Ask for gzip.") var gzip = false
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        let target = try Endpoint(url: url)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let plan = ScrapePlan(
            host: target.host, path: target.path, gzip: gzip, interval: 0, start: Clock.now(), endAt: .max,
            limit: repeats)
        try connect(group: group, to: target, plan: plan).wait()
        guard plan.failures == 0, !plan.samples.isEmpty else { throw LoadError("scrapes failed: \(plan.failures)") }
        let times = plan.samples.map(\.microseconds).sorted()
        var report = Report()
        report["scrapes"] = .number(Double(times.count))
        report["gzip"] = .text(gzip ? "yes" : "no")
        report["median_ms"] = .number(Double(times[times.count / 2]) / 1000)
        report["min_ms"] = .number(Double(times.first!) / 1000)
        report["max_ms"] = .number(Double(times.last!) / 1000)
        report["bytes"] = .number(Double(plan.samples.last!.bytes))
        print(json ? report.json : report.text)
    }
}

/// host:port and path of an `http://` (or, for gRPC, `grpc://`) URL.
struct Endpoint {
    let host: String
    let port: Int
    let path: String

    init(url: String) throws {
        guard let scheme = ["http://", "grpc://"].first(where: url.hasPrefix) else {
            throw LoadError("only http:// and grpc:// URLs: \(url)")
        }
        let rest = url.dropFirst(scheme.count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/" : String(rest[slash...])
        guard let colon = authority.lastIndex(of: ":"), let port = Int(authority[authority.index(after: colon)...])
        else { throw LoadError("URL needs a port: \(url)") }
        host = String(authority[..<colon])
        self.port = port
    }
}

/// Connects and runs `plan`; the future completes when the connection closes.
/// - Parameter largeReads: read up to 4 MiB at a time (the scraper: fewer,
///   larger reads keep the generator's own CPU use for a 130 MB page low, as
///   it shares the cores with the collector it measures).
func connect(group: any EventLoopGroup, to target: Endpoint, plan: any RequestPlan & Sendable, largeReads: Bool = false)
    throws -> EventLoopFuture<Void>
{
    let receive =
        largeReads
        ? AdaptiveRecvByteBufferAllocator(minimum: 64 << 10, initial: 1 << 20, maximum: 4 << 20)
        : AdaptiveRecvByteBufferAllocator()
    let channel = try ClientBootstrap(group: group)
        .channelOption(.socketOption(.tcp_nodelay), value: 1)
        .channelOption(.recvAllocator, value: receive)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                try channel.pipeline.syncOperations.addHandler(RequestLoopHandler(plan: plan))
            }
        }
        .connect(host: target.host, port: target.port).wait()
    return channel.closeFuture
}

func sleep(until deadline: UInt64) {
    let now = Clock.now()
    if deadline > now { usleep(UInt32(min((deadline - now) / 1000, UInt64(UInt32.max)))) }
}

/// Ordered key/value figures, printed as text or JSON.
struct Report {
    enum Value {
        case number(Double)
        case text(String)
    }

    private var entries: [(String, Value)] = []

    subscript(key: String) -> Value? {
        get { entries.first { $0.0 == key }?.1 }
        set {
            entries.removeAll { $0.0 == key }
            if let newValue { entries.append((key, newValue)) }
        }
    }

    var text: String {
        entries.map { key, value in
            switch value {
            case .number(let number): "\(key): \(Self.format(number))"
            case .text(let text): "\(key): \(text)"
            }
        }.joined(separator: "\n")
    }

    var json: String {
        let fields = entries.map { key, value in
            switch value {
            case .number(let number): "\"\(key)\": \(number.isFinite ? Self.format(number) : "null")"
            case .text(let text): "\"\(key)\": \"\(text.replacingOccurrences(of: "\"", with: "\\\""))\""
            }
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(format: "%.3f", number)
    }
}
