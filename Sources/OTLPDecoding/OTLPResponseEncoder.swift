import COTLP
import OpenSREModel

/// Encodes the protobuf bodies of OTLP/HTTP answers with libprotobuf-c.
package enum OTLPResponseEncoder {
    /// An `ExportMetricsServiceResponse`: empty on full success (the spec says
    /// `partial_success` MUST be unset then), with `partial_success` when points
    /// were rejected.
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
    package static func exportResponseJSON(rejected: RejectedPoints) -> [UInt8] {
        guard rejected.count > 0 else { return Array("{}".utf8) }
        let message = jsonEscaped(rejected.message)
        return Array(#"{"partialSuccess":{"rejectedDataPoints":"\#(rejected.count)","errorMessage":"\#(message)"}}"#.utf8)
    }

    /// A `google.rpc.Status` (the OTLP/HTTP error body) in protobuf.
    package static func status(code: Int32, message: String) -> [UInt8] {
        var status = Google__Rpc__Status()
        google__rpc__status__init(&status)
        status.code = code
        var text = Array(message.utf8CString)
        return text.withUnsafeMutableBufferPointer { buffer in
            status.message = buffer.baseAddress
            let size = google__rpc__status__get_packed_size(&status)
            var bytes = [UInt8](repeating: 0, count: size)
            bytes.withUnsafeMutableBufferPointer { out in
                _ = google__rpc__status__pack(&status, out.baseAddress)
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
