import COTLP

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
