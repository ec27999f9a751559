import HTTPServerSupport
import NIOHPACK
import OTLPDecoding
import OpenSREModel

/// The headers of gRPC answers.
package enum GRPCAnswer {
    /// What `grpc-encoding` may say, for `grpc-accept-encoding`.
    static let acceptedEncodings = "identity,gzip,deflate,zstd"

    static let responseHeaders: HPACKHeaders = [
        ":status": "200", "content-type": "application/grpc", "grpc-accept-encoding": acceptedEncodings,
    ]

    static let okTrailers: HPACKHeaders = ["grpc-status": "0"]

    /// A response with no message: status in the only header block.
    static func trailersOnly(status: GRPCStatusCode, message: String, httpStatus: Int = 200) -> HPACKHeaders {
        [
            ":status": String(httpStatus), "content-type": "application/grpc",
            "grpc-status": String(status.rawValue), "grpc-message": percentEncoded(message),
        ]
    }

    /// `grpc-message` is percent-encoded: bytes outside printable ASCII, and `%`.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// Standard base64 with padding, which `-bin` metadata values use.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for (offset, byte) in chunk.enumerated() { value |= Int(byte) << (16 - 8 * offset) }
            for digit in 0..<4 {
                out.append(digit <= chunk.count ? alphabet[(value >> (18 - 6 * digit)) & 0x3F] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
