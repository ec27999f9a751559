import COTLP

/// gRPC's length-prefixed message framing (gRPC over HTTP/2, "Length-Prefixed
/// Message"): one flag byte (1: compressed with the call's `grpc-encoding`),
/// a 4-byte big-endian length, then the message.
package enum GRPCFrame {
    package static let prefixSize = 5

    /// A unary call's request: exactly one message.
    package struct Message {
        package var compressed: Bool
        /// Where the message's bytes start and how many there are.
        package var offset: Int
        package var length: Int
    }

    /// The length a prefix announces, once the first five bytes are in; nil before.
    package static func announcedLength(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= prefixSize else { return nil }
        return Int(bytes[1]) << 24 | Int(bytes[2]) << 16 | Int(bytes[3]) << 8 | Int(bytes[4])
    }

    /// Reads the one message of a unary request from its whole stream body.
    /// Throws with the reason for a missing, truncated, extra or badly flagged message.
    package static func unaryMessage(_ bytes: UnsafeRawBufferPointer) throws(GRPCFramingError) -> Message {
        guard let length = announcedLength(bytes) else {
            throw bytes.isEmpty ? .missingMessage : .truncated
        }
        guard bytes[0] <= 1 else { throw .unknownFlags(bytes[0]) }
        let end = prefixSize + length
        guard bytes.count >= end else { throw .truncated }
        guard bytes.count == end else { throw .extraMessages }
        return Message(compressed: bytes[0] == 1, offset: prefixSize, length: length)
    }

    /// A message framed for an answer, uncompressed.
    package static func framed(_ message: [UInt8]) -> [UInt8] {
        let length = UInt32(message.count)
        return [0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + message
    }
}

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

/// The gRPC health checking protocol's messages (grpc.health.v1).
package enum GRPCHealthMessages {
    /// `HealthCheckResponse.ServingStatus` values.
    package enum ServingStatus: Int32, Sendable {
        case serving = 1
        case notServing = 2
        case serviceUnknown = 3
    }

    /// The service a `HealthCheckRequest` asks about ("" for the whole
    /// server); nil when the bytes are not such a request.
    package static func service(in bytes: UnsafeRawBufferPointer) -> String? {
        guard
            let request = grpc__health__v1__health_check_request__unpack(
                nil, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
        else { return bytes.isEmpty ? "" : nil }
        defer { grpc__health__v1__health_check_request__free_unpacked(request, nil) }
        return request.pointee.service.map { String(cString: $0) } ?? ""
    }

    /// A `HealthCheckResponse` with `status`.
    package static func response(_ status: ServingStatus) -> [UInt8] {
        var response = Grpc__Health__V1__HealthCheckResponse()
        grpc__health__v1__health_check_response__init(&response)
        response.status = Grpc__Health__V1__HealthCheckResponse__ServingStatus(rawValue: UInt32(status.rawValue))
        let size = grpc__health__v1__health_check_response__get_packed_size(&response)
        var bytes = [UInt8](repeating: 0, count: size)
        bytes.withUnsafeMutableBufferPointer { out in
            _ = grpc__health__v1__health_check_response__pack(&response, out.baseAddress)
        }
        return bytes
    }
}
