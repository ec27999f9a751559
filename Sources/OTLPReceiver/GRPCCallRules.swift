import HTTPServerSupport
import NIOHPACK
import OpenSREModel

/// What a gRPC call's request headers ask for, decided before its message is
/// read: the logic of ``OTLPGRPCStreamHandler`` without the channel.
package struct GRPCCallRules: Sendable {
    /// `max_recv_msg_size_mib` in bytes.
    package var maxMessageSize: Int
    /// The token calls must carry (`authorization: Bearer …`), when auth is on.
    package var bearerToken: [UInt8]?
    /// Whether `TraceService/Export` is served (a traces pipeline exists).
    package var servesTraces: Bool

    package init(maxMessageSize: Int, bearerToken: String?, servesTraces: Bool = false) {
        self.maxMessageSize = maxMessageSize
        self.bearerToken = bearerToken.map { Array($0.utf8) }
        self.servesTraces = servesTraces
    }

    /// The methods served.
    package enum Method: Sendable, Equatable {
        case export(OTLPIngestor.ContentCoding, OTLPIngestor.Signal)
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
        if path == "/" + GRPCPaths.metricsExport { return .success(.export(coding, .metrics)) }
        if servesTraces, path == "/" + GRPCPaths.traceExport { return .success(.export(coding, .traces)) }
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
