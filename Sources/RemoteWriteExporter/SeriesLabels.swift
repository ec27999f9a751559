import Foundation
import PrometheusExposition

/// One series' labels as remote write sends them: read back from the label
/// text the store keeps (unescaped), external labels added where the series
/// lacks them, sorted by name (bytewise), and encoded as `Label` messages
/// once per series. The lines of a histogram or summary then differ only in
/// `__name__` and `le`/`quantile`, which go in at ``nameSplit`` and
/// ``extraSplit`` (where their names sort).
struct SeriesLabels {
    /// The label text, joined when the series keeps it in two parts.
    private let joined = WireBuffer(capacity: 1024)
    /// Unescaped names and values.
    private let values = WireBuffer(capacity: 1024)
    private var labels: [(name: Range<Int>, value: Range<Int>)] = []
    /// The `Label` messages, in name order, without `__name__` and the extra label.
    let encoded = WireBuffer(capacity: 1024)
    /// Offsets in ``encoded`` where `__name__` and the extra label go.
    private(set) var nameSplit = 0
    private(set) var extraSplit = 0

    private static let nameLabel = Array("__name__".utf8)

    /// Reads `text`; false when it is not label text. `extra` is the name of
    /// the label the lines add (`le`, `quantile`), kept out of ``encoded``.
    /// `external` must be sorted by name.
    mutating func read(
        _ text: SplitLabelText, external: [(name: [UInt8], value: [UInt8])], extra: [UInt8]?
    ) -> Bool {
        var whole = text.head
        if !text.tail.isEmpty {
            joined.reset()
            joined.append(text.head)
            joined.append(text.tail)
            whole = joined.bytes
        }
        // The store's label text is sorted by name: encoded in one pass.
        if encodeSorted(whole, external: external, extra: extra) { return true }
        values.reset()
        labels.removeAll(keepingCapacity: true)
        guard parse(whole) else { return false }
        for label in external where !has(label.name) {
            let name = append(label.name)
            labels.append((name, append(label.value)))
        }
        sortByName()
        encode(extra: extra)
        return true
    }

    // MARK: The one-pass path

    /// Encodes sorted label text straight into ``encoded``, external labels
    /// merged in where the series lacks them; false (nothing to rely on)
    /// when the text is not sorted by bare names or not label text.
    private mutating func encodeSorted(
        _ text: UnsafeRawBufferPointer, external: [(name: [UInt8], value: [UInt8])], extra: [UInt8]?
    ) -> Bool {
        encoded.reset()
        pendingNameSplit = true
        pendingExtraSplit = extra != nil
        var nextExternal = 0
        var previous: UnsafeRawBufferPointer?
        var index = 0
        while index < text.count {
            if previous != nil {
                guard text[index] == UInt8(ascii: ","), index + 1 < text.count else { return false }
                index += 1
            }
            let nameStart = index
            while index < text.count, text[index] != UInt8(ascii: "=") { index += 1 }
            guard index + 1 < text.count, index > nameStart, text[nameStart] != UInt8(ascii: "\""),
                text[index + 1] == UInt8(ascii: "\"")
            else { return false }
            let name = UnsafeRawBufferPointer(rebasing: text[nameStart..<index])
            if let previous, !Self.precedes(previous, name) { return false }
            previous = name
            index += 2
            let valueStart = index
            var escaped = false
            while index < text.count, text[index] != UInt8(ascii: "\"") {
                if text[index] == UInt8(ascii: "\\") {
                    escaped = true
                    index += 1
                }
                index += 1
            }
            guard index < text.count else { return false }
            var value = UnsafeRawBufferPointer(rebasing: text[valueStart..<index])
            index += 1
            if escaped {
                values.reset()
                guard unquote(text, from: valueStart) != nil else { return false }
                value = values.bytes
            }
            while nextExternal < external.count {
                let order = external[nextExternal].name.withUnsafeBytes { Self.compare($0, name) }
                guard order <= 0 else { break }
                if order < 0 { writeExternal(external[nextExternal], extra: extra) }
                nextExternal += 1  // equal: the series' own label wins
            }
            if name.count == 8, Self.compare(Self.nameLabelBytes, name) == 0 { continue }
            if let extra, extra.count == name.count, extra.withUnsafeBytes({ Self.compare($0, name) }) == 0 { continue }
            write(name, value, extra: extra)
        }
        while nextExternal < external.count {
            writeExternal(external[nextExternal], extra: extra)
            nextExternal += 1
        }
        if pendingNameSplit { nameSplit = encoded.count }
        if pendingExtraSplit { extraSplit = encoded.count }
        if extra == nil || extraSplit < nameSplit { extraSplit = max(extraSplit, nameSplit) }
        return true
    }

    private var pendingNameSplit = true
    private var pendingExtraSplit = true
    /// `__name__`, in the binary's constant data.
    nonisolated(unsafe) private static let nameLabelBytes: UnsafeRawBufferPointer = {
        let text: StaticString = "__name__"
        return UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }()

    /// A `Label` message, after noting whether `__name__` or the extra label goes before it.
    private mutating func write(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, extra: [UInt8]?) {
        if pendingNameSplit {
            // Names are [a-zA-Z_]...: one starting with a lowercase letter sorts after `__name__`.
            let first = name[0]
            if first > UInt8(ascii: "_") || (first == UInt8(ascii: "_") && Self.compare(Self.nameLabelBytes, name) < 0) {
                nameSplit = encoded.count
                pendingNameSplit = false
            }
        }
        if pendingExtraSplit, let extra, extra.withUnsafeBytes({ Self.compare($0, name) }) < 0 {
            extraSplit = encoded.count
            pendingExtraSplit = false
        }
        encoded.append(0x0A)
        encoded.appendVarint(UInt64(WireBuffer.fieldSize(name.count) + WireBuffer.fieldSize(value.count)))
        encoded.appendField(0x0A, name)
        encoded.appendField(0x12, value)
    }

    private mutating func writeExternal(_ label: (name: [UInt8], value: [UInt8]), extra: [UInt8]?) {
        label.name.withUnsafeBytes { name in label.value.withUnsafeBytes { write(name, $0, extra: extra) } }
    }

    /// Bytewise comparison: negative, zero or positive. Most names differ
    /// in their first byte, which is compared before calling `memcmp`.
    @inline(__always)
    private static func compare(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
        guard !left.isEmpty, !right.isEmpty else { return left.count - right.count }
        let first = Int(left[0]) - Int(right[0])
        if first != 0 { return first }
        let common = min(left.count, right.count)
        let order = Int(memcmp(left.baseAddress!, right.baseAddress!, common))
        return order != 0 ? order : left.count - right.count
    }

    private static func precedes(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        compare(left, right) < 0
    }

    // MARK: Reading the text

    /// `name="value",...`: names bare or quoted, values quoted with `\\`,
    /// `\"` and `\n` escaped.
    private mutating func parse(_ text: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < text.count {
            if !labels.isEmpty {
                guard text[index] == UInt8(ascii: ","), index + 1 < text.count else { return false }
                index += 1
            }
            let nameStart = values.count
            if text[index] == UInt8(ascii: "\"") {
                guard let next = unquote(text, from: index + 1) else { return false }
                index = next
            } else {
                let start = index
                while index < text.count, text[index] != UInt8(ascii: "=") { index += 1 }
                values.append(UnsafeRawBufferPointer(rebasing: text[start..<index]))
            }
            let name = nameStart..<values.count
            guard index + 1 < text.count, text[index] == UInt8(ascii: "="), text[index + 1] == UInt8(ascii: "\"")
            else { return false }
            let valueStart = values.count
            guard let next = unquote(text, from: index + 2) else { return false }
            index = next
            if !equals(name, Self.nameLabel) { labels.append((name, valueStart..<values.count)) }
        }
        return true
    }

    /// Appends the quoted text from `start` (after its opening quote)
    /// unescaped, in runs; returns the index after the closing quote.
    private func unquote(_ text: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        var run = start
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") {
                values.append(UnsafeRawBufferPointer(rebasing: text[run..<index]))
                return index + 1
            }
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < text.count else { return nil }
                values.append(UnsafeRawBufferPointer(rebasing: text[run..<index]))
                let escaped = text[index + 1]
                values.append(escaped == UInt8(ascii: "n") ? UInt8(ascii: "\n") : escaped)
                index += 2
                run = index
                continue
            }
            index += 1
        }
        return nil
    }

    // MARK: Order and encoding

    private func append(_ bytes: [UInt8]) -> Range<Int> {
        let start = values.count
        bytes.withUnsafeBytes { values.append($0) }
        return start..<values.count
    }

    private func name(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: values.base + range.lowerBound, count: range.count)
    }

    private func equals(_ range: Range<Int>, _ other: [UInt8]) -> Bool {
        range.count == other.count && other.withUnsafeBytes { memcmp($0.baseAddress!, values.base + range.lowerBound, range.count) == 0 }
    }

    private func has(_ other: [UInt8]) -> Bool {
        labels.contains { equals($0.name, other) }
    }

    /// Insertion sort: a handful of labels, usually already in order.
    private mutating func sortByName() {
        guard labels.count > 1 else { return }
        for index in 1..<labels.count {
            var position = index
            let moving = labels[index]
            while position > 0, Self.precedes(name(moving.name), name(labels[position - 1].name)) {
                labels[position] = labels[position - 1]
                position -= 1
            }
            labels[position] = moving
        }
    }

    private mutating func encode(extra: [UInt8]?) {
        encoded.reset()
        var nameSplit: Int?
        var extraSplit: Int?
        for label in labels {
            let labelName = name(label.name)
            if nameSplit == nil, Self.precedes(Self.nameLabelBytes, labelName) { nameSplit = encoded.count }
            if let extra {
                if equals(label.name, extra) { continue }  // the line's own le/quantile wins
                if extraSplit == nil, extra.withUnsafeBytes({ Self.precedes($0, labelName) }) { extraSplit = encoded.count }
            }
            let value = UnsafeRawBufferPointer(start: values.base + label.value.lowerBound, count: label.value.count)
            encoded.append(0x0A)
            encoded.appendVarint(UInt64(WireBuffer.fieldSize(labelName.count) + WireBuffer.fieldSize(value.count)))
            encoded.appendField(0x0A, labelName)
            encoded.appendField(0x12, value)
        }
        self.nameSplit = nameSplit ?? encoded.count
        self.extraSplit = max(extraSplit ?? encoded.count, self.nameSplit)
    }
}
