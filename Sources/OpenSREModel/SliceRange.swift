/// A range of elements inside one of a ``DecodedBatch``'s flat arrays.
///
/// Batches keep all variable-length data (attribute bytes, bucket counts,
/// bounds) in a few shared arrays so that decoding a request allocates a
/// handful of arrays, never one per data point.
package struct SliceRange: Sendable, Hashable {
    package var start: UInt32
    package var count: UInt32

    package init(start: Int, count: Int) {
        self.start = UInt32(truncatingIfNeeded: start)
        self.count = UInt32(truncatingIfNeeded: count)
    }

    package static let empty = SliceRange(start: 0, count: 0)

    package var range: Range<Int> { Int(start)..<Int(start) + Int(count) }
}

extension UnsafeRawBufferPointer {
    /// The bytes of `slice`, without copying.
    package subscript(slice slice: SliceRange) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[slice.range])
    }
}
