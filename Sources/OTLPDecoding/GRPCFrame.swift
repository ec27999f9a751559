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
