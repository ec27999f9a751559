import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OpenSREPipeline
import OpenSRESLO
import PrometheusExposition

/// Serves `GET /metrics` (text format 0.0.4) from the batching processor, which
/// folds in everything accepted before the scrape first, and the SLO API
/// (``SLOAPI``) and the pages (``StatusPageRoutes``). Confined to its
/// channel's event loop; the scrape is rendered on the processor thread,
/// the API's JSON and the pages' HTML (bounded: a few SLOs or jobs' charts)
/// here, from state the processor thread copied out.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let metricsPath = "/metrics"

    private let processor: BatchProcessor
    private let allowOpenMetrics: Bool
    /// Whether the pages are served (`exporters.prometheus.ui`).
    private let ui: Bool
    private let health: HealthState?
    private var head: HTTPRequestHead?

    init(processor: BatchProcessor, allowOpenMetrics: Bool, ui: Bool = true, health: HealthState? = nil) {
        self.processor = processor
        self.allowOpenMetrics = allowOpenMetrics
        self.ui = ui
        self.health = health
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        if let probe = health?.response(to: head) {
            probe.write(to: context, keepAlive: head.isKeepAlive, wrap: wrapOutboundOut)
            return
        }
        let parts = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first.map(String.init) ?? head.uri
        if ui, let page = StatusPageRoutes.page(path: path, query: parts.count > 1 ? parts[1] : "") {
            let keepAlive = head.isKeepAlive
            StatusPageRoutes.response(page, method: head.method, processor: processor, on: context.eventLoop)
                .assumeIsolated().whenSuccess { [self] response in
                    response.write(to: context, keepAlive: keepAlive, wrap: self.wrapOutboundOut)
                }
            return
        }
        if SLOAPI.handles(path) {
            if let refusal = SLOAPI.refusal(of: head.method) {
                refusal.write(to: context, keepAlive: head.isKeepAlive, wrap: wrapOutboundOut)
                return
            }
            // Computed on the processor thread, encoded and written here.
            let response: EventLoopFuture<HTTPResponse>
            if let name = SLOAPI.name(in: path) {
                let promise = context.eventLoop.makePromise(of: SLOStatus?.self)
                processor.sloStatus(named: name, historyMinutes: SLOAPI.historyMinutes) { promise.succeed($0) }
                response = promise.futureResult.map { SLOAPI.detail($0, name: name) }
            } else {
                let promise = context.eventLoop.makePromise(of: [SLOStatus].self)
                processor.sloStatuses { promise.succeed($0) }
                response = promise.futureResult.map(SLOAPI.list)
            }
            let keepAlive = head.isKeepAlive
            response.assumeIsolated().whenSuccess { [self] response in
                response.write(to: context, keepAlive: keepAlive, wrap: self.wrapOutboundOut)
            }
            return
        }
        if path == GoldenAPI.path {
            let promise = context.eventLoop.makePromise(of: [GoldenStatus].self)
            processor.goldenStatuses { promise.succeed($0) }
            let (method, keepAlive) = (head.method, head.isKeepAlive)
            promise.futureResult.assumeIsolated().whenSuccess { [self] statuses in
                GoldenAPI.response(method: method, statuses: statuses)
                    .write(to: context, keepAlive: keepAlive, wrap: self.wrapOutboundOut)
            }
            return
        }
        guard path == Self.metricsPath else {
            HTTPResponse.text(.notFound, "no such endpoint: \(path) (metrics are served on GET /metrics, SLOs on GET /api/v1/slos, golden signals on GET /api/v1/golden\(ui ? ", pages on GET /" : ""))")
                .write(to: context, keepAlive: head.isKeepAlive, wrap: wrapOutboundOut)
            return
        }
        guard head.method == .GET else {
            HTTPResponse.text(.methodNotAllowed, "method \(head.method.rawValue) not allowed, use GET", headers: ["Allow": "GET"])
                .write(to: context, keepAlive: head.isKeepAlive, wrap: wrapOutboundOut)
            return
        }
        let format = ExpositionFormat.negotiate(
            accept: head.headers.first(name: "Accept"), allowOpenMetrics: allowOpenMetrics)
        let gzip = AcceptEncoding.allowsGzip(head.headers[canonicalForm: "Accept-Encoding"].joined(separator: ","))
        var headers: HTTPHeaders = ["Content-Type": format.contentType, "Vary": "Accept, Accept-Encoding"]
        if gzip { headers.add(name: "Content-Encoding", value: "gzip") }
        let keepAlive = head.isKeepAlive
        // Rendering and compression run on the processor thread, in slices
        // between which it keeps folding in batches; this event loop (shared
        // with ingest) only writes what it is handed.
        let failure: @Sendable (ProcessorError) -> HTTPResponse = { error in
            switch error {
            case .compressionFailed:
                .text(.internalServerError, "gzip compression of the scrape failed; retry without Accept-Encoding: gzip")
            case .stopped:
                .text(.serviceUnavailable, "collector is stopping", headers: ["Retry-After": "1"])
            }
        }
        guard head.version.major > 1 || head.version.minor >= 1 else {
            // HTTP/1.0 has no chunked encoding: the page is sent whole, with its length.
            let sink = ByteBufferScrapeSink()
            let promise = context.eventLoop.makePromise(of: Void.self)
            processor.scrape(format: format, gzip: gzip, into: sink) { result in
                promise.completeWith(result.mapError { $0 as any Error })
            }
            promise.futureResult.assumeIsolated().whenComplete { [self] result in
                let response: HTTPResponse
                switch result {
                case .success: response = HTTPResponse(status: .ok, headers: headers, body: sink.buffer)
                case .failure(let error): response = failure(error as? ProcessorError ?? .stopped)
                }
                response.write(to: context, keepAlive: keepAlive, wrap: self.wrapOutboundOut)
            }
            return
        }
        let sink = StreamingScrapeSink(
            context: context, head: HTTPResponseHead(version: .http1_1, status: .ok, headers: headers),
            keepAlive: keepAlive)
        processor.scrape(format: format, gzip: gzip, into: sink) { result in
            sink.finish(result) { failure(result.failure ?? .stopped) }
        }
    }
}

/// The response body a scrape is rendered into (see ``ScrapeSink``).
final class ByteBufferScrapeSink: ScrapeSink, @unchecked Sendable {
    // @unchecked: written on the processor thread only, read on the event loop
    // after the scrape's promise completes, which orders the two.
    private(set) var buffer = ByteBufferAllocator().buffer(capacity: 0)

    func reserve(_ bytes: Int) { buffer.reserveCapacity(bytes) }

    func write(_ bytes: UnsafeRawBufferPointer) { buffer.writeBytes(bytes) }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
