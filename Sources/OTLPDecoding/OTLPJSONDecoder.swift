import OpenSREModel

/// Decodes OTLP/JSON `ExportMetricsServiceRequest` bodies (`application/json`),
/// and `ExportTraceServiceRequest` ones into span metrics, into the same
/// ``DecodedBatch`` the protobuf path produces.
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
        let root = try parse(body)
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

    /// Decodes one OTLP/JSON `ExportTraceServiceRequest` body into
    /// span-derived metric points, as ``OTLPProtobufDecoder/decodeTraces(_:rules:)``
    /// does for protobuf. `rejected` counts spans.
    package func decodeTraces(
        _ body: UnsafeRawBufferPointer, rules: SpanMetricsRules
    ) throws(OTLPDecodingError) -> OTLPDecodeResult {
        let root = try parse(body)
        let attributes = JSONRequestWalker(
            builder: DecodedBatchBuilder(), escapesLabelNames: options.escapesLabelNames, latestTime: .max)
        var walker = JSONTraceWalker(rules: rules, attributes: attributes)
        do {
            try walker.walk(root)
        } catch {
            throw error.decodingError
        }
        var builder = DecodedBatchBuilder()
        walker.aggregator.finish(into: &builder)
        return OTLPDecodeResult(batch: builder.finish(), rejected: walker.rejected)
    }

    private func parse(_ body: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> JSONValue {
        do {
            return try JSONParser.parse(body, memoryLimit: memoryLimit)
        } catch {
            if error.tooDeep { throw .valueNestingTooDeep(limit: OTLPLimits.maximumValueNesting) }
            if error.tooLarge { throw .decodedMessageTooLarge(limit: memoryLimit) }
            throw .malformedJSON(error.message)
        }
    }
}
