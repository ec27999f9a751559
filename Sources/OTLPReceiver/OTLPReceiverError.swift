import HTTPServerSupport
import NIOHTTP1
import OTLPDecoding

/// Every way a request to the receiver can fail, and the one place that maps
/// them to HTTP answers (OTLP/HTTP: permanent errors are 4xx and must not be
/// retried; overload is 503 with `Retry-After`, which SDKs honour).
package enum OTLPReceiverError: Error, Equatable, Sendable {
    case notFound(path: String)
    case methodNotAllowed(String)
    case unsupportedMediaType(String?)
    case unsupportedEncoding(String)
    case bodyTooLarge(limit: Int)
    case decoding(OTLPDecodingError)
    /// The processor's ring for this event loop is full.
    case overloaded
    case shuttingDown

    package var status: HTTPResponseStatus {
        switch self {
        case .notFound: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        case .unsupportedMediaType, .unsupportedEncoding: return .unsupportedMediaType
        case .bodyTooLarge: return .payloadTooLarge
        case .decoding(.decompressedBodyTooLarge), .decoding(.decodedMessageTooLarge): return .payloadTooLarge
        case .decoding: return .badRequest
        case .overloaded, .shuttingDown: return .serviceUnavailable
        }
    }

    package var reason: String {
        switch self {
        case .notFound(let path): return "no such endpoint: \(path) (metrics are accepted on POST /v1/metrics)"
        case .methodNotAllowed(let method): return "method \(method) not allowed, use POST"
        case .unsupportedMediaType(let type):
            return "unsupported Content-Type \(type.map { "\"\($0)\"" } ?? "(none)"), use application/x-protobuf or application/json"
        case .unsupportedEncoding(let encoding):
            return "unsupported Content-Encoding \"\(encoding)\", use gzip or none"
        case .bodyTooLarge(let limit): return "request body exceeds the limit of \(limit) bytes"
        case .decoding(let error): return error.reason
        case .overloaded: return "collector is overloaded, retry later"
        case .shuttingDown: return "collector is shutting down, retry later"
        }
    }

    /// The answer to send.
    package var response: HTTPResponse {
        var headers: HTTPHeaders = [:]
        switch self {
        case .methodNotAllowed: headers.add(name: "Allow", value: "POST")
        case .overloaded, .shuttingDown: headers.add(name: "Retry-After", value: "1")
        default: break
        }
        return .text(status, reason, headers: headers)
    }

    /// Whether the connection should be closed after answering (the rest of an
    /// oversized body is not worth reading on a kept-alive connection).
    package var closesConnection: Bool {
        if case .bodyTooLarge = self { return true }
        return false
    }
}
