/// The per-bucket (not cumulative) counts of an explicit histogram, as
/// ``SeriesState/buckets`` shows them: a read-only view of its storage.
package struct HistogramCounts: RandomAccessCollection, Equatable, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// Never mutated through a view.
    let storage: HistogramStorage?

    init(storage: HistogramStorage?) {
        self.storage = storage
    }

    package init(_ counts: [UInt64]) {
        storage = counts.isEmpty ? nil : HistogramStorage.make(bounds: [], counts: counts)
    }

    package init(arrayLiteral counts: UInt64...) {
        self.init(counts)
    }

    package var startIndex: Int { 0 }
    package var endIndex: Int { storage?.count ?? 0 }

    package subscript(index: Int) -> UInt64 {
        guard let storage, index >= 0, index < storage.count else { preconditionFailure("bucket index out of range") }
        return storage.withUnsafeMutablePointerToElements { $0[index] }
    }

    package static func == (lhs: HistogramCounts, rhs: HistogramCounts) -> Bool {
        lhs.elementsEqual(rhs)
    }

    package var description: String { Array(self).description }
}
