@testable import OpenSREPipeline
import OpenSREModel
import PrometheusExposition
import Testing

@Suite("Byte-keyed open-addressing table")
struct SeriesTableTests {
    @Test("matches a dictionary through random inserts and removals, with colliding hashes")
    func model() {
        var table = SeriesTable<TableValue>()
        var model: [[UInt8]: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        // Hash only the first byte so that probe runs are long and removals shift entries.
        func hash(_ key: [UInt8]) -> UInt64 { UInt64(key.first ?? 0) &* 0x9E37_79B9_7F4A_7C15 }
        for step in 0..<20_000 {
            let key = Array("k\(Int.random(in: 0..<500, using: &generator))".utf8)
            let found = key.withUnsafeBytes { table.find(hash: hash(key), key: $0) }
            #expect(found?.value == model[key])
            if step % 3 == 0, model[key] != nil {
                let removed = key.withUnsafeBytes { table.remove(hash: hash(key), key: $0) }
                #expect(removed?.value == model.removeValue(forKey: key))
            } else if model[key] == nil {
                table.insert(hash: hash(key), key: key, value: TableValue(step))
                model[key] = step
            }
        }
        #expect(table.count == model.count)
        for (key, value) in model {
            #expect(key.withUnsafeBytes { table.find(hash: hash(key), key: $0) }?.value == value)
        }
    }
}
