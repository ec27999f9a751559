import COTLP
import OpenSREModel

/// Encodes the protobuf bodies of OTLP/HTTP answers with libprotobuf-c.
package enum OTLPResponseEncoder {
    /// An `ExportMetricsServiceResponse`: empty on full success (the spec says
    /// `partial_success` MUST be unset then), with `partial_success` when points
    /// were rejected. Also the `ExportTraceServiceResponse` of a trace export:
    /// its `ExportTracePartialSuccess` has the same fields and numbers
    /// (`rejected_spans` = 1, `error_message` = 2), so the bytes are the same.
    package static func exportResponse(rejected: RejectedPoints) -> [UInt8] {
        guard rejected.count > 0 else { return [] }
        var partial = Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsPartialSuccess()
        opentelemetry__proto__collector__metrics__v1__export_metrics_partial_success__init(&partial)
        partial.rejected_data_points = Int64(rejected.count)
        // `bytes` in our proto (same wire format as `string`): a NUL in a reason is kept.
        var message = Array(rejected.message.utf8)
        var response = Opentelemetry__Proto__Collector__Metrics__V1__ExportMetricsServiceResponse()
        opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__init(&response)
        return message.withUnsafeMutableBufferPointer { text in
            partial.error_message = ProtobufCBinaryData(len: text.count, data: text.baseAddress)
            return withUnsafeMutablePointer(to: &partial) { partialPointer in
                response.partial_success = partialPointer
                let size = opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__get_packed_size(&response)
                var bytes = [UInt8](repeating: 0, count: size)
                bytes.withUnsafeMutableBufferPointer { out in
                    _ = opentelemetry__proto__collector__metrics__v1__export_metrics_service_response__pack(&response, out.baseAddress)
                }
                return bytes
            }
        }
    }

    /// The same response in OTLP/JSON: `{}`, or `{"partialSuccess":{...}}`
    /// (int64 as a string, as the JSON mapping writes it).
    /// - Parameter spans: a trace export's answer (`rejectedSpans`).
    package static func exportResponseJSON(rejected: RejectedPoints, spans: Bool = false) -> [UInt8] {
        guard rejected.count > 0 else { return Array("{}".utf8) }
        let message = jsonEscaped(rejected.message)
        let field = spans ? "rejectedSpans" : "rejectedDataPoints"
        return Array(#"{"partialSuccess":{"\#(field)":"\#(rejected.count)","errorMessage":"\#(message)"}}"#.utf8)
    }

    /// A `google.rpc.Status` (the OTLP/HTTP error body, and gRPC's
    /// `grpc-status-details-bin`) in protobuf; with `retryAfterSeconds`, it
    /// carries a `google.rpc.RetryInfo` detail with that delay, which
    /// OTLP/gRPC clients wait before retrying.
    package static func status(code: Int32, message: String, retryAfterSeconds: Int? = nil) -> [UInt8] {
        var status = Google__Rpc__Status()
        google__rpc__status__init(&status)
        status.code = code
        var text = Array(message.utf8CString)
        var detailValue = retryAfterSeconds.map(retryInfo) ?? []
        var typeURL = Array("type.googleapis.com/google.rpc.RetryInfo".utf8CString)
        var detail = Google__Rpc__StatusDetail()
        google__rpc__status_detail__init(&detail)
        return text.withUnsafeMutableBufferPointer { buffer in
            status.message = buffer.baseAddress
            return typeURL.withUnsafeMutableBufferPointer { url in
                detailValue.withUnsafeMutableBufferPointer { value in
                    withUnsafeMutablePointer(to: &detail) { detailPointer in
                        var details: [UnsafeMutablePointer<Google__Rpc__StatusDetail>?] = [detailPointer]
                        return details.withUnsafeMutableBufferPointer { list in
                            if retryAfterSeconds != nil {
                                detailPointer.pointee.type_url = url.baseAddress
                                detailPointer.pointee.value = ProtobufCBinaryData(len: value.count, data: value.baseAddress)
                                status.n_details = 1
                                status.details = list.baseAddress
                            }
                            let size = google__rpc__status__get_packed_size(&status)
                            var bytes = [UInt8](repeating: 0, count: size)
                            bytes.withUnsafeMutableBufferPointer { out in
                                _ = google__rpc__status__pack(&status, out.baseAddress)
                            }
                            return bytes
                        }
                    }
                }
            }
        }
    }

    /// A `google.rpc.RetryInfo` asking to wait `seconds`.
    static func retryInfo(seconds: Int) -> [UInt8] {
        var delay = Google__Rpc__RetryDelay()
        google__rpc__retry_delay__init(&delay)
        delay.seconds = Int64(seconds)
        var info = Google__Rpc__RetryInfo()
        google__rpc__retry_info__init(&info)
        return withUnsafeMutablePointer(to: &delay) { delayPointer in
            info.retry_delay = delayPointer
            let size = google__rpc__retry_info__get_packed_size(&info)
            var bytes = [UInt8](repeating: 0, count: size)
            bytes.withUnsafeMutableBufferPointer { out in
                _ = google__rpc__retry_info__pack(&info, out.baseAddress)
            }
            return bytes
        }
    }

    /// The same `google.rpc.Status` in OTLP/JSON: `{"code":3,"message":"…"}`.
    package static func statusJSON(code: Int32, message: String) -> [UInt8] {
        Array(#"{"code":\#(code),"message":"\#(jsonEscaped(message))"}"#.utf8)
    }

    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
