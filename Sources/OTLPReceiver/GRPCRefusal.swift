import HTTPServerSupport
import NIOHPACK
import OTLPDecoding
import OpenSREModel

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
