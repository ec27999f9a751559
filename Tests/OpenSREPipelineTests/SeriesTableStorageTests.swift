@testable import OpenSREPipeline
import OpenSREModel
import PrometheusExposition
import Testing

@Suite("Byte-keyed table: key storage")
struct SeriesTableStorageTests {
    static func key(_ number: Int) -> [UInt8] { Array("key-\(number)-".utf8) + Array(repeating: UInt8(number % 251), count: number % 40) }
    static func hash(_ key: [UInt8]) -> UInt64 { key.withUnsafeBytes { ByteHasher.hash($0) } }

    @Test("removed keys' bytes are reclaimed once they are more than half the buffer")
    func compaction() {
        var table = SeriesTable<TableValue>()
        for number in 0..<1000 { table.insert(hash: Self.hash(Self.key(number)), key: Self.key(number), value: TableValue(number)) }
        let full = table.keyStorageCount
        #expect(full == (0..<1000).reduce(0) { $0 + Self.key($1).count })
        for number in 0..<900 {
            let key = Self.key(number)
            #expect(key.withUnsafeBytes { table.remove(hash: Self.hash(key), key: $0) }?.value == number)
        }
        let live = (900..<1000).reduce(0) { $0 + Self.key($1).count }
        #expect(table.keyStorageCount <= 2 * live)
        for number in 0..<1000 {
            let key = Self.key(number)
            #expect(key.withUnsafeBytes { table.find(hash: Self.hash(key), key: $0) }?.value == (number < 900 ? nil : number))
        }
    }

    @Test("removeAll(where:) keeps the other entries findable, with their keys only")
    func filter() {
        var table = SeriesTable<TableValue>()
        for number in 0..<300 { table.insert(hash: Self.hash(Self.key(number)), key: Self.key(number), value: TableValue(number)) }
        table.removeAll { $0.value % 3 == 0 }
        #expect(table.count == 200)
        #expect(table.keyStorageCount == (0..<300).filter { $0 % 3 != 0 }.reduce(0) { $0 + Self.key($1).count })
        for number in 0..<300 {
            let key = Self.key(number)
            #expect(key.withUnsafeBytes { table.find(hash: Self.hash(key), key: $0) }?.value == (number % 3 == 0 ? nil : number))
        }
        let empty: [UInt8] = []
        table.insert(hash: 7, key: empty, value: TableValue(-1))
        #expect(empty.withUnsafeBytes { table.find(hash: 7, key: $0) }?.value == -1)
    }
}
