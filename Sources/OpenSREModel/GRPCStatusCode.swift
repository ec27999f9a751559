/// gRPC status codes (grpc/doc/statuscodes.md), as far as the receiver
/// answers them, with the names the self-metrics use. Here in the model
/// because both the receiver (answers) and the self-metrics (names) use them.
package enum GRPCStatusCode: Int32, Sendable, CaseIterable {
    case ok = 0
    case invalidArgument = 3
    case notFound = 5
    case resourceExhausted = 8
    case unimplemented = 12
    case `internal` = 13
    case unavailable = 14
    case unauthenticated = 16

    /// The upper-case name gRPC documents (`INVALID_ARGUMENT`).
    package var name: String {
        switch self {
        case .ok: return "OK"
        case .invalidArgument: return "INVALID_ARGUMENT"
        case .notFound: return "NOT_FOUND"
        case .resourceExhausted: return "RESOURCE_EXHAUSTED"
        case .unimplemented: return "UNIMPLEMENTED"
        case .internal: return "INTERNAL"
        case .unavailable: return "UNAVAILABLE"
        case .unauthenticated: return "UNAUTHENTICATED"
        }
    }
}
