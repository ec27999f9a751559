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

    private let decoder: OTLPProtobufDecoder
    private let options: OTLPDecodingOptions
    private let inflater = GzipInflater()
    private let zstd = ZstdDecompressor()

    /// Request body codings (`Content-Encoding`), case-insensitive.
    enum ContentCoding {
        case identity, gzip, deflate, zstd

        init?(_ name: String) {
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
    private let ring: Int
    private let maxBodySize: Int
    /// `Authorization` value every request must carry, when auth is on.
    private let expectedAuthorization: [UInt8]?

    package init(processor: BatchProcessor, ring: Int, configuration: OTLPHTTPConfiguration) {
        self.processor = processor
        self.ring = ring
        self.maxBodySize = configuration.maxRequestBodySize
        self.expectedAuthorization = configuration.bearerToken.map { Array("Bearer \($0)".utf8) }
        // Unpacked protobuf takes several times its wire size; bound it (8×, at most 256 MiB per event loop).
        self.options = OTLPDecodingOptions(escapesLabelNames: processor.escapesLabelNames)
        self.decoder = OTLPProtobufDecoder(
            memoryLimit: min(max(configuration.maxRequestBodySize, 1 << 20) * 8, 256 << 20), options: options)
    }

    /// Compares without an early exit, so timing does not reveal the token.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    /// Counts an answer by status, for the self-metrics.
    package func recordAnswer(_ status: HTTPResponseStatus) {
        processor.counters.record(status: status.code)
    }

    /// The largest body accepted on the wire.
    package var bodyLimit: Int { maxBodySize }

    /// Checks what the head alone can tell, before any body is buffered.
    package func check(_ head: HTTPRequestHead) -> OTLPReceiverError? {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == Self.metricsPath else { return .notFound(path: path) }
        guard head.method == .POST else { return .methodNotAllowed(head.method.rawValue) }
        if let expectedAuthorization {
            let given = Array((head.headers.first(name: "Authorization") ?? "").utf8)
            guard Self.constantTimeEqual(given, expectedAuthorization) else { return .unauthorized }
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
    package enum Outcome {
        case immediate(HTTPResponse)
        /// After the processor applied the batch (see ``ingest(_:body:on:)``).
        case deferred(EventLoopFuture<HTTPResponse>)
    }

    /// Decodes and queues a request that passed ``check(_:)``.
    ///
    /// Most requests are answered at once. A request the processor could still
    /// refuse points of — one with delta metrics (an overlap), or with metrics
    /// this event loop has not yet seen accepted (a type conflict) — is
    /// answered once it is applied, so that `partial_success` reports every
    /// refused point. Streams seen accepted (non-delta) are remembered per
    /// event loop, so steady cumulative traffic never waits.
    package func ingest(_ head: HTTPRequestHead, body: ByteBuffer, on eventLoop: any EventLoop) -> Outcome {
        let encoding = head.headers.first(name: "Content-Type").flatMap(Encoding.init) ?? .protobuf
        let result: OTLPDecodeResult
        let started = DispatchTime.now().uptimeNanoseconds
        defer {
            processor.counters.record(decodeNanoseconds: Int(DispatchTime.now().uptimeNanoseconds &- started))
        }
        do {
            result = try decode(body, encoding: encoding, coding: ContentCoding(Self.encoding(of: head)) ?? .identity)
        } catch {
            return .immediate(OTLPReceiverError.decoding(error).response(json: encoding == .json))
        }
        let batch = result.batch
        guard batch.pointCount > 0 else {
            processor.counters.record(accepted: 0, rejected: result.rejected)
            return .immediate(success(encoding, result.rejected))
        }
        let needsReport =
            processor.mayRefuseSeries(batch)
            || batch.streams.contains { $0.temporality == .delta || !safeStreams.contains($0.identityHash) }
        guard needsReport else {
            switch processor.submit(batch, ring: ring) {
            case .accepted:
                processor.counters.record(accepted: batch.pointCount, rejected: result.rejected)
                return .immediate(success(encoding, result.rejected))
            case .full: return .immediate(OTLPReceiverError.overloaded.response(json: encoding == .json))
            case .stopping: return .immediate(OTLPReceiverError.shuttingDown.response(json: encoding == .json))
            }
        }
        let applied = eventLoop.makePromise(of: ApplyReport.self)
        switch processor.submit(batch, ring: ring, completion: { applied.succeed($0) }) {
        case .accepted:
            break
        case .full:
            applied.succeed(ApplyReport())
            return .immediate(OTLPReceiverError.overloaded.response(json: encoding == .json))
        case .stopping:
            applied.succeed(ApplyReport())
            return .immediate(OTLPReceiverError.shuttingDown.response(json: encoding == .json))
        }
        processor.counters.record(accepted: batch.pointCount, rejected: result.rejected)
        let answer = applied.futureResult.assumeIsolated().map { report -> HTTPResponse in
            self.remember(report.safeStreams)
            var rejected = result.rejected
            rejected.add(report.overlap, reason: "delta points overlap data already accumulated (start time before the previous point's end)")
            rejected.add(report.olderStart, reason: "delta points start before their series' start (two writers of one series?)")
            rejected.add(
                report.outOfOrderEnd, reason: "delta points end at or before the last point of their series (sent twice, or out of order)")
            rejected.add(
                report.typeConflict,
                reason: "metric \(report.conflictingFamily ?? "") conflicts with the type of the existing family of that name")
            rejected.add(report.invalidName, reason: "metric name leaves no valid Prometheus name")
            rejected.add(report.cardinality, reason: "new series refused: the collector's series limit is reached")
            rejected.add(report.seriesBytes, reason: ApplyReport.seriesBytesReason)
            return self.success(encoding, rejected)
        }
        return .deferred(answer.nonisolated())
    }

    /// Streams whose later points the processor cannot refuse; bounded, since
    /// forgetting one only means its next request waits for the processor.
    private var safeStreams = Set<UInt64>()
    private static let safeStreamLimit = 100_000

    private func remember(_ streams: [UInt64]) {
        if safeStreams.count + streams.count > Self.safeStreamLimit { safeStreams.removeAll(keepingCapacity: true) }
        safeStreams.formUnion(streams)
    }

    private func success(_ encoding: Encoding, _ rejected: RejectedPoints) -> HTTPResponse {
        var headers: HTTPHeaders = [:]
        headers.add(name: "Content-Type", value: encoding.contentType)
        let answer =
            encoding == .json
            ? OTLPResponseEncoder.exportResponseJSON(rejected: rejected)
            : OTLPResponseEncoder.exportResponse(rejected: rejected)
        return HTTPResponse(status: .ok, headers: headers, body: ByteBuffer(bytes: answer))
    }

    private func decode(_ body: ByteBuffer, encoding: Encoding, coding: ContentCoding) throws(OTLPDecodingError) -> OTLPDecodeResult {
        let decoder = self.decoder
        let options = self.options
        let decode = { (bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> OTLPDecodeResult in
            encoding == .json ? try OTLPJSONDecoder(options: options).decode(bytes) : try decoder.decode(bytes)
        }
        do {
            return try body.withUnsafeReadableBytes { bytes in
                // An empty body is an empty request, whatever coding it claims.
                guard !bytes.isEmpty else { return try decode(bytes) }
                switch coding {
                case .identity: return try decode(bytes)
                case .gzip: return try inflater.inflate(bytes, limit: maxBodySize, decode)
                case .deflate:
                    return try inflater.inflate(
                        bytes, limit: maxBodySize, rawDeflate: !GzipInflater.isZlibWrapped(bytes), decode)
                case .zstd: return try zstd.decompress(bytes, limit: maxBodySize, decode)
                }
            }
        } catch let error as OTLPDecodingError {
            throw error
        } catch {
            throw .malformedProtobuf  // unreachable: only decoding errors are thrown above
        }
    }

    private static func encoding(of head: HTTPRequestHead) -> String {
        MediaType.trimmed(head.headers.first(name: "Content-Encoding") ?? "").lowercased()
    }
}
