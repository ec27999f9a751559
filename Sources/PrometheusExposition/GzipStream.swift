import CZlib

/// Gzip that takes an exposition slice by slice while it is rendered, so a
/// compressed scrape never holds the whole plain page (150 MB at 1M series)
/// and its cost is spread over the slices like the rendering's. Compressed
/// bytes go to `output` as zlib produces them.
package final class GzipStream {
    /// zlib keeps a pointer back to its stream: it must not move, so it lives
    /// in its own allocation rather than in a Swift property.
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: (UnsafeRawBufferPointer) -> Void
    private var scratch = [UInt8](repeating: 0, count: 128 << 10)
    private var failed = false
    private var finished = false

    /// - Parameters:
    ///   - level: 1 by default: scrapes are repetitive text, where level 1
    ///     compresses nearly as well as 6 at a fraction of the CPU.
    package init?(level: Int32 = 1, output: @escaping (UnsafeRawBufferPointer) -> Void) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_deflate_init2(stream, level, 15 + 16) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
        self.output = output
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `bytes` (zlib keeps what its window needs; the caller may reuse the memory).
    package func write(_ bytes: UnsafeRawBufferPointer) {
        run(bytes, flush: Z_NO_FLUSH)
    }

    /// Ends the stream; false when zlib failed at any point.
    package func finish() -> Bool {
        if !finished {
            run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
            finished = true
        }
        return !failed
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32) {
        guard !failed, !finished else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        scratch.withUnsafeMutableBytes { out in
            while true {
                stream.pointee.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(out.count)
                let status = deflate(stream, flush)
                let produced = out.count - Int(stream.pointee.avail_out)
                if produced > 0 { output(UnsafeRawBufferPointer(rebasing: out[0..<produced])) }
                if status == Z_STREAM_END { return }
                guard status == Z_OK || (status == Z_BUF_ERROR && produced > 0) else {
                    // Z_BUF_ERROR without output: nothing left to do for NO_FLUSH; an error otherwise.
                    if status != Z_BUF_ERROR || flush == Z_FINISH { failed = true }
                    return
                }
                // Done once zlib took all input and had output room to spare.
                if stream.pointee.avail_in == 0, stream.pointee.avail_out > 0, flush != Z_FINISH { return }
            }
        }
    }
}
