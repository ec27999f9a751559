import Dispatch
import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline

/// The receiver's request logic for one event loop: checks, decompresses,
/// decodes and queues a request, and says what to answer. No I/O here, so it is
/// tested directly; ``OTLPHTTPHandler`` is the thin channel shell around it.
///
/// Not thread-safe by design: one ingestor per event loop, used only there, so
/// its decoder arena and inflate buffer are reused without locks.
package final class OTLPIngestor {
    /// The path OTLP/HTTP metrics are posted to.
    package static let metricsPath = "/v1/metrics"
    /// The path OTLP/HTTP traces are posted to (served when a traces pipeline exists).
    package static let tracesPath = "/v1/traces"

    /// What an export carries.
    package enum Signal: Sendable, Equatable {
        case metrics
        /// Spans, turned into span metrics (never stored or forwarded).
        case traces
    }

    /// The span-metrics rules, when a traces pipeline feeds span metrics.
    private let spanMetrics: SpanMetricsRules?

    private let decoder: OTLPProtobufDecoder
    private let jsonDecoder: OTLPJSONDecoder
    private let options: OTLPDecodingOptions
    private let inflater = GzipInflater()
    private let zstd = ZstdDecompressor()

    /// Request body codings (`Content-Encoding`, or gRPC's `grpc-encoding`), case-insensitive.
    package enum ContentCoding: Sendable {
        case identity, gzip, deflate, zstd

        package init?(_ name: String) {
            switch name {
            case "", "identity": self = .identity
            case "gzip", "x-gzip": self = .gzip
            case "deflate": self = .deflate
            case "zstd": self = .zstd
            default: return nil
            }
        }
    }
    private let processor: BatchProcessor
    /// This receiver's request counters (answers by status, refusals,
    /// decode time), shared by its ingestors; the self-metrics read them.
    private let counters: CollectorCounters
    /// This loop's way into the processor, which decides when to answer.
    private var entrance: PipelineEntrance
    private let maxBodySize: Int
    /// The bearer token every request must carry, when auth is on.
    private let bearerToken: [UInt8]?

    /// - Parameter largestGRPCMessage: `max_recv_msg_size_mib` in bytes, when
    ///   gRPC is served: decoding memory is sized for the larger of the two limits.
    package init(
        processor: BatchProcessor, ring: Int, configuration: OTLPHTTPConfiguration, counters: CollectorCounters,
        largestGRPCMessage: Int = 0, spanMetrics: SpanMetricsRules? = nil
    ) {
        self.spanMetrics = spanMetrics
        self.processor = processor
        self.counters = counters
        self.entrance = PipelineEntrance(processor: processor, ring: ring)
        self.maxBodySize = configuration.maxRequestBodySize
        self.bearerToken = configuration.bearerToken.map { Array($0.utf8) }
        self.options = OTLPDecodingOptions(escapesLabelNames: processor.escapesLabelNames)
        let memoryLimit = Self.decodeMemoryLimit(maxBodySize: max(configuration.maxRequestBodySize, largestGRPCMessage))
        self.decoder = OTLPProtobufDecoder(memoryLimit: memoryLimit, options: options)
        self.jsonDecoder = OTLPJSONDecoder(options: options, memoryLimit: memoryLimit)
    }

    /// Unpacked protobuf and a parsed JSON tree take several times their wire
    /// size; both are bounded at 8× the body limit, at most 256 MiB per request
    /// (one request at a time per event loop).
    static func decodeMemoryLimit(maxBodySize: Int) -> Int {
        let (scaled, overflow) = max(maxBodySize, 1 << 20).multipliedReportingOverflow(by: 8)
        return overflow ? 256 << 20 : min(scaled, 256 << 20)
    }

    /// Compares without an early exit, so timing does not reveal the token.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    /// Whether an `Authorization` value carries the token: scheme `Bearer`
    /// in any case (RFC 7235 §2.1: schemes are case-insensitive), one or
    /// more spaces, then the token compared in constant time.
    static func authorizes(_ authorization: String, token: [UInt8]) -> Bool {
        let bytes = Array(authorization.utf8)
        let scheme = Array("bearer".utf8)
        guard bytes.count > scheme.count,
            zip(bytes, scheme).allSatisfy({ $0 | 0x20 == $1 }), bytes[scheme.count] == UInt8(ascii: " ")
        else { return false }
        let credentials = bytes[scheme.count...].drop { $0 == UInt8(ascii: " ") }
        return constantTimeEqual(Array(credentials), token)
    }

    /// Counts an answer by status, for the self-metrics.
    package func recordAnswer(_ status: HTTPResponseStatus) {
        counters.record(status: status.code)
    }

    /// Counts an OTLP/gRPC answer by its status, for the self-metrics.
    package func recordAnswer(grpc status: GRPCStatusCode) {
        counters.record(grpcStatus: status)
    }

    /// Counts a call for a signal the collector does not take.
    package func recordUnsupported(_ signal: CollectorCounters.OtherSignal) {
        counters.record(unsupported: signal)
    }

    /// The largest body accepted on the wire.
    package var bodyLimit: Int { maxBodySize }

    /// The `memory_limiter`, which request bodies in flight are accounted against.
    package var memoryLimiter: MemoryLimiter? { processor.memoryLimiter }

    /// Checks what the head alone can tell, before any body is buffered.
    package func check(_ head: HTTPRequestHead) -> OTLPReceiverError? {
        let path = RequestPath.of(head.uri)
        guard path == Self.metricsPath || (path == Self.tracesPath && spanMetrics != nil) else {
            if let signal = Self.otherSignals[String(path)] {
                counters.record(unsupported: signal)
                return .unsupportedSignal(signal)
            }
            return .notFound(path: String(path))
        }
        guard head.method == .POST else { return .methodNotAllowed(head.method.rawValue) }
        if let bearerToken {
            guard Self.authorizes(head.headers.first(name: "Authorization") ?? "", token: bearerToken) else {
                return .unauthorized
            }
        }
        // The HTTP parser frames a body whose last transfer coding is chunked;
        // any coding before it (`gzip, chunked`) would be left on the bytes.
        let transferCodings = head.headers[canonicalForm: "Transfer-Encoding"]
        if !transferCodings.isEmpty, transferCodings.map({ $0.lowercased() }) != ["chunked"] {
            return .unsupportedTransferCoding(transferCodings.joined(separator: ", "))
        }
        let contentType = head.headers.first(name: "Content-Type")
        guard let contentType, Encoding(contentType: contentType) != nil else {
            return .unsupportedMediaType(contentType)
        }
        let encoding = Self.encoding(of: head)
        guard ContentCoding(encoding) != nil else {
            return .unsupportedEncoding(encoding)
        }
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBodySize {
            return .bodyTooLarge(limit: maxBodySize)
        }
        if processor.memoryLimiter?.isRefusing == true {
            return .memoryLimited
        }
        return nil
    }

    /// The OTLP/HTTP paths of the other signals (which SDKs export to by default).
    static let otherSignals: [String: CollectorCounters.OtherSignal] = ["/v1/traces": .traces, "/v1/logs": .logs]

    /// The two OTLP/HTTP encodings, chosen by `Content-Type` (parameters and case ignored).
    package enum Encoding {
        case protobuf
        case json

        init?(contentType: String) {
            switch MediaType.essence(of: contentType) {
            case "application/x-protobuf": self = .protobuf
            case "application/json": self = .json
            default: return nil
            }
        }

        /// Answers carry the request's Content-Type (OTLP/HTTP).
        var contentType: String {
            self == .json ? "application/json" : "application/x-protobuf"
        }
    }

    /// How the answer to a request comes.
    package enum Outcome<Answer: Sendable> {
        case immediate(Answer)
        /// After the processor applied the batch (see ``ingest(_:encoding:coding:limit:on:)``).
        case deferred(EventLoopFuture<Answer>)

        func map<Other: Sendable>(_ transform: @escaping @Sendable (Answer) -> Other) -> Outcome<Other> {
            switch self {
            case .immediate(let answer): return .immediate(transform(answer))
            case .deferred(let future): return .deferred(future.map(transform))
            }
        }
    }

    /// What to answer an export, whatever the transport.
    package enum ExportAnswer: Sendable, Equatable {
        /// Accepted, with the points refused (for `partial_success`).
        case accepted(RejectedPoints)
        case refused(OTLPReceiverError)
    }

    /// Decodes and queues an OTLP/HTTP request that passed ``check(_:)``.
    package func ingest(_ head: HTTPRequestHead, body: ByteBuffer, on eventLoop: any EventLoop) -> Outcome<HTTPResponse> {
        let encoding = head.headers.first(name: "Content-Type").flatMap(Encoding.init) ?? .protobuf
        let coding = ContentCoding(Self.encoding(of: head)) ?? .identity
        let signal: Signal = RequestPath.of(head.uri) == Self.tracesPath ? .traces : .metrics
        return ingest(body, encoding: encoding, coding: coding, limit: maxBodySize, signal: signal, on: eventLoop).map {
            answer in
            switch answer {
            case .accepted(let rejected): return Self.success(encoding, signal, rejected)
            case .refused(let error): return error.response(json: encoding == .json)
            }
        }
    }

    /// Decodes and queues one export request's body, from either transport.
    ///
    /// Most requests are answered at once, as soon as they are queued. A
    /// request the processor could still refuse points of is answered once
    /// it is applied, so that `partial_success` reports every refused point:
    /// see `AcknowledgementPolicy` (through `PipelineEntrance`) for which requests wait, and for the one
    /// case (the same series sent concurrently over connections on different
    /// event loops) where a refusal is counted and logged but not reported.
    /// - Parameter limit: the largest body once decompressed (the transport's size limit).
    package func ingest(
        _ body: ByteBuffer, encoding: Encoding, coding: ContentCoding, limit: Int, signal: Signal = .metrics,
        on eventLoop: any EventLoop
    ) -> Outcome<ExportAnswer> {
        let result: OTLPDecodeResult
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            counters.record(decodeNanoseconds: Int(DispatchTime.now().uptimeNanoseconds &- started))
        }
        do {
            result = try decode(body, encoding: encoding, coding: coding, limit: limit, signal: signal)
        } catch {
            return .immediate(.refused(error))
        }
        let batch = result.batch
        guard batch.pointCount > 0 else {
            counters.record(rejected: result.rejected)
            return .immediate(.accepted(result.rejected))
        }
        var applied: EventLoopPromise<ApplyReport>?
        let decision = entrance.submit(batch) {
            let promise = eventLoop.makePromise(of: ApplyReport.self)
            applied = promise
            return { promise.succeed($0) }
        }
        switch decision {
        case .full: return .immediate(.refused(.overloaded))
        case .stopping: return .immediate(.refused(.shuttingDown))
        case .answerNow:
            counters.record(rejected: result.rejected)
            return .immediate(.accepted(result.rejected))
        case .answerAfterApply(let pending):
            counters.record(rejected: result.rejected)
            let answer = applied!.futureResult.assumeIsolated().map { report -> ExportAnswer in
                .accepted(self.entrance.settle(report, of: pending, rejected: result.rejected))
            }
            return .deferred(answer.nonisolated())
        }
    }

    /// The answers to a fully accepted export (most answers), built once.
    private static let acceptedProtobuf = HTTPResponse.prepared(
        status: .ok, headers: ["Content-Type": Encoding.protobuf.contentType],
        body: ByteBuffer(bytes: OTLPResponseEncoder.exportResponse(rejected: RejectedPoints())))
    private static let acceptedJSON = HTTPResponse.prepared(
        status: .ok, headers: ["Content-Type": Encoding.json.contentType],
        body: ByteBuffer(bytes: OTLPResponseEncoder.exportResponseJSON(rejected: RejectedPoints())))

    private static func success(_ encoding: Encoding, _ signal: Signal, _ rejected: RejectedPoints) -> HTTPResponse {
        if rejected.count == 0 { return encoding == .json ? acceptedJSON : acceptedProtobuf }
        var headers: HTTPHeaders = [:]
        headers.add(name: "Content-Type", value: encoding.contentType)
        let answer =
            encoding == .json
            ? OTLPResponseEncoder.exportResponseJSON(rejected: rejected, spans: signal == .traces)
            : OTLPResponseEncoder.exportResponse(rejected: rejected)
        return HTTPResponse(status: .ok, headers: headers, body: ByteBuffer(bytes: answer))
    }

    /// Unpacked protobuf and decoded batches take memory beyond the body:
    /// this much per decoded byte is reserved with the `memory_limiter`
    /// for decoding (see ``MemoryLimiter``). A body of points with large
    /// attributes unpacks into about its size and decodes into about as much
    /// again (the end-to-end test of concurrent 16 MiB bodies measures the
    /// peak); dense points (and JSON, whose parsed tree is larger) can take
    /// more, which ``decodeMemoryLimit(maxBodySize:)`` bounds per event loop.
    static let decodeBytesPerByte = 2

    /// How many bytes to reserve with the `memory_limiter` per body byte as
    /// it arrives: for a plain body, the body and its decoding (so that what
    /// is let in can also be decoded); for a compressed one only the body,
    /// since its decompressed size is unknown until it is decompressed
    /// (reserved then, see `decompress`).
    package func reservation(perBodyByte head: HTTPRequestHead) -> Int {
        ContentCoding(Self.encoding(of: head)) == .identity ? 1 + Self.decodeBytesPerByte : 1
    }

    /// The same for a gRPC message, by its call's `grpc-encoding`.
    package func reservation(perMessageByte method: GRPCCallRules.Method) -> Int {
        switch method {
        case .export(.identity, _): return 1 + Self.decodeBytesPerByte
        case .export, .healthCheck: return 1
        }
    }

    /// A first guess at how far a compressed body inflates (per wire byte);
    /// a body that inflates further is decompressed again with all the
    /// memory the limiter can grant, so the guess only saves reservations.
    static let expectedCompressionRatio = 32

    private func decode(
        _ body: ByteBuffer, encoding: Encoding, coding: ContentCoding, limit: Int, signal: Signal
    ) throws(OTLPReceiverError) -> OTLPDecodeResult {
        let decoder = self.decoder
        let limiter = processor.memoryLimiter
        let jsonDecoder = self.jsonDecoder
        let spanMetrics = signal == .traces ? self.spanMetrics : nil
        // An empty body is the empty protobuf message in either encoding.
        let json = encoding == .json
        let decodeAny = { (bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> OTLPDecodeResult in
            if let spanMetrics {
                if json, !bytes.isEmpty { return try jsonDecoder.decodeTraces(bytes, rules: spanMetrics) }
                return try decoder.decodeTraces(bytes, rules: spanMetrics)
            }
            if json, !bytes.isEmpty { return try jsonDecoder.decode(bytes) }
            return try decoder.decode(bytes)
        }
        let decode = { (bytes: UnsafeRawBufferPointer) throws(OTLPReceiverError) -> OTLPDecodeResult in
            // An empty body (or one that decompresses to nothing) is an empty
            // request in either encoding: the empty protobuf message.
            guard !bytes.isEmpty else { return try Self.decoding { () throws(OTLPDecodingError) in try decodeAny(bytes) } }
            // A plain body's decoding was reserved with the body itself.
            let allowance = coding == .identity ? 0 : bytes.count * Self.decodeBytesPerByte
            if let limiter, allowance > 0 {
                guard limiter.reserve(allowance) else { throw .memoryLimited }
            }
            defer { limiter?.release(allowance) }
            return try Self.decoding { () throws(OTLPDecodingError) in try decodeAny(bytes) }
        }
        let result = body.withUnsafeReadableBytes { bytes -> Result<OTLPDecodeResult, OTLPReceiverError> in
            guard !bytes.isEmpty, coding != .identity else { return Result { () throws(OTLPReceiverError) in try decode(bytes) } }
            return decompress(bytes, coding: coding, maxSize: limit, limiter: limiter, decode)
        }
        return try result.get()
    }

    /// Decompresses within the size limit (`max_request_body_size` or
    /// `max_recv_msg_size_mib`) and what the memory
    /// limiter grants, then decodes.
    private func decompress(
        _ bytes: UnsafeRawBufferPointer, coding: ContentCoding, maxSize: Int, limiter: MemoryLimiter?,
        _ decode: (UnsafeRawBufferPointer) throws(OTLPReceiverError) -> OTLPDecodeResult
    ) -> Result<OTLPDecodeResult, OTLPReceiverError> {
        var granted = 0
        defer { limiter?.release(granted) }
        var limit = maxSize
        if let limiter {
            granted = limiter.reserve(upTo: min(maxSize, max(1 << 20, bytes.count &* Self.expectedCompressionRatio)))
            guard granted > 0 else { return .failure(.memoryLimited) }
            limit = granted
        }
        for attempt in 0..<2 {
            var inner: OTLPReceiverError?
            func run(_ output: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> OTLPDecodeResult? {
                do throws(OTLPReceiverError) {
                    return try decode(output)
                } catch {
                    inner = error
                    return nil
                }
            }
            let outcome = Result { () throws(OTLPDecodingError) -> OTLPDecodeResult? in
                switch coding {
                case .identity: return try run(bytes)
                case .gzip: return try inflater.inflate(bytes, limit: limit, run)
                case .deflate:
                    return try inflater.inflate(bytes, limit: limit, rawDeflate: !GzipInflater.isZlibWrapped(bytes), run)
                case .zstd: return try zstd.decompress(bytes, limit: limit, run)
                }
            }
            switch outcome {
            case .success(let decoded?):
                return .success(decoded)
            case .success(nil):
                return .failure(inner ?? .memoryLimited)
            case .failure(.decompressedBodyTooLarge) where limit < maxSize:
                // Limited by the first guess or by memory, not by the configured
                // size: once, ask for all the limiter can give.
                let more = attempt == 0 ? limiter?.reserve(upTo: maxSize - granted) ?? 0 : 0
                guard more > 0 else { return .failure(.memoryLimited) }
                granted += more
                limit = granted
            case .failure(let error):
                return .failure(.decoding(error))
            }
        }
        return .failure(.memoryLimited)
    }

    private static func decoding(_ body: () throws(OTLPDecodingError) -> OTLPDecodeResult) throws(OTLPReceiverError) -> OTLPDecodeResult {
        do {
            return try body()
        } catch {
            throw .decoding(error)
        }
    }

    private static func encoding(of head: HTTPRequestHead) -> String {
        MediaType.trimmedLowercase(head.headers.first(name: "Content-Encoding") ?? "")
    }
}
