import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRESLO

/// libFuzzer entry point for the whole in-process pipeline: every input is
/// tried as a protobuf body and as an OTLP/JSON body, raw and through the
/// gzip, deflate and zstd decompressors (each bounded as the receiver bounds
/// them), and as an OTLP/gRPC request body (the length-prefixed message,
/// decompressed by the `grpc-encoding` its first byte picks, and as a health
/// check request), and as a trace request (a selector byte, then an
/// `ExportTraceServiceRequest` body: see ``FuzzState/exerciseTraces(_:)``);
/// whatever decodes (metric points, or the points span metrics derive from
/// spans) is folded into a series store (golden
/// signals and SLOs on) and the store is rendered in the text formats. Nothing may crash,
/// trap, leak or read out of bounds (AddressSanitizer); refusals are the
/// expected outcome.
///
/// The store lives across inputs, so points of one input meet the series of
/// earlier ones (delta merges, out-of-order times, type conflicts), and is
/// replaced every ``FuzzState/storeLifetime`` inputs so that memory stays
/// bounded (`-rss_limit_mb` in .ci/fuzz).
///
/// Built only with `OPENSRE_FUZZ=1 swift build --sanitize fuzzer --sanitize address
/// --product OTLPDecodeFuzzer` (see .ci/fuzz).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeRawBufferPointer(start: data, count: size)
    FuzzState.run(input)
    return 0
}

enum FuzzState {
    /// Decoders see the same fixed wall clock as the store, so runs repeat.
    static let options = OTLPDecodingOptions(wallClock: { FuzzState.wallClock })
    nonisolated(unsafe) static let protobuf = OTLPProtobufDecoder(
        initialArenaBytes: 1 << 16, memoryLimit: 64 << 20, options: options)
    static let json = OTLPJSONDecoder(options: options)
    nonisolated(unsafe) static let inflater = GzipInflater(initialCapacity: 1 << 12)
    nonisolated(unsafe) static let zstd = ZstdDecompressor(initialCapacity: 1 << 12)
    static let limit = 4 << 20

    /// Inputs one store sees before it is replaced. Its caps (500 series)
    /// keep the render after every input cheap.
    static let storeLifetime = 5_000
    nonisolated(unsafe) static var store = makeStore()
    /// Span-metrics rules the trace path picks from; replaced with the store
    /// (their cardinality guards remember services and keys).
    nonisolated(unsafe) static var spanRules = makeSpanRules()
    nonisolated(unsafe) static var inputs = 0
    /// The processor's clocks: monotonic for expiry, wall for SLO minutes.
    nonisolated(unsafe) static var monotonic: UInt64 = 1_000_000_000
    static let wallClock: UInt64 = 1_700_000_000 * 1_000_000_000

    static func run(_ input: UnsafeRawBufferPointer) {
        inputs += 1
        if inputs % storeLifetime == 0 {
            store = makeStore()
            spanRules = makeSpanRules()
        }
        exercise(input)
        _ = try? inflater.inflate(input, limit: limit) { exercise($0) }
        _ = try? inflater.inflate(input, limit: limit, rawDeflate: true) { exercise($0) }
        _ = try? zstd.decompress(input, limit: limit) { exercise($0) }
        exerciseGRPC(input)
        exerciseTraces(input)
        render()
    }

    /// The trace path (`/v1/traces`, `TraceService/Export`): the input's first
    /// byte selects, the rest is the body, decoded as a protobuf and as an
    /// OTLP/JSON `ExportTraceServiceRequest` into span-derived points. The
    /// selector's low two bits pick the body's coding (identity, gzip, deflate
    /// with or without the zlib wrapper, zstd), the next three the
    /// span-metrics rules (``makeSpanRules()``). Like the gRPC path's, so the
    /// seeds written by make_fuzz_seeds.py say which path they are for.
    static func exerciseTraces(_ input: UnsafeRawBufferPointer) {
        guard let selector = input.first else { return }
        let body = UnsafeRawBufferPointer(rebasing: input[1...])
        let rules = spanRules[Int(selector >> 2) % spanRules.count]
        let decode = { (bytes: UnsafeRawBufferPointer) throws(OTLPDecodingError) in
            if let result = try? protobuf.decodeTraces(bytes, rules: rules) { apply(result.batch) }
            // The receiver gives an empty body to the protobuf decoder whatever its type.
            if !bytes.isEmpty, let result = try? json.decodeTraces(bytes, rules: rules) { apply(result.batch) }
        }
        switch selector & 3 {
        case 0: try? decode(body)
        case 1: _ = try? inflater.inflate(body, limit: limit, decode)
        case 2: _ = try? inflater.inflate(body, limit: limit, rawDeflate: !GzipInflater.isZlibWrapped(body), decode)
        default: _ = try? zstd.decompress(body, limit: limit, decode)
        }
    }

    /// The gRPC message path: the framing the stream handler reads, then the
    /// message as the call's `grpc-encoding` says (chosen by the first byte
    /// after the input's first, so one input tries one encoding).
    static func exerciseGRPC(_ input: UnsafeRawBufferPointer) {
        guard input.count > 1 else { return }
        let body = UnsafeRawBufferPointer(rebasing: input[1...])
        guard let message = try? GRPCFrame.unaryMessage(body) else { return }
        let bytes = UnsafeRawBufferPointer(rebasing: body[message.offset..<message.offset + message.length])
        _ = GRPCHealthMessages.service(in: bytes)
        guard message.compressed else {
            if let result = try? protobuf.decode(bytes) { apply(result.batch) }
            return
        }
        let decode = { (output: UnsafeRawBufferPointer) throws(OTLPDecodingError) in
            if let result = try? protobuf.decode(output) { apply(result.batch) }
        }
        switch input[0] % 3 {
        case 0: _ = try? inflater.inflate(bytes, limit: limit, decode)
        case 1: _ = try? inflater.inflate(bytes, limit: limit, rawDeflate: !GzipInflater.isZlibWrapped(bytes), decode)
        default: _ = try? zstd.decompress(bytes, limit: limit, decode)
        }
    }

    static func exercise(_ bytes: UnsafeRawBufferPointer) {
        if let result = try? protobuf.decode(bytes) { apply(result.batch) }
        if let result = try? json.decode(bytes) { apply(result.batch) }
    }

    static func apply(_ batch: DecodedBatch) {
        monotonic += 1_000_000_000
        store.apply(batch, now: monotonic, wallClock: wallClock)
    }

    /// Every fourth input, one format in turn (rendering the whole store is
    /// most of an input's cost; the store keeps what the inputs in between
    /// did, so their states are rendered too), and an expiry sweep now and then.
    static func render() {
        if inputs % 4 == 0 {
            _ = ScrapeSources.render(store, format: inputs % 8 == 0 ? .text : .openMetrics, wallClock: wallClock)
        }
        if inputs % 50 == 0 {
            monotonic += 120_000_000_000
            store.expire(now: monotonic)
        }
    }

    static func makeStore() -> SeriesStore {
        let settings = ExpositionSettings(maxSeries: 500, maxSeriesPerMetric: 100)
        return SeriesStore(
            settings: settings, slo: SLOEngine(definitions: slos, now: wallClock), countingSince: wallClock)
    }

    /// Eight span-metrics configurations, each valid as the configuration
    /// parser would let it through (`connectors.spanmetrics`), at their edges:
    /// selector bits 2–4 choose one. Cardinality guards count on the
    /// processor's monotonic clock, with a 5-minute expiration, so keys are
    /// forgotten as inputs go by.
    static func makeSpanRules() -> [SpanMetricsRules] {
        func rules(_ change: (inout SpanMetricsConfiguration) -> Void) -> SpanMetricsRules {
            var configuration = SpanMetricsConfiguration()
            change(&configuration)
            let guardian =
                configuration.cardinalityLimit > 0
                ? SpanCardinalityGuard(
                    limit: configuration.cardinalityLimit, expiration: 300_000_000_000, clock: { FuzzState.monotonic })
                : nil
            return SpanMetricsRules(configuration, cardinality: guardian)
        }
        return [
            // 0: `spanmetrics:` with nothing under it.
            rules { _ in },
            // 1: SLO thresholds merged into the bounds; every span kind; tight per-service cap (overflow series).
            rules {
                $0 = $0.addingBounds([0.3, 0.25, 1e-9])
                $0.spanKinds = [0, 1, 2, 3, 4, 5]
                $0.cardinalityLimit = 2
            },
            // 2: exponential buckets (the Collector's default size), in ms, no cap.
            rules {
                $0.buckets = .exponential(maxSize: 160)
                $0.unit = .milliseconds
                $0.cardinalityLimit = 0
                $0.spanKinds = [1, 2, 3]
            },
            // 3: exponential with two buckets (the least the parser allows): most values
            // downscale, below scale 0; a cap of one series.
            rules {
                $0.buckets = .exponential(maxSize: 2)
                $0.cardinalityLimit = 1
            },
            // 4: calls only, no exemplars, no namespace.
            rules {
                $0.histogramDisabled = true
                $0.exemplars = false
                $0.namespace = ""
            },
            // 5: dimensions with defaults, duplicates, fixed keys again and odd names.
            rules {
                $0.dimensions = [
                    .init(name: "http.route", defaultValue: "/unknown"), .init(name: "http.route"),
                    .init(name: "service.name"), .init(name: "span.name", defaultValue: "x"),
                    .init(name: "k", defaultValue: ""), .init(name: "nested"), .init(name: "a\u{0}b", defaultValue: "nul"),
                    .init(name: "zzz", defaultValue: String(repeating: "d", count: 300)),
                ]
                $0.spanKinds = [0, 1, 2, 3, 4, 5]
            },
            // 6: one explicit bound (the least a configuration may give), server spans only.
            rules {
                $0.buckets = .explicit([1e-9])
                $0.unit = .milliseconds
                $0.spanKinds = [2]
            },
            // 7: the largest exponential size the parser allows, every kind.
            rules {
                $0.buckets = .exponential(maxSize: 4096)
                $0.spanKinds = [0, 1, 2, 3, 4, 5]
                $0.exemplars = false
            },
        ]
    }

    /// An availability and a latency SLO on the HTTP server histogram, so
    /// matching inputs go through the SLO taps.
    static let slos: [SLODefinition] = {
        let source = "metricSource: { type: opensre, spec: { metric: http.server.request.duration"
        let yaml = """
            apiVersion: openslo/v1
            kind: SLO
            metadata: { name: fuzz-availability }
            spec:
              budgetingMethod: Occurrences
              timeWindow: [{ duration: 1h, isRolling: true }]
              objectives: [{ target: 0.99 }]
              indicator:
                spec:
                  ratioMetric:
                    bad: { \(source), match: { http.response.status_code: "5.." } } }
                    total: { \(source) } }
            ---
            apiVersion: openslo/v1
            kind: SLO
            metadata: { name: fuzz-latency }
            spec:
              budgetingMethod: Occurrences
              timeWindow: [{ duration: 1h, isRolling: true }]
              objectives: [{ target: 0.9 }]
              indicator:
                spec:
                  ratioMetric:
                    good: { \(source), le: 0.25 } }
                    total: { \(source) } }
            """
        return try! OpenSLOLoader.parse(yaml: yaml)
    }()
}
