import COTLP
import Glibc
import OpenSREModel

/// Decodes `ExportMetricsServiceRequest` protobuf bodies with libprotobuf-c.
///
/// Attribute values' nested lists and maps are declared `bytes` in our protos,
/// so libprotobuf-c unpacks one `AnyValue` level; the walker unpacks deeper
/// levels itself (into the same arena) and refuses the request past
/// ``OTLPLimits/maximumValueNesting`` levels, never recursing without bound.
///
/// One decoder per event loop, used only from that loop: it owns an arena that
/// every request is unpacked into and that is reset afterwards, so unpacking
/// costs no malloc per message. The decoder walks the C structs once, copies
/// what it keeps into a ``DecodedBatch`` (attributes in canonical, sorted,
/// hashed form) and never keeps a C pointer past ``decode(_:)``.
package final class OTLPProtobufDecoder {
    private let arena: UnsafeMutablePointer<COTLPArena>
    /// Where trace requests' spans are unpacked, one at a time (reset after each).
    private let spanArena: UnsafeMutablePointer<COTLPArena>
    private let memoryLimit: Int
    /// Reused scratch space for sorting attribute pointers by key.
    private var sortScratch: [UnsafeMutablePointer<CKeyValue>] = []
    /// Reused space for encoding one attribute set.
    private let attributeEncoder = AttributeEncoder()

    /// Whether unpacking goes through the arena (always, except to measure the difference).
    private let useArena: Bool
    private let options: OTLPDecodingOptions

    /// - Parameters:
    ///   - initialArenaBytes: first size of the reusable arena block; it grows to
    ///     what requests need (up to 64 MiB) and is reused afterwards.
    ///   - memoryLimit: most bytes one request may unpack into; a request that
    ///     needs more fails with ``OTLPDecodingError/decodedMessageTooLarge(limit:)``.
    ///   - useArena: false unpacks with libprotobuf-c's default malloc/free and
    ///     no memory limit; only the benchmarks use it, to show what the arena saves.
    ///   - options: the label-name rule and the clock points are checked against.
    package init(
        initialArenaBytes: Int = 1 << 20, memoryLimit: Int = 512 << 20, useArena: Bool = true,
        options: OTLPDecodingOptions = OTLPDecodingOptions()
    ) {
        guard let arena = cotlp_arena_create(initialArenaBytes, memoryLimit),
            let spanArena = cotlp_arena_create(16 << 10, memoryLimit)
        else {
            fatalError("out of memory creating the OTLP decode arena")
        }
        self.arena = arena
        self.spanArena = spanArena
        self.memoryLimit = memoryLimit
        self.useArena = useArena
        self.options = options
    }

    deinit {
        cotlp_arena_destroy(arena)
        cotlp_arena_destroy(spanArena)
    }

    /// Decodes one request body (already decompressed).
    package func decode(_ body: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> OTLPDecodeResult {
        defer { cotlp_arena_reset(arena) }
        let allocator =
            useArena ? UnsafeMutableRawPointer(arena).assumingMemoryBound(to: ProtobufCAllocator.self) : nil
        let base = body.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard
            let request = opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__unpack(
                allocator, body.count, base)
        else {
            if arena.pointee.exhausted != 0 {
                throw .decodedMessageTooLarge(limit: memoryLimit)
            }
            throw .malformedProtobuf
        }
        var walker = RequestWalker(
            builder: DecodedBatchBuilder(expectedBytes: body.count, expectedPoints: body.count / 64),
            sortScratch: sortScratch, encoder: attributeEncoder, allocator: allocator,
            escapesLabelNames: options.escapesLabelNames, latestTime: OTLPLimits.latestTime(now: options.wallClock()))
        walker.walk(request.pointee)
        if !useArena {
            opentelemetry__proto__collector__metrics__v1__export_metrics_service_request__free_unpacked(request, nil)
        }
        sortScratch = walker.sortScratch
        if let failure = walker.failure {
            if failure == .malformedProtobuf, arena.pointee.exhausted != 0 {
                throw .decodedMessageTooLarge(limit: memoryLimit)
            }
            throw failure
        }
        return OTLPDecodeResult(batch: walker.builder.finish(), rejected: walker.rejected)
    }

    /// Decodes one `ExportTraceServiceRequest` body (already decompressed)
    /// into span-derived metric points (see ``SpanAggregator``). `rejected`
    /// counts spans.
    ///
    /// The request is unpacked down to its spans' bytes; each span is then
    /// unpacked on its own into a second arena, reset after it (see
    /// Protos/.../trace.proto), so the memory limit bounds the request's
    /// bytes and its largest span, not a span struct (about 250 bytes) per
    /// span: a million minimal spans (37 MB) unpack into about 100 MB.
    package func decodeTraces(
        _ body: UnsafeRawBufferPointer, rules: SpanMetricsRules
    ) throws(OTLPDecodingError) -> OTLPDecodeResult {
        defer {
            cotlp_arena_reset(arena)
            cotlp_arena_reset(spanArena)
        }
        let allocator =
            useArena ? UnsafeMutableRawPointer(arena).assumingMemoryBound(to: ProtobufCAllocator.self) : nil
        let base = body.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard
            let request = opentelemetry__proto__collector__trace__v1__export_trace_service_request__unpack(
                allocator, body.count, base)
        else {
            if arena.pointee.exhausted != 0 {
                throw .decodedMessageTooLarge(limit: memoryLimit)
            }
            throw .malformedTraceProtobuf
        }
        defer {
            if !useArena {
                opentelemetry__proto__collector__trace__v1__export_trace_service_request__free_unpacked(request, nil)
            }
        }
        let attributes = RequestWalker(
            builder: DecodedBatchBuilder(), sortScratch: sortScratch, encoder: attributeEncoder, allocator: allocator,
            escapesLabelNames: options.escapesLabelNames, latestTime: .max)
        let spanAllocator =
            useArena ? UnsafeMutableRawPointer(spanArena).assumingMemoryBound(to: ProtobufCAllocator.self) : nil
        var walker = TraceRequestWalker(rules: rules, attributes: attributes)
        walker.walk(request.pointee) { bytes, walk in
            guard let span = opentelemetry__proto__trace__v1__span__unpack(spanAllocator, bytes.len, bytes.data) else {
                return false
            }
            walk(span.pointee)
            if useArena {
                cotlp_arena_reset(spanArena)
            } else {
                opentelemetry__proto__trace__v1__span__free_unpacked(span, nil)
            }
            return true
        }
        sortScratch = walker.attributes.sortScratch
        if let failure = walker.failure {
            if failure == .malformedProtobuf {
                // The walkers say malformedProtobuf for a span or value protobuf-c refused.
                let exhausted = arena.pointee.exhausted != 0 || spanArena.pointee.exhausted != 0
                throw exhausted ? .decodedMessageTooLarge(limit: memoryLimit) : .malformedTraceProtobuf
            }
            throw failure
        }
        var builder = DecodedBatchBuilder()
        walker.aggregator.finish(into: &builder)
        return OTLPDecodeResult(batch: builder.finish(), rejected: walker.rejected)
    }
}
