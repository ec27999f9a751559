import OpenSREModel

/// Decodes OTLP/JSON `ExportMetricsServiceRequest` bodies (`application/json`)
/// into the same ``DecodedBatch`` the protobuf path produces.
///
/// The OTLP JSON mapping: lowerCamelCase keys (the proto names are accepted
/// too), 64-bit integers as strings or numbers, enums as integers (names are
/// accepted too), `traceId`/`spanId` in hex, `bytesValue` in base64, and
/// unknown fields ignored. A value of the wrong type is an error that names
/// its path, e.g. `resourceMetrics[0].scopeMetrics[0].metrics[1].sum.dataPoints[0].asInt`.
/// Checks and limits are the protobuf path's (``OTLPLimits``, ``OTLPDecodingOptions``).
package struct OTLPJSONDecoder {
    private let options: OTLPDecodingOptions
    private let memoryLimit: Int

    /// - Parameter memoryLimit: most bytes the parsed JSON tree of one request
    ///   may take (as the protobuf decoder's arena limit bounds unpacking); a
    ///   request that needs more fails with ``OTLPDecodingError/decodedMessageTooLarge(limit:)``.
    package init(options: OTLPDecodingOptions = OTLPDecodingOptions(), memoryLimit: Int = 512 << 20) {
        self.options = options
        self.memoryLimit = memoryLimit
    }

    package func decode(_ body: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> OTLPDecodeResult {
        let root: JSONValue
        do {
            root = try JSONParser.parse(body, memoryLimit: memoryLimit)
        } catch {
            if error.tooDeep { throw .valueNestingTooDeep(limit: OTLPLimits.maximumValueNesting) }
            if error.tooLarge { throw .decodedMessageTooLarge(limit: memoryLimit) }
            throw .malformedJSON(error.message)
        }
        var walker = JSONRequestWalker(
            builder: DecodedBatchBuilder(expectedBytes: body.count / 2, expectedPoints: body.count / 256),
            escapesLabelNames: options.escapesLabelNames, latestTime: OTLPLimits.latestTime(now: options.wallClock()))
        do {
            try walker.walk(root)
        } catch {
            throw error.decodingError
        }
        return OTLPDecodeResult(batch: walker.builder.finish(), rejected: walker.rejected)
    }
}
