import HTTPServerSupport
import NIOHPACK
import OTLPDecoding
import OpenSREModel

/// What a gRPC call's request headers ask for, decided before its message is
/// read: the logic of ``OTLPGRPCStreamHandler`` without the channel.
package struct GRPCCallRules: Sendable {
    /// `max_recv_msg_size_mib` in bytes.
    package var maxMessageSize: Int
    /// The token calls must carry (`authorization: Bearer …`), when auth is on.
    package var bearerToken: [UInt8]?

    package init(maxMessageSize: Int, bearerToken: String?) {
        self.maxMessageSize = maxMessageSize
        self.bearerToken = bearerToken.map { Array($0.utf8) }
    }

    /// The methods served.
    package enum Method: Sendable, Equatable {
        case export(OTLPIngestor.ContentCoding)
        case healthCheck(OTLPIngestor.ContentCoding)
    }

    /// The method a call asks for, or why it is refused from its headers.
    /// The health check needs no token (probes carry none), as `/healthz` on HTTP.
    package func route(_ headers: HPACKHeaders) -> Result<Method, GRPCRefusal> {
        let path = headers.first(name: ":path") ?? ""
        guard headers.first(name: ":method") == "POST" else {
            return .failure(GRPCRefusal(.unimplemented(path: path)))
        }
        let contentType = headers.first(name: "content-type") ?? ""
        guard Self.isGRPC(contentType: contentType) else {
            // gRPC over HTTP/2: a content-type that is not gRPC's gets HTTP 415.
            return .failure(GRPCRefusal(.unsupportedGRPCContentType(contentType), httpStatus: Self.isGRPCFamily(contentType) ? 200 : 415))
        }
        let encodingName = MediaType.trimmed(headers.first(name: "grpc-encoding") ?? "").lowercased()
        guard let coding = OTLPIngestor.ContentCoding(encodingName) else {
            return .failure(GRPCRefusal(.unsupportedGRPCEncoding(encodingName)))
        }
        if path == "/" + GRPCPaths.healthCheck { return .success(.healthCheck(coding)) }
        if let bearerToken {
            guard OTLPIngestor.authorizes(headers.first(name: "authorization") ?? "", token: bearerToken) else {
                return .failure(GRPCRefusal(.unauthorized))
            }
        }
        if path == "/" + GRPCPaths.metricsExport { return .success(.export(coding)) }
        if let signal = GRPCPaths.otherSignals[path] { return .failure(GRPCRefusal(.unsupportedSignal(signal))) }
        return .failure(GRPCRefusal(.unimplemented(path: path)))
    }

    /// Any gRPC content-type (`application/grpc+json` is gRPC, just not served).
    static func isGRPCFamily(_ contentType: String) -> Bool {
        MediaType.essence(of: contentType).hasPrefix("application/grpc")
    }

    /// `application/grpc`, optionally `+proto` (the only message format served).
    static func isGRPC(contentType: String) -> Bool {
        let essence = MediaType.essence(of: contentType)
        return essence == "application/grpc" || essence == "application/grpc+proto"
    }
}

/// A gRPC call refused: the receiver's error, answered as gRPC status
/// (`Trailers-Only`), with the HTTP status gRPC prescribes for the case.
package struct GRPCRefusal: Error, Equatable, Sendable {
    package var error: OTLPReceiverError
    /// 200 except for a request that is not gRPC at all (415).
    package var httpStatus: Int

    package init(_ error: OTLPReceiverError, httpStatus: Int = 200) {
        self.error = error
        self.httpStatus = httpStatus
    }

    /// The `Trailers-Only` response: status, message and, for retryable
    /// refusals, `grpc-status-details-bin` with a `RetryInfo`.
    package var headers: HPACKHeaders {
        var headers = GRPCAnswer.trailersOnly(status: error.grpcStatus, message: error.reason, httpStatus: httpStatus)
        if let seconds = error.retryAfterSeconds {
            let details = OTLPResponseEncoder.status(
                code: error.grpcStatus.rawValue, message: error.reason, retryAfterSeconds: seconds)
            headers.add(name: "grpc-status-details-bin", value: GRPCAnswer.base64(details))
        }
        if case .unsupportedGRPCEncoding = error {
            headers.add(name: "grpc-accept-encoding", value: GRPCAnswer.acceptedEncodings)
        }
        return headers
    }
}

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
