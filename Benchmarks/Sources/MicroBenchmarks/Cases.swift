import COTLP
import Foundation
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import PrometheusExposition

/// The micro benchmarks, built from the payloads `Benchmarks/make_payloads.py` writes.
struct Cases {
    let payloads: String

    func load(_ name: String) throws -> [UInt8] {
        let path = payloads + "/" + name
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchmarkError("missing \(path): run python3 Benchmarks/make_payloads.py")
        }
        return Array(data)
    }

    /// Unpacks a trace request and each of its spans, reading nothing.
    static func unpackSpans(
        _ raw: UnsafeRawBufferPointer, allocator: UnsafeMutablePointer<ProtobufCAllocator>,
        spanAllocator: UnsafeMutablePointer<ProtobufCAllocator>, spanArena: UnsafeMutablePointer<COTLPArena>
    ) {
        let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard let request = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
            allocator, raw.count, base)?.pointee
        else { return }
        for resource in 0..<request.n_resource_spans {
            guard let resourceSpans = request.resource_spans[resource]?.pointee else { continue }
            for scope in 0..<resourceSpans.n_scope_spans {
                guard let scopeSpans = resourceSpans.scope_spans[scope]?.pointee else { continue }
                for index in 0..<scopeSpans.n_spans {
                    let bytes = scopeSpans.spans[index]
                    _ = opentelemetry__proto__trace__v1__span__unpack(spanAllocator, bytes.len, bytes.data)
                    cotlp_arena_reset(spanArena)
                }
            }
        }
    }

    /// `body` with each six-byte series marker replaced by `sequence`, as the load generator does.
    static func varied(_ body: [UInt8], sequence: Int) -> [UInt8] {
        let marker = Array("~~~~~~".utf8)
        let digits = Array(String(format: "%06d", sequence).utf8)
        var copy = body
        var index = 0
        while index + 6 <= copy.count {
            if copy[index] == marker[0], copy[index..<index + 6].elementsEqual(marker) {
                copy.replaceSubrange(index..<index + 6, with: digits)
                index += 6
            } else {
                index += 1
            }
        }
        return copy
    }

    /// `connectors: { spanmetrics: }` as the collector compiles it.
    static func spanRules() -> SpanMetricsRules {
        let configuration = SpanMetricsConfiguration()
        return SpanMetricsRules(
            configuration,
            cardinality: SpanCardinalityGuard(
                limit: configuration.cardinalityLimit, expiration: 300_000_000_000,
                clock: { DispatchTime.now().uptimeNanoseconds }))
    }

    static func decode(_ body: [UInt8]) throws -> DecodedBatch {
        try body.withUnsafeBytes { (raw) throws(OTLPDecodingError) in try OTLPProtobufDecoder().decode(raw).batch }
    }

    /// A store holding `series` counter series (1000 per varied request).
    static func filledStore(_ template: [UInt8], series: Int) throws -> SeriesStore {
        let store = SeriesStore(settings: ExpositionSettings(maxSeries: .max, maxSeriesPerMetric: .max))
        for sequence in 0..<series / 1000 {
            store.apply(try decode(varied(template, sequence: sequence)))
        }
        return store
    }

    var all: [BenchmarkCase] {
        [
            decode("decode.protobuf.arena", file: "mixed-1000.pb", useArena: true),
            decode("decode.protobuf.malloc", file: "mixed-1000.pb", useArena: false),
            decode("decode.protobuf.small", file: "mixed-10.pb", useArena: true),
            BenchmarkCase(name: "decode.traces", unit: "request", items: 1000) {
                // traces-1000.pb into span metrics with the connector's defaults and the
                // collector's cardinality guard (1000 series per service).
                let body = try load("traces-1000.pb")
                let rules = Self.spanRules()
                let decoder = OTLPProtobufDecoder()
                return {
                    body.withUnsafeBytes { raw in _ = try? decoder.decodeTraces(raw, rules: rules) }
                }
            },
            BenchmarkCase(name: "decode.traces.unpack", unit: "request", items: 1000) {
                // protobuf-c alone on traces-1000.pb as decodeTraces drives it (the
                // request, then each span into an arena reset after it), nothing read:
                // the floor under decode.traces while spans are decoded by protobuf-c.
                let body = try load("traces-1000.pb")
                guard let arena = cotlp_arena_create(1 << 20, 256 << 20), let spanArena = cotlp_arena_create(16 << 10, 256 << 20)
                else { throw BenchmarkError("no arena") }
                let allocator = UnsafeMutableRawPointer(arena).assumingMemoryBound(to: ProtobufCAllocator.self)
                let spanAllocator = UnsafeMutableRawPointer(spanArena).assumingMemoryBound(to: ProtobufCAllocator.self)
                return {
                    body.withUnsafeBytes { raw in
                        Self.unpackSpans(raw, allocator: allocator, spanAllocator: spanAllocator, spanArena: spanArena)
                    }
                    cotlp_arena_reset(arena)
                }
            },
            BenchmarkCase(name: "inflate.gzip", unit: "request", items: 1000) {
                let body = try load("mixed-1000.pb.gz")
                let inflater = GzipInflater()
                return {
                    body.withUnsafeBytes { raw in
                        _ = try? inflater.inflate(raw, limit: 64 << 20) { (inflated) throws(OTLPDecodingError) in
                            inflated.count
                        }
                    }
                }
            },
            BenchmarkCase(name: "decode.gzip", unit: "request", items: 1000) {
                let body = try load("mixed-1000.pb.gz")
                let inflater = GzipInflater()
                let decoder = OTLPProtobufDecoder()
                return {
                    body.withUnsafeBytes { raw in
                        _ = try? inflater.inflate(raw, limit: 64 << 20) { (inflated) throws(OTLPDecodingError) in
                            try decoder.decode(inflated).batch.pointCount
                        }
                    }
                }
            },
            BenchmarkCase(name: "store.apply.update", unit: "request", items: 1000) {
                let batch = try Self.decode(load("mixed-1000.pb"))
                let store = SeriesStore()
                store.apply(batch)
                return { store.apply(batch) }
            },
            BenchmarkCase(name: "store.apply.spans", unit: "request", items: 1000) {
                // The points traces-1000.pb derives (its 677 SERVER spans in 87 series), folded
                // into series that exist: what the processor does per span request.
                let body = try load("traces-1000.pb")
                let batch = try body.withUnsafeBytes { (raw) throws(OTLPDecodingError) in
                    try OTLPProtobufDecoder().decodeTraces(raw, rules: Self.spanRules()).batch
                }
                let store = SeriesStore()
                store.apply(batch)
                return { store.apply(batch) }
            },
            BenchmarkCase(name: "store.apply.create", unit: "100 requests", items: 100_000) {
                let template = try load("cardinality-1000.pb")
                let batches = try (0..<100).map { try Self.decode(Self.varied(template, sequence: $0)) }
                return {
                    let store = SeriesStore()
                    for batch in batches { store.apply(batch) }
                }
            },
            BenchmarkCase(name: "store.remove.burst", unit: "20k series", items: 20_000) {
                // 20k series of one family created, then all removed by NO_RECORDED_VALUE points.
                let present = try load("family-1000.pb")
                let absent = try load("family-absent-1000.pb")
                let creations = try (0..<20).map { try Self.decode(Self.varied(present, sequence: $0)) }
                let removals = try (0..<20).map { try Self.decode(Self.varied(absent, sequence: $0)) }
                return {
                    let store = SeriesStore()
                    for batch in creations { store.apply(batch) }
                    for batch in removals { store.apply(batch) }
                }
            },
            render(series: 10_000, gzip: false),
            render(series: 100_000, gzip: false),
            render(series: 100_000, gzip: true),
            render(series: 1_000_000, gzip: false),
            render(series: 1_000_000, gzip: true),
            BenchmarkCase(name: "ring.push_pop", unit: "1000 pairs", items: 1000) {
                let ring = BoundedRing<Int>(capacity: 1024)
                return {
                    for value in 0..<1000 { _ = ring.push(value) }
                    for _ in 0..<1000 { _ = ring.pop() }
                }
            },
            BenchmarkCase(name: "ring.two_threads", unit: "100k items", items: 100_000) {
                let ring = BoundedRing<Int>(capacity: 1024)
                return {
                    let producer = Thread {
                        var value = 0
                        while value < 100_000 {
                            if ring.push(value) { value += 1 }
                        }
                    }
                    producer.start()
                    var received = 0
                    while received < 100_000 {
                        if ring.pop() != nil { received += 1 }
                    }
                }
            },
        ] + receiverCases + remoteWriteCases
    }

    private func decode(_ name: String, file: String, useArena: Bool) -> BenchmarkCase {
        BenchmarkCase(name: name, unit: "request", items: file == "mixed-10.pb" ? 10 : 1000) {
            let body = try load(file)
            let decoder = OTLPProtobufDecoder(useArena: useArena)
            return {
                body.withUnsafeBytes { raw in _ = try? decoder.decode(raw) }
            }
        }
    }

    private func render(series: Int, gzip: Bool) -> BenchmarkCase {
        let label = series >= 1_000_000 ? "\(series / 1_000_000)M" : "\(series / 1000)k"
        return BenchmarkCase(name: "render.\(gzip ? "gzip" : "text").\(label)", unit: "scrape", items: series) {
            let store = try Self.filledStore(load("counters-1000.pb"), series: series)
            return {
                // As a scrape runs on the processor thread: slice by slice, gzip'd as it goes.
                let sink = ArrayScrapeSink()
                var renderer = ScrapeSources.beginScrape(of: store, format: .text, gzip: gzip, into: [sink])
                while !renderer.step() {}
                _ = renderer.finish()
            }
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
