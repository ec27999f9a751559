/// A sink collecting the page in an array (tests, benchmarks, in-process callers).
package final class ArrayScrapeSink: ScrapeSink, @unchecked Sendable {
    // @unchecked: see ScrapeSink (one writer, then one reader after completion).
    package private(set) var bytes: [UInt8] = []
    package init() {}
    package func reserve(_ bytes: Int) { self.bytes.reserveCapacity(bytes) }
    package func write(_ bytes: UnsafeRawBufferPointer) { self.bytes.append(contentsOf: bytes.bindMemory(to: UInt8.self)) }
}
