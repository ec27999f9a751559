import CZlib

/// Inflates `Content-Encoding: gzip` request bodies with the system zlib.
///
/// One inflater per event loop: its output buffer is reused across requests,
/// so steady-state decompression allocates nothing. The output is capped at
/// `limit` bytes and inflation stops as soon as the cap is passed, so a small
/// "gzip bomb" cannot make the collector allocate more than the cap.
package final class GzipInflater {
    private var output: UnsafeMutableRawBufferPointer
    private let initialCapacity: Int
    /// A buffer grown past this for one huge request is released afterwards.
    private static let retainedCapacity = 16 << 20

    package init(initialCapacity: Int = 1 << 20) {
        self.initialCapacity = max(initialCapacity, 4096)
        output = .allocate(byteCount: self.initialCapacity, alignment: 16)
    }

    deinit {
        output.deallocate()
    }

    /// Inflates `input` (gzip or zlib framing; with `rawDeflate`, headerless
    /// deflate) and passes the result to `body`. The bytes given to `body` are
    /// only valid during the call.
    package func inflate<Result>(
        _ input: UnsafeRawBufferPointer, limit: Int, rawDeflate: Bool = false,
        _ body: (UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Result
    ) throws(OTLPDecodingError) -> Result {
        var stream = z_stream()
        guard czlib_inflate_init2(&stream, rawDeflate ? -15 : 15 + 32) == Z_OK else {
            throw .malformedCompression("zlib could not start")
        }
        defer {
            inflateEnd(&stream)
            if output.count > Self.retainedCapacity {
                output.deallocate()
                output = .allocate(byteCount: initialCapacity, alignment: 16)
            }
        }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        var produced = 0
        while true {
            if produced == output.count {
                guard produced <= limit else { throw .decompressedBodyTooLarge(limit: limit) }
                grow(keeping: produced, toAtLeast: min(output.count * 2, limit + 1))
            }
            stream.next_out = output.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
            let room = min(output.count - produced, Int(UInt32.max))
            stream.avail_out = uInt(room)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            produced += room - Int(stream.avail_out)
            if produced > limit {
                throw .decompressedBodyTooLarge(limit: limit)
            }
            switch status {
            case Z_STREAM_END:
                guard stream.avail_in == 0 else {
                    throw .malformedCompression("unexpected bytes after the end of the compressed stream")
                }
                return try body(UnsafeRawBufferPointer(rebasing: output[0..<produced]))
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_out == 0:
                continue
            case Z_BUF_ERROR:
                throw .malformedCompression("compressed stream is truncated")
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .malformedCompression(message)
            }
        }
    }

    private func grow(keeping count: Int, toAtLeast capacity: Int) {
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, count + 4096), alignment: 16)
        bigger.baseAddress!.copyMemory(from: output.baseAddress!, byteCount: count)
        output.deallocate()
        output = bigger
    }
}

extension GzipInflater {
    /// HTTP `deflate` is zlib-wrapped (RFC 9110), but some clients send raw
    /// deflate: a valid zlib header (deflate method, checksum of the first two
    /// bytes divisible by 31) tells which.
    package static func isZlibWrapped(_ input: UnsafeRawBufferPointer) -> Bool {
        guard input.count >= 2 else { return false }
        let header = UInt16(input[0]) << 8 | UInt16(input[1])
        return input[0] & 0x0F == 8 && header % 31 == 0
    }
}
