/// A histogram's bounds and per-bucket counts in one heap block: the counts
/// tail-allocated after a header holding the bounds (an array the series of a
/// stream share). A series state then needs one reference for both, where two
/// arrays took two, and a counter or gauge series (which has neither) saves
/// the second reference without histograms paying for a box of their own.
///
/// Copy-on-write through ``SeriesState``: shared storage is never mutated.
final class HistogramStorage: ManagedBuffer<HistogramStorage.Header, UInt64> {
    struct Header {
        var bounds: [Double]
        var count: Int
    }

    static func make(bounds: [Double], counts: some Collection<UInt64>) -> HistogramStorage {
        let storage = unsafeDowncast(
            create(minimumCapacity: counts.count) { _ in Header(bounds: bounds, count: counts.count) },
            to: HistogramStorage.self)
        storage.withUnsafeMutablePointerToElements { elements in
            var index = 0
            for count in counts {
                (elements + index).initialize(to: count)
                index += 1
            }
        }
        return storage
    }

    /// The header through a pointer, without the runtime's exclusivity checks
    /// on `header` (see ``Series``); it is never written after creation.
    @inline(__always)
    private var fields: UnsafeMutablePointer<Header> { withUnsafeMutablePointerToHeader { $0 } }

    var bounds: [Double] { fields.pointee.bounds }
    var count: Int { fields.pointee.count }

    func copy() -> HistogramStorage {
        withUnsafeMutablePointerToElements { elements in
            Self.make(bounds: bounds, counts: UnsafeBufferPointer(start: elements, count: count))
        }
    }

    func withCounts<Result>(_ body: (UnsafeMutableBufferPointer<UInt64>) -> Result) -> Result {
        let count = count
        return withUnsafeMutablePointerToElements { body(UnsafeMutableBufferPointer(start: $0, count: count)) }
    }
}
