import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OpenSREPipeline
import PrometheusExposition

/// Serves `GET /metrics` (text format 0.0.4) from the batching processor, which
/// folds in everything accepted before the scrape first. Confined to its
/// channel's event loop; the page is rendered on the processor thread.
final class MetricsHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let metricsPath = "/metrics"

    private let processor: BatchProcessor
    private let allowOpenMetrics: Bool
    private let health: HealthState?
    private var head: HTTPRequestHead?

    init(processor: BatchProcessor, allowOpenMetrics: Bool, health: HealthState? = nil) {
        self.processor = processor
        self.allowOpenMetrics = allowOpenMetrics
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
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == Self.metricsPath else {
            HTTPResponse.text(.notFound, "no such endpoint: \(path) (metrics are served on GET /metrics)")
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
        let gzip = GzipCompressor.isAccepted(by: head.headers[canonicalForm: "Accept-Encoding"].joined(separator: ","))
        let promise = context.eventLoop.makePromise(of: [UInt8].self)
        processor.scrape(format: format) { result in
            switch result {
            case .success(let page): promise.succeed(page)
            case .failure(let error): promise.fail(error)
            }
        }
        let keepAlive = head.isKeepAlive
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            let response: HTTPResponse
            switch result {
            case .success(let page):
                var headers: HTTPHeaders = ["Content-Type": format.contentType, "Vary": "Accept, Accept-Encoding"]
                var body = page
                if gzip, let compressed = GzipCompressor.compress(page) {
                    headers.add(name: "Content-Encoding", value: "gzip")
                    body = compressed
                }
                response = HTTPResponse(status: .ok, headers: headers, body: ByteBuffer(bytes: body))
            case .failure:
                response = .text(.serviceUnavailable, "collector is stopping", headers: ["Retry-After": "1"])
            }
            response.write(to: context, keepAlive: keepAlive, wrap: self.wrapOutboundOut)
        }
    }
}
