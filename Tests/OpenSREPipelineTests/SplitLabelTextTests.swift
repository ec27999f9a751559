@testable import OpenSREPipeline
import OpenSREModel
import PrometheusExposition
import Testing

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
