import CMallocCounter
import Glibc
import OpenSREPipeline
import PrometheusExposition
import RemoteWriteExporter

/// `--memory`: live heap bytes per series of a filled `SeriesStore`.
///
/// Fills a store (no cardinality limits) with `series` series from a payload
/// whose six-digit marker is varied per request (1000 new series each), and
/// reads glibc's heap figures before and after: `uordblks` (bytes in use in
/// the arenas) + `hblkhd` (bytes in mmapped chunks, i.e. large arrays, counted
/// whole even where pages are untouched). Decoded batches are dropped after
/// each request, so what remains is what the store keeps per series.
enum ProcessInfoFlags {
    static let verbose = getenv("OPENSRE_BENCH_VERBOSE") != nil
}

enum MemoryFigures {
    static func heapInUse() -> Int { Int(malloc_counter_heap_in_use()) }

    /// Bytes per series after filling a store with `series` series of
    /// `template`, after that store was then scraped once (the first scrape
    /// sorts each family's series, which must not leave memory behind), and
    /// after two remote-write exports (from the second on, each series'
    /// encoded labels are kept with it; the requests are dropped).
    static func measure(_ template: [UInt8], series: Int) throws -> (
        series: Int, filled: Double, scraped: Double, exported: Double
    ) {
        // Decode one request first so lazily created decoder state is not counted.
        _ = try Cases.decode(Cases.varied(template, sequence: 999_999))
        let before = heapInUse()
        let store = try Cases.filledStore(template, series: series)
        let after = heapInUse()
        let rssFilled = residentBytes()
        let count = store.seriesCount
        var renderer = ScrapeSources.beginScrape(of: store, format: .text, gzip: false, into: [DiscardingSink()])
        while !renderer.step() {}
        _ = renderer.finish()
        let scraped = heapInUse()
        if ProcessInfoFlags.verbose { print("rss filled \(rssFilled >> 20) MiB, after scrape \(residentBytes() >> 20) MiB") }
        let now: UInt64 = 1_700_000_000_000_000_000
        do {
            // Labels are kept from a series' second export on.
            let encoder = RemoteWriteEncoder()
            for _ in 0..<2 { _ = encoder.encode(store.families(for: ScrapeContext(wallClock: now)), now: now) }
        }
        let exported = heapInUse()
        return withExtendedLifetime(store) {
            let divisor = Double(max(count, 1))
            return (
                count, Double(after - before) / divisor, Double(scraped - before) / divisor,
                Double(exported - before) / divisor
            )
        }
    }

    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0
        var resident = 0
        _ = withUnsafeMutablePointer(to: &size) { sizePointer in
            withUnsafeMutablePointer(to: &resident) { residentPointer in
                withVaList([sizePointer, residentPointer]) { vfscanf(file, "%ld %ld", $0) }
            }
        }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// A reader that takes everything at once.
    final class DiscardingSink: ScrapeSink, @unchecked Sendable {
        func reserve(_ bytes: Int) {}
        func write(_ bytes: UnsafeRawBufferPointer) {}
    }

    static func run(_ cases: Cases, sizes: [Int]) throws {
        print("payload               series    heap bytes/series  after a scrape  after two remote-write exports")
        for payload in ["counters-1000.pb", "cardinality-1000.pb"] {
            let template = try cases.load(payload)
            for size in sizes {
                let (count, perSeries, scraped, exported) = try measure(template, series: size)
                let name = payload.padding(toLength: 20, withPad: " ", startingAt: 0)
                print(name + String(repeating: " ", count: max(0, 9 - String(count).count)) + "\(count)"
                    + String(format: "%21.1f%16.1f%29.1f", perSeries, scraped, exported))
                fflush(nil)
            }
        }
    }
}
