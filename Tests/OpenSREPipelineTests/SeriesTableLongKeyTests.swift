@testable import OpenSREPipeline
import OpenSREModel
import PrometheusExposition
import Testing

@Suite("Byte-keyed table: long keys")
struct SeriesTableLongKeyTests {
    @Test("keys of 16 MiB and more keep their length out of line and survive compaction")
    func longKeys() {
        var table = SeriesTable<TableValue>()
        let long = [UInt8](repeating: 7, count: 0xFF_FFFF + 100) + [1]
        let longer = [UInt8](repeating: 7, count: 0xFF_FFFF) + [1, 2]
        let short: [UInt8] = [1, 2, 3]
        table.insert(hash: 1, key: long, value: TableValue(1))
        table.insert(hash: 1, key: longer, value: TableValue(2))
        table.insert(hash: 1, key: short, value: TableValue(3))
        #expect(long.withUnsafeBytes { table.find(hash: 1, key: $0) }?.value == 1)
        #expect(longer.withUnsafeBytes { table.find(hash: 1, key: $0) }?.value == 2)
        #expect(Array(longer.dropLast()).withUnsafeBytes { table.find(hash: 1, key: $0) } == nil)
        // Removing the first long key makes it more than half the buffer: compacted.
        #expect(long.withUnsafeBytes { table.remove(hash: 1, key: $0) }?.value == 1)
        #expect(table.keyStorageCount == 8 + longer.count + short.count)
        #expect(longer.withUnsafeBytes { table.find(hash: 1, key: $0) }?.value == 2)
        #expect(short.withUnsafeBytes { table.find(hash: 1, key: $0) }?.value == 3)
        table.removeAll { $0.value == 3 }
        #expect(longer.withUnsafeBytes { table.find(hash: 1, key: $0) }?.value == 2 && table.count == 1)
    }
}
