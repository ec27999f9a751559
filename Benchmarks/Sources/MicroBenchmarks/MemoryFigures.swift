import CMallocCounter
import Glibc
import OpenSREPipeline

/// `--memory`: live heap bytes per series of a filled `SeriesStore`.
///
/// Fills a store (no cardinality limits) with `series` series from a payload
/// whose six-digit marker is varied per request (1000 new series each), and
/// reads glibc's heap figures before and after: `uordblks` (bytes in use in
/// the arenas) + `hblkhd` (bytes in mmapped chunks, i.e. large arrays, counted
/// whole even where pages are untouched). Decoded batches are dropped after
/// each request, so what remains is what the store keeps per series.
enum MemoryFigures {
    static func heapInUse() -> Int { Int(malloc_counter_heap_in_use()) }

    /// Bytes per series after filling a store with `series` series of `template`.
    static func measure(_ template: [UInt8], series: Int) throws -> (series: Int, bytesPerSeries: Double) {
        // Decode one request first so lazily created decoder state is not counted.
        _ = try Cases.decode(Cases.varied(template, sequence: 999_999))
        let before = heapInUse()
        let store = try Cases.filledStore(template, series: series)
        let after = heapInUse()
        let count = store.seriesCount
        return withExtendedLifetime(store) { (count, Double(after - before) / Double(max(count, 1))) }
    }

    static func run(_ cases: Cases, sizes: [Int]) throws {
        print("payload               series    heap bytes/series")
        for payload in ["counters-1000.pb", "cardinality-1000.pb"] {
            let template = try cases.load(payload)
            for size in sizes {
                let (count, perSeries) = try measure(template, series: size)
                let name = payload.padding(toLength: 20, withPad: " ", startingAt: 0)
                print(name + String(repeating: " ", count: max(0, 9 - String(count).count)) + "\(count)"
                    + String(format: "%21.1f", perSeries))
                fflush(nil)
            }
        }
    }
}
