import HTTPServerSupport
import NIOCore
import NIOHTTP1
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline

/// Every way a request to the receiver can fail, and the one place that maps
/// them to answers: HTTP statuses (OTLP/HTTP: permanent errors are 4xx and
/// must not be retried; overload is 503 with `Retry-After`, which SDKs
/// honour) and gRPC status codes (OTLP/gRPC: the same split, with
/// `UNAVAILABLE` and a `RetryInfo` delay for overload).
package enum OTLPReceiverError: Error, Equatable, Sendable {
    case notFound(path: String)
    /// A gRPC method or service this collector does not serve.
    case unimplemented(path: String)
    /// A gRPC message that is not one well-framed, length-prefixed message.
    case malformedGRPCMessage(String)
    /// A gRPC `content-type` other than `application/grpc` (or `+proto`).
    case unsupportedGRPCContentType(String)
    /// A `grpc-encoding` this collector cannot decompress.
    case unsupportedGRPCEncoding(String)
    /// `/v1/traces` or `/v1/logs`: this collector takes metrics only.
    case unsupportedSignal(CollectorCounters.OtherSignal)
    /// Auth is on and the request has no (or a wrong) bearer token.
    case unauthorized
    case methodNotAllowed(String)
    case unsupportedMediaType(String?)
    case unsupportedEncoding(String)
    case bodyTooLarge(limit: Int)
    /// A `Transfer-Encoding` other than `chunked` (RFC 9112 §6.1: 501).
    case unsupportedTransferCoding(String)
    case decoding(OTLPDecodingError)
    /// The processor's ring for this event loop is full.
    case overloaded
    /// The memory_limiter is above its soft limit.
    case memoryLimited
    case shuttingDown

    package var status: HTTPResponseStatus {
        switch self {
        case .notFound: return .notFound
        case .unimplemented: return .notFound
        case .malformedGRPCMessage: return .badRequest
        case .unsupportedGRPCContentType, .unsupportedGRPCEncoding: return .unsupportedMediaType
        case .unsupportedSignal:
            // 404 as the Collector answers a signal without a pipeline: SDKs
            // do not retry it. The phrase is what Python's exporter logs.
            return .custom(code: 404, reasonPhrase: "Not Found: this collector takes metrics only")
        case .unsupportedTransferCoding: return .notImplemented
        case .unauthorized: return .unauthorized
        case .methodNotAllowed: return .methodNotAllowed
        case .unsupportedMediaType, .unsupportedEncoding: return .unsupportedMediaType
        case .bodyTooLarge: return .payloadTooLarge
        case .decoding(.decompressedBodyTooLarge), .decoding(.decodedMessageTooLarge): return .payloadTooLarge
        case .decoding: return .badRequest
        case .overloaded, .shuttingDown, .memoryLimited: return .serviceUnavailable
        }
    }

    package var reason: String {
        switch self {
        case .notFound(let path): return "no such endpoint: \(path) (metrics are accepted on POST /v1/metrics)"
        case .unimplemented(let path):
            return "no such method: \(path) (metrics are accepted on /\(GRPCPaths.metricsExport))"
        case .malformedGRPCMessage(let reason): return "malformed gRPC message: \(reason)"
        case .unsupportedGRPCContentType(let type):
            return "unsupported content-type \"\(type)\", use application/grpc (protobuf messages)"
        case .unsupportedGRPCEncoding(let encoding):
            return "unsupported grpc-encoding \"\(encoding)\", use gzip, deflate, zstd or identity"
        case .unsupportedSignal(let signal):
            let variable = signal == .traces ? "OTEL_TRACES_EXPORTER" : "OTEL_LOGS_EXPORTER"
            return "this collector takes metrics only (POST /v1/metrics); \(signal.rawValue) are not accepted: set \(variable)=none in the application"
        case .unsupportedTransferCoding(let coding):
            return "unsupported Transfer-Encoding \"\(coding)\", use chunked or Content-Length (compress with Content-Encoding)"
        case .methodNotAllowed(let method): return "method \(method) not allowed, use POST"
        case .unauthorized: return "missing or wrong bearer token"
        case .unsupportedMediaType(let type):
            return "unsupported Content-Type \(type.map { "\"\($0)\"" } ?? "(none)"), use application/x-protobuf or application/json"
        case .unsupportedEncoding(let encoding):
            return "unsupported Content-Encoding \"\(encoding)\", use gzip, deflate, zstd or none"
        case .bodyTooLarge(let limit): return "request body exceeds the limit of \(limit) bytes"
        case .decoding(let error): return error.reason
        case .overloaded: return "collector is overloaded, retry later"
        case .memoryLimited: return "collector is above its memory limit, retry later"
        case .shuttingDown: return "collector is shutting down, retry later"
        }
    }

    /// The delay clients are asked to wait before retrying, in seconds:
    /// HTTP's `Retry-After` and gRPC's `RetryInfo` carry the same value.
    /// Nil for answers that must not be retried.
    package var retryAfterSeconds: Int? {
        switch self {
        case .overloaded, .shuttingDown, .memoryLimited: return 1
        default: return nil
        }
    }

    /// The status of the answer over OTLP/gRPC (the specification's "OTLP/gRPC
    /// Response" and gRPC's own rules for methods, encodings and auth).
    /// `RESOURCE_EXHAUSTED` goes without `RetryInfo`, so clients do not retry
    /// a message that will never fit.
    package var grpcStatus: GRPCStatusCode {
        switch self {
        case .notFound, .unimplemented, .unsupportedSignal, .methodNotAllowed, .unsupportedTransferCoding:
            return .unimplemented
        case .unsupportedEncoding, .unsupportedGRPCEncoding: return .unimplemented  // gRPC's rule for an unknown grpc-encoding
        case .unauthorized: return .unauthenticated
        case .unsupportedMediaType, .unsupportedGRPCContentType, .malformedGRPCMessage: return .invalidArgument
        case .bodyTooLarge, .decoding(.decompressedBodyTooLarge), .decoding(.decodedMessageTooLarge):
            return .resourceExhausted
        case .decoding: return .invalidArgument
        case .overloaded, .shuttingDown, .memoryLimited: return .unavailable
        }
    }

    /// The gRPC status code of the `google.rpc.Status` body (OTLP/HTTP maps
    /// HTTP statuses to these in the spec's "Failures" section).
    package var grpcCode: Int32 {
        switch status.code {
        case 400, 413, 415: return 3  // INVALID_ARGUMENT
        case 404: return 5  // NOT_FOUND
        case 405, 501: return 12  // UNIMPLEMENTED
        case 429: return 8  // RESOURCE_EXHAUSTED
        case 401: return 16  // UNAUTHENTICATED
        case 503: return 14  // UNAVAILABLE
        default: return 13  // INTERNAL
        }
    }

    /// The answer: the status code, and a `google.rpc.Status` body in the
    /// request's encoding (JSON for JSON requests, protobuf otherwise), as
    /// OTLP/HTTP requires for every 4xx and 5xx.
    package func response(json: Bool = false) -> HTTPResponse {
        var headers: HTTPHeaders = [:]
        switch self {
        case .methodNotAllowed: headers.add(name: "Allow", value: "POST")
        case .unauthorized: headers.add(name: "WWW-Authenticate", value: "Bearer")
        default: break
        }
        if let seconds = retryAfterSeconds { headers.add(name: "Retry-After", value: "\(seconds)") }
        headers.add(name: "Content-Type", value: json ? "application/json" : "application/x-protobuf")
        let body =
            json
            ? OTLPResponseEncoder.statusJSON(code: grpcCode, message: reason)
            : OTLPResponseEncoder.status(code: grpcCode, message: reason)
        return HTTPResponse(status: status, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// Whether the request asked for JSON (so errors are answered in JSON).
    package static func wantsJSON(_ head: HTTPRequestHead) -> Bool {
        head.headers.first(name: "Content-Type").map { MediaType.essence(of: $0) == "application/json" } ?? false
    }

    /// Whether the connection should be closed after answering: the rest of
    /// an oversized body is not worth reading, and a body in a transfer
    /// coding we do not speak cannot be read. Both are answered from the head.
    package var closesConnection: Bool {
        switch self {
        case .bodyTooLarge, .unsupportedTransferCoding: return true
        default: return false
        }
    }
}
