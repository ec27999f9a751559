import CZstd

/// Decompresses `Content-Encoding: zstd` request bodies with the system zstd.
///
/// One per event loop; like ``GzipInflater`` it reuses its output buffer and
/// stops as soon as the output passes `limit`, so memory stays bounded
/// whatever the frame claims.
package final class ZstdDecompressor {
    private let stream: OpaquePointer
    private var output: UnsafeMutableRawBufferPointer
    private let initialCapacity: Int
    private static let retainedCapacity = 16 << 20

    package init(initialCapacity: Int = 1 << 20) {
        guard let stream = ZSTD_createDStream() else { fatalError("out of memory creating a zstd stream") }
        self.stream = stream
        self.initialCapacity = max(initialCapacity, 4096)
        output = .allocate(byteCount: self.initialCapacity, alignment: 16)
    }

    deinit {
        ZSTD_freeDStream(stream)
        output.deallocate()
    }

    package func decompress<Result>(
        _ input: UnsafeRawBufferPointer, limit: Int,
        _ body: (UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Result
    ) throws(OTLPDecodingError) -> Result {
        ZSTD_DCtx_reset(stream, ZSTD_reset_session_only)
        defer {
            if output.count > Self.retainedCapacity {
                output.deallocate()
                output = .allocate(byteCount: initialCapacity, alignment: 16)
            }
        }
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        var produced = 0
        var finished = false
        while true {
            if produced == output.count {
                guard produced <= limit else { throw .decompressedBodyTooLarge(limit: limit) }
                let bigger = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: max(min(output.count * 2, limit + 1), produced + 4096), alignment: 16)
                bigger.baseAddress!.copyMemory(from: output.baseAddress!, byteCount: produced)
                output.deallocate()
                output = bigger
            }
            var target = ZSTD_outBuffer(dst: output.baseAddress! + produced, size: output.count - produced, pos: 0)
            let result = ZSTD_decompressStream(stream, &target, &source)
            produced += target.pos
            if ZSTD_isError(result) != 0 {
                throw .malformedCompression(String(cString: ZSTD_getErrorName(result)))
            }
            if produced > limit { throw .decompressedBodyTooLarge(limit: limit) }
            if result == 0 { finished = true }
            if source.pos == source.size, target.pos < target.size {
                guard finished else { throw .malformedCompression("zstd stream is truncated") }
                return try body(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
            }
        }
    }
}
