/// Why a unary request's body is not one well-framed message.
package enum GRPCFramingError: Error, Equatable, Sendable {
    case missingMessage
    case truncated
    case extraMessages
    case unknownFlags(UInt8)

    package var reason: String {
        switch self {
        case .missingMessage: return "the call carries no request message"
        case .truncated: return "the request message ends before its announced length"
        case .extraMessages: return "a unary call carries more than one request message"
        case .unknownFlags(let flags): return "unknown message flags \(flags) (0 or 1 expected)"
        }
    }
}
