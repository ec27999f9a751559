/// Why a request body could not be decoded. All of these are permanent: the
/// sender must not retry the same payload (OTLP/HTTP "Bad Data").
package enum OTLPDecodingError: Error, Equatable, Sendable {
    /// The bytes are not a valid `ExportMetricsServiceRequest`.
    case malformedProtobuf
    /// The bytes are not a valid `ExportTraceServiceRequest` (`/v1/traces`,
    /// `TraceService/Export`).
    case malformedTraceProtobuf
    /// The body is not valid OTLP/JSON; the text says where.
    case malformedJSON(String)
    /// The compressed body is corrupt or truncated.
    case malformedCompression(String)
    /// The body, once decompressed, is larger than the configured limit.
    case decompressedBodyTooLarge(limit: Int)
    /// Unpacking would need more memory than the per-request limit.
    case decodedMessageTooLarge(limit: Int)
    /// An attribute value nests arrays or maps deeper than the limit
    /// (``OTLPLimits/maximumValueNesting``), in protobuf or JSON alike.
    case valueNestingTooDeep(limit: Int)

    /// A short, human-readable reason for the HTTP answer.
    package var reason: String {
        switch self {
        case .malformedProtobuf:
            return "request body is not a valid protobuf ExportMetricsServiceRequest"
        case .malformedTraceProtobuf:
            return "request body is not a valid protobuf ExportTraceServiceRequest"
        case .malformedJSON(let detail):
            return "request body is not valid OTLP/JSON: \(detail)"
        case .malformedCompression(let detail):
            return "request body could not be decompressed: \(detail)"
        case .decompressedBodyTooLarge(let limit):
            return "decompressed request body exceeds the limit of \(limit) bytes"
        case .decodedMessageTooLarge(let limit):
            return "decoded request needs more than \(limit) bytes of memory"
        case .valueNestingTooDeep(let limit):
            return "an attribute value nests arrays or maps more than \(limit) levels deep"
        }
    }
}
