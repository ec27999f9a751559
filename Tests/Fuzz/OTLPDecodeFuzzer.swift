import OTLPDecoding
import OpenSREModel

/// libFuzzer entry point for the decode path: every input is tried as a
/// protobuf body, as an OTLP/JSON body, and as gzip, deflate and zstd bodies
/// (each bounded as the receiver bounds them). Nothing may crash, leak or read
/// out of bounds (AddressSanitizer); errors are the expected outcome.
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
    nonisolated(unsafe) static let protobuf = OTLPProtobufDecoder(initialArenaBytes: 1 << 16, memoryLimit: 64 << 20)
    nonisolated(unsafe) static let inflater = GzipInflater(initialCapacity: 1 << 12)
    nonisolated(unsafe) static let zstd = ZstdDecompressor(initialCapacity: 1 << 12)
    static let limit = 4 << 20

    static func run(_ input: UnsafeRawBufferPointer) {
        exercise(input)
        _ = try? inflater.inflate(input, limit: limit) { exercise($0) }
        _ = try? inflater.inflate(input, limit: limit, rawDeflate: true) { exercise($0) }
        _ = try? zstd.decompress(input, limit: limit) { exercise($0) }
    }

    static func exercise(_ bytes: UnsafeRawBufferPointer) {
        if let result = try? protobuf.decode(bytes) { touch(result.batch) }
        if let result = try? OTLPJSONDecoder().decode(bytes) { touch(result.batch) }
    }

    /// Reads back everything a batch points at, as the processor would.
    static func touch(_ batch: DecodedBatch) {
        batch.bytes.withUnsafeBytes { bytes in
            for stream in batch.streams {
                _ = AttributeDecoder.decode(bytes[slice: stream.resource])
                for index in stream.pointRange {
                    let point = batch.points[index]
                    _ = AttributeDecoder.decode(bytes[slice: point.attributes])
                    _ = batch.doubles[point.doubles.range]
                    _ = batch.counts[point.counts.range]
                    _ = batch.exemplars[point.exemplars.range]
                }
            }
        }
    }
}
