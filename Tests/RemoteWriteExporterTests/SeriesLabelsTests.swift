import Glibc
import PrometheusExposition
import Testing

@testable import RemoteWriteExporter

/// A series' label text read back and encoded as remote write's `Label` messages.
@Suite("Remote write: a series' labels")
struct SeriesLabelsTests {
    /// The `name=value` pairs of encoded `Label` messages, and the pair index
    /// where `__name__` and the extra label go.
    static func pairs(_ labels: SeriesLabels) -> (pairs: [String], nameAt: Int, extraAt: Int) {
        let bytes = Array(labels.encoded.bytes)
        var pairs: [String] = []
        var nameAt = 0
        var extraAt = 0
        var index = 0
        func varint() -> Int {
            var value = 0
            var shift = 0
            while bytes[index] & 0x80 != 0 {
                value |= Int(bytes[index] & 0x7F) << shift
                shift += 7
                index += 1
            }
            value |= Int(bytes[index]) << shift
            index += 1
            return value
        }
        func field() -> String {
            index += 1  // tag
            let length = varint()
            defer { index += length }
            return String(decoding: bytes[index..<index + length], as: UTF8.self)
        }
        while index < bytes.count {
            if index == labels.nameSplit { nameAt = pairs.count }
            if index == labels.extraSplit { extraAt = pairs.count }
            #expect(bytes[index] == 0x0A)
            index += 1
            _ = varint()
            pairs.append(field() + "=" + field())
        }
        if labels.nameSplit == bytes.count { nameAt = pairs.count }
        if labels.extraSplit == bytes.count { extraAt = pairs.count }
        return (pairs, nameAt, extraAt)
    }

    @Test("what the writer escapes comes back as it was, in one part or split in two; sorted text in one pass, other text sorted")
    func roundTrip() {
        let labels = [
            Label("a", ""), Label("b", #"x"y\z"#), Label("c", "line\nbreak"), Label("http_method", "GET"),
            Label("zone", "é ü 東京"),
        ]
        let expected = labels.map { $0.name + "=" + $0.value }
        let text = ExpositionWriter.labelText(labels)
        var read = SeriesLabels()
        for split in [0, 1, 7, text.count - 1] {
            text.withUnsafeBytes { bytes in
                let head = UnsafeRawBufferPointer(rebasing: bytes[..<split])
                let tail = UnsafeRawBufferPointer(rebasing: bytes[split...])
                let whole = split == 0 ? SplitLabelText(head: bytes) : SplitLabelText(head: head, tail: tail)
                let accepted = read.read(whole, external: [], extra: nil)
                #expect(accepted)
            }
            #expect(Self.pairs(read).pairs == expected, "split at \(split)")
        }
        let unsorted = ExpositionWriter.labelText([Label("zone", "z"), Label("app", #"a\b"#), Label("b", "x")])
        let sortedRead = unsorted.withUnsafeBytes { read.read(SplitLabelText(head: $0), external: [], extra: nil) }
        #expect(sortedRead)
        #expect(Self.pairs(read).pairs == ["app=a\\b", "b=x", "zone=z"])
    }

    @Test("external labels merge in where they sort, the series' own label wins; __name__ and the extra label are left out and placed")
    func merged() {
        let text = ExpositionWriter.labelText([Label("__name__", "x"), Label("job", "shop"), Label("le", "9"), Label("zone", "a")])
        var read = SeriesLabels()
        let external = [("A", "1"), ("cluster", "eu"), ("job", "other"), ("zz", "2")].map { (Array($0.utf8), Array($1.utf8)) }
        let accepted = text.withUnsafeBytes { read.read(SplitLabelText(head: $0), external: external, extra: Array("le".utf8)) }
        #expect(accepted)
        let (pairs, nameAt, extraAt) = Self.pairs(read)
        #expect(pairs == ["A=1", "cluster=eu", "job=shop", "zone=a", "zz=2"])
        #expect(nameAt == 1 && extraAt == 3)  // `__name__` after `A`, `le` after `job`
    }

    @Test("empty text is no labels; text that is not label text is refused")
    func malformed() {
        var read = SeriesLabels()
        let empty = [UInt8]().withUnsafeBytes { read.read(SplitLabelText(head: $0), external: [], extra: nil) }
        #expect(empty)
        #expect(Self.pairs(read).pairs.isEmpty)
        for text in [#"a="1"#, #"a=1"#, #"a="1"b="2""#, #"a="1","#, #"a="\"#, "a"] {
            let accepted = Array(text.utf8).withUnsafeBytes { read.read(SplitLabelText(head: $0), external: [], extra: nil) }
            #expect(!accepted, "\(text)")
        }
    }
}

@Suite("Remote write: labels kept with a series")
struct CachedLabelsTests {
    @Test("what is kept reads back for its owner only; labels of 64 KiB or more are not kept; the seen mark is neither read nor freed")
    func keptAndRead() throws {
        var slot: UnsafeMutableRawPointer?
        defer { free(slot) }
        let labels: [UInt8] = [0x0A, 0x04, 0x0A, 0x01, 0x61, 0x12, 0x01, 0x62]
        let stored = labels.withUnsafeBytes {
            CachedLabels.store(owner: 7, hash: 0x1_2345_6789, labels: $0, nameSplit: 0, extraSplit: 8, in: &slot)
        }
        #expect(stored)
        let cached = try #require(CachedLabels(slot, owner: 7))
        #expect(Array(cached.labels) == labels)
        #expect(cached.nameSplit == 0 && cached.extraSplit == 8)
        #expect(cached.hash == CachedLabels.shardHash(0x1_2345_6789) && cached.hash == 0x2345_6789)
        #expect(CachedLabels(slot, owner: 8) == nil)
        #expect(CachedLabels(nil, owner: 7) == nil)
        let large = [UInt8](repeating: 0x61, count: 65_536)
        let keptLarge = large.withUnsafeBytes {
            CachedLabels.store(owner: 7, hash: 1, labels: $0, nameSplit: 0, extraSplit: 0, in: &slot)
        }
        #expect(!keptLarge && slot == nil)
        // The mark of a series seen once is not a block: not read, not freed.
        slot = ExposedSeries.seenMark
        #expect(CachedLabels(slot, owner: 7) == nil)
        let keptOverMark = labels.withUnsafeBytes {
            CachedLabels.store(owner: 7, hash: 1, labels: $0, nameSplit: 0, extraSplit: 0, in: &slot)
        }
        #expect(keptOverMark && CachedLabels(slot, owner: 7) != nil)
    }
}
