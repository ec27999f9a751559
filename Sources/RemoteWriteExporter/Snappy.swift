import CSnappy

/// Snappy in the block format remote write requires (not the framed stream
/// format), through the system library.
package enum Snappy {
    /// The compressed bytes, in an array of their own size (a queued request
    /// keeps its body: the worst-case capacity snappy asks for would hold
    /// several times the bytes).
    package static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let capacity = snappy_max_compressed_length(input.count)
        let compressed = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var length = capacity
            let status = input.withMemoryRebound(to: CChar.self) { source in
                buffer.withMemoryRebound(to: CChar.self) {
                    snappy_compress(source.baseAddress, input.count, $0.baseAddress, &length)
                }
            }
            // Fails only for an output buffer too small, which max_compressed_length rules out.
            precondition(status == SNAPPY_OK, "snappy_compress: \(status)")
            count = length
        }
        return Array(compressed[...])
    }

    /// The uncompressed bytes, or nil when `input` is not a valid snappy block.
    package static func uncompress(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        input.withMemoryRebound(to: CChar.self) { source -> [UInt8]? in
            var length = 0
            guard snappy_uncompressed_length(source.baseAddress, input.count, &length) == SNAPPY_OK,
                snappy_validate_compressed_buffer(source.baseAddress, input.count) == SNAPPY_OK
            else { return nil }
            return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
                var written = length
                let status = buffer.withMemoryRebound(to: CChar.self) {
                    snappy_uncompress(source.baseAddress, input.count, $0.baseAddress, &written)
                }
                count = status == SNAPPY_OK ? written : 0
            }
        }
    }
}
