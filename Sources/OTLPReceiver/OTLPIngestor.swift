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
    private let inflater = GzipInflater()
    private let processor: BatchProcessor
    private let ring: Int
    private let maxBodySize: Int

    package init(processor: BatchProcessor, ring: Int, configuration: OTLPHTTPConfiguration) {
        self.processor = processor
        self.ring = ring
        self.maxBodySize = configuration.maxRequestBodySize
        // Unpacked protobuf takes several times its wire size; bound it.
        self.decoder = OTLPProtobufDecoder(memoryLimit: max(configuration.maxRequestBodySize, 1 << 20) * 8)
    }

    /// The largest body accepted on the wire.
    package var bodyLimit: Int { maxBodySize }

    /// Checks what the head alone can tell, before any body is buffered.
    package func check(_ head: HTTPRequestHead) -> OTLPReceiverError? {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == Self.metricsPath else { return .notFound(path: path) }
        guard head.method == .POST else { return .methodNotAllowed(head.method.rawValue) }
        let contentType = head.headers.first(name: "Content-Type")
        guard let contentType, Encoding(contentType: contentType) != nil else {
            return .unsupportedMediaType(contentType)
        }
        let encoding = Self.encoding(of: head)
        guard encoding == "" || encoding == "identity" || encoding == "gzip" else {
            return .unsupportedEncoding(encoding)
        }
        if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > maxBodySize {
            return .bodyTooLarge(limit: maxBodySize)
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

    /// Decodes and queues a request that passed ``check(_:)``.
    package func ingest(_ head: HTTPRequestHead, body: ByteBuffer) -> HTTPResponse {
        let encoding = head.headers.first(name: "Content-Type").flatMap(Encoding.init) ?? .protobuf
        let result: OTLPDecodeResult
        do {
            result = try decode(body, encoding: encoding, gzip: Self.encoding(of: head) == "gzip")
        } catch {
            return OTLPReceiverError.decoding(error).response
        }
        if result.batch.pointCount > 0 {
            switch processor.submit(result.batch, ring: ring) {
            case .accepted: break
            case .full: return OTLPReceiverError.overloaded.response
            case .stopping: return OTLPReceiverError.shuttingDown.response
            }
        }
        processor.counters.record(accepted: result.batch.pointCount, rejected: result.rejected)
        var headers: HTTPHeaders = [:]
        headers.add(name: "Content-Type", value: encoding.contentType)
        let answer =
            encoding == .json
            ? OTLPResponseEncoder.exportResponseJSON(rejected: result.rejected)
            : OTLPResponseEncoder.exportResponse(rejected: result.rejected)
        return HTTPResponse(status: .ok, headers: headers, body: ByteBuffer(bytes: answer))
    }

    private func decode(_ body: ByteBuffer, encoding: Encoding, gzip: Bool) throws(OTLPDecodingError) -> OTLPDecodeResult {
        let decoder = self.decoder
        let decode = { (bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> OTLPDecodeResult in
            encoding == .json ? try OTLPJSONDecoder().decode(bytes) : try decoder.decode(bytes)
        }
        do {
            return try body.withUnsafeReadableBytes { bytes in
                guard gzip else { return try decode(bytes) }
                return try inflater.inflate(bytes, limit: maxBodySize, decode)
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
