@testable import OpenSREPipeline
import OpenSREModel
import PrometheusExposition
import Testing

@Suite("Byte-keyed open-addressing table")
struct SeriesTableTests {
    final class Box {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test("matches a dictionary through random inserts and removals, with colliding hashes")
    func model() {
        var table = SeriesTable<Box>()
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
                table.insert(hash: hash(key), key: key, value: Box(step))
                model[key] = step
            }
        }
        #expect(table.count == model.count)
        for (key, value) in model {
            #expect(key.withUnsafeBytes { table.find(hash: hash(key), key: $0) }?.value == value)
        }
    }
}

@Suite("Series layout")
struct SeriesLayoutTests {
    @Test("the per-series fields stay small (one is kept per series)")
    func fieldsSize() {
        #expect(MemoryLayout<SeriesState>.size <= 49)
        #expect(MemoryLayout<Series.Fields>.size <= 80)
    }

    @Test("label text is kept inline and compared bytewise")
    func labelText() {
        let series = Series.make(labelText: Array("a=\"1\"".utf8), utf8LabelText: Array("\"a.b\"=\"1\"".utf8))
        #expect(series.labelTextBytes == Array("a=\"1\"".utf8))
        #expect(series.withLabelText(utf8: true) { Array($0.head) + Array($0.tail) } == Array("\"a.b\"=\"1\"".utf8))
        #expect(series.hasLabelText(Array("a=\"1\"".utf8)) && !series.hasLabelText(Array("a=\"2\"".utf8)))
        let empty = Series.make(labelText: [])
        #expect(empty.withLabelText { $0.count } == 0 && empty.hasLabelText([]))
        #expect(empty.labelTextPrecedes(series) && !series.labelTextPrecedes(empty))
        #expect(Series.make(labelText: Array("a=\"1\"".utf8)).labelTextPrecedes(Series.make(labelText: Array("a=\"1\",b=\"2\"".utf8))))
    }
}

@Suite("Byte-keyed table: key storage")
struct SeriesTableStorageTests {
    final class Box {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    static func key(_ number: Int) -> [UInt8] { Array("key-\(number)-".utf8) + Array(repeating: UInt8(number % 251), count: number % 40) }
    static func hash(_ key: [UInt8]) -> UInt64 { key.withUnsafeBytes { ByteHasher.hash($0) } }

    @Test("removed keys' bytes are reclaimed once they are more than half the buffer")
    func compaction() {
        var table = SeriesTable<Box>()
        for number in 0..<1000 { table.insert(hash: Self.hash(Self.key(number)), key: Self.key(number), value: Box(number)) }
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
        var table = SeriesTable<Box>()
        for number in 0..<300 { table.insert(hash: Self.hash(Self.key(number)), key: Self.key(number), value: Box(number)) }
        table.removeAll { $0.value % 3 == 0 }
        #expect(table.count == 200)
        #expect(table.keyStorageCount == (0..<300).filter { $0 % 3 != 0 }.reduce(0) { $0 + Self.key($1).count })
        for number in 0..<300 {
            let key = Self.key(number)
            #expect(key.withUnsafeBytes { table.find(hash: Self.hash(key), key: $0) }?.value == (number % 3 == 0 ? nil : number))
        }
        let empty: [UInt8] = []
        table.insert(hash: 7, key: empty, value: Box(-1))
        #expect(empty.withUnsafeBytes { table.find(hash: 7, key: $0) }?.value == -1)
    }
}

@Suite("Metric family index")
struct MetricFamilyTests {
    @Test("matches a dictionary through random creations, removals and expiry; sorted by label text")
    func model() {
        let family = MetricFamily(name: "m", type: .gauge, help: "")
        var model: [[UInt8]: Series] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<6000 {
            let text = Array("k=\"\(Int.random(in: 0..<700, using: &generator))\"".utf8)
            let (series, isNew) = family.series(labelText: text)
            if let known = model[text] {
                #expect(!isNew && series === known)
                if step % 4 == 0 {
                    family.remove(series)
                    #expect(series.isRemoved)
                    model[text] = nil
                }
            } else {
                #expect(isNew && series.hasLabelText(text))
                series.lastSeen = UInt64(step)
                model[text] = series
            }
            if step % 1500 == 1499 {
                // Expire about a third, then (at the end) nearly everything.
                let deadline = UInt64(step - (step == 5999 ? 10 : 1000))
                let expired = model.filter { $0.value.lastSeen < deadline }
                let (count, bytes) = family.expire(before: deadline)
                #expect(count == expired.count && bytes == expired.values.reduce(0) { $0 + $1.accountedBytes })
                for (key, series) in expired {
                    #expect(series.isRemoved)
                    model[key] = nil
                }
            }
            #expect(family.seriesCount == model.count)
            if step % 500 == 250 {
                // Removed series wait out of the index for compaction; a sorted read never shows them.
                #expect(family.sortedSeries().map(\.labelTextBytes) == model.keys.sorted { $0.lexicographicallyPrecedes($1) })
            }
        }
        let sorted = family.sortedSeries().map { $0.labelTextBytes }
        #expect(sorted == model.keys.sorted { $0.lexicographicallyPrecedes($1) })
        for (key, series) in model {
            let found = family.series(labelText: key)
            #expect(found.0 === series && !found.isNew)
        }
    }
}

@Suite("Byte-keyed table: long keys")
struct SeriesTableLongKeyTests {
    final class Box {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test("keys of 16 MiB and more keep their length out of line and survive compaction")
    func longKeys() {
        var table = SeriesTable<Box>()
        let long = [UInt8](repeating: 7, count: 0xFF_FFFF + 100) + [1]
        let longer = [UInt8](repeating: 7, count: 0xFF_FFFF) + [1, 2]
        let short: [UInt8] = [1, 2, 3]
        table.insert(hash: 1, key: long, value: Box(1))
        table.insert(hash: 1, key: longer, value: Box(2))
        table.insert(hash: 1, key: short, value: Box(3))
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

@Suite("Label text in two parts")
struct SplitLabelTextTests {
    @Test("compares as the joined texts, wherever they are split, shared head or not")
    func compare() {
        var generator = SystemRandomNumberGenerator()
        func text() -> [UInt8] { (0..<Int.random(in: 0..<6, using: &generator)).map { _ in UInt8.random(in: 97...99, using: &generator) } }
        for _ in 0..<3000 {
            let left = text()
            let right = Bool.random(using: &generator) ? left : text()
            let leftSplit = Int.random(in: 0...left.count, using: &generator)
            let rightSplit = Int.random(in: 0...right.count, using: &generator)
            let expected = left.lexicographicallyPrecedes(right) ? -1 : (left == right ? 0 : 1)
            left.withUnsafeBytes { l in
                right.withUnsafeBytes { r in
                    let a = SplitLabelText(head: UnsafeRawBufferPointer(rebasing: l[..<leftSplit]), tail: UnsafeRawBufferPointer(rebasing: l[leftSplit...]))
                    let b = SplitLabelText(head: UnsafeRawBufferPointer(rebasing: r[..<rightSplit]), tail: UnsafeRawBufferPointer(rebasing: r[rightSplit...]))
                    #expect(SplitLabelText.compare(a, b).signum() == expected)
                }
            }
        }
    }

    @Test("a series holding a shared prefix reads, matches, sorts and dedupes as its whole text")
    func prefixedSeries() {
        let prefix = Array("instance=\"i-1\",job=\"bench\",route=\"/r".utf8)
        let texts = ["1\"", "2\"", "10\""].map { prefix + Array($0.utf8) }
        let family = MetricFamily(name: "m", type: .gauge, help: "")
        let created = texts.map { family.series(labelText: $0, prefix: prefix).0 }
        for (series, text) in zip(created, texts) {
            #expect(series.labelTextBytes == text && series.hasLabelText(text))
            series.withLabelText { #expect($0.head.count == prefix.count) }
        }
        // The same text from a stream without the prefix (or with another) is the same series.
        #expect(family.series(labelText: texts[2]).0 === created[2])
        #expect(family.series(labelText: texts[1], prefix: Array(prefix.prefix(20))).0 === created[1])
        let plain = family.series(labelText: Array("instance=\"i-1\",job=\"a\"".utf8)).0
        #expect(family.sortedSeries().map(\.labelTextBytes) == (texts + [plain.labelTextBytes]).sorted { $0.lexicographicallyPrecedes($1) })
        family.remove(created[0])
        #expect(family.seriesCount == 3 && family.series(labelText: texts[2]).0 === created[2])
    }

    @Test("a burst of removals over a large family leaves exactly the rest, in order, found by text")
    func removalBurst() {
        let family = MetricFamily(name: "m", type: .gauge, help: "")
        let texts = (0..<20_000).map { Array("k=\"\($0)\"".utf8) }
        let created = texts.map { family.series(labelText: $0).0 }
        _ = family.sortedSeries()
        for (position, series) in created.enumerated() where position % 10 != 3 { family.remove(series) }
        let kept = texts.enumerated().filter { $0.offset % 10 == 3 }.map(\.element)
        #expect(family.seriesCount == 2000 && !family.isEmpty)
        #expect(family.sortedSeries().map(\.labelTextBytes) == kept.sorted { $0.lexicographicallyPrecedes($1) })
        for (position, text) in texts.enumerated() {
            let (found, isNew) = family.series(labelText: text)
            #expect(isNew == (position % 10 != 3))
            if !isNew { #expect(found === created[position]) }
        }
        #expect(family.seriesCount == 20_000)
    }

    @Test("a stream shares the longest prefix its series' texts agree on")
    func streamPrefix() {
        let stream = MetricStream(
            kind: .gauge, temporality: .cumulative, family: nil, refusal: nil, fixedLabels: [], resourceAttributes: [],
            reservedLabels: [], targetKey: nil)
        var added = 0
        func add(_ text: String) -> [UInt8] {
            let bytes = Array(text.utf8)
            let prefix = stream.sharedPrefix(for: bytes)
            added += 1
            stream.series.insert(hash: UInt64(added), key: [UInt8(added)], value: Series.make(labelText: bytes, prefix: prefix))
            return prefix
        }
        let base = "instance=\"i-1\",job=\"bench\",route=\"/r"
        #expect(add(base + "1\"").isEmpty)
        #expect(add(base + "12\"") == Array((base + "1").utf8))
        #expect(add(base + "13\"") == Array((base + "1").utf8))
        #expect(add(base + "2\"") == Array(base.utf8))
        #expect(add("x=\"1\"").isEmpty)
        #expect(add(base + "3\"") == Array(base.utf8))
        #expect(stream.series.values.map(\.labelTextBytes).map { String(decoding: $0, as: UTF8.self) } == [
            base + "1\"", base + "12\"", base + "13\"", base + "2\"", "x=\"1\"", base + "3\"",
        ])
    }
}
