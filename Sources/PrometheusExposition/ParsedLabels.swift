/// Label text read back into names and values, unescaped: what a consumer
/// that sends labels as pairs (remote write) needs from the text a series
/// keeps (``ExpositionWriter/labelText(_:)``'s form). Reused from series to
/// series: after the first few, reading allocates nothing.
package struct ParsedLabels {
    /// A label: ranges of ``bytes``.
    package struct Entry {
        package var name: Range<Int>
        package var value: Range<Int>
    }

    /// Unescaped names and values, one after another.
    package private(set) var bytes: [UInt8] = []
    package private(set) var entries: [Entry] = []
    private var joined: [UInt8] = []

    package init() {}

    package var count: Int { entries.count }

    /// Reads `text` (replacing what was read before); false when it is not
    /// label text (then the entries are left empty).
    @discardableResult
    package mutating func read(_ text: SplitLabelText) -> Bool {
        if text.tail.isEmpty { return read(text.head) }
        joined.removeAll(keepingCapacity: true)
        joined.append(contentsOf: text.head)
        joined.append(contentsOf: text.tail)
        let text = joined  // shares the buffer: reading never writes to `joined`
        return text.withUnsafeBytes { read($0) }
    }

    /// ``read(_:)-(SplitLabelText)`` for text in one part.
    @discardableResult
    package mutating func read(_ text: UnsafeRawBufferPointer) -> Bool {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        var index = 0
        while index < text.count {
            if !entries.isEmpty {
                guard text[index] == UInt8(ascii: ","), index + 1 < text.count else { return fail() }
                index += 1
            }
            let nameStart = bytes.count
            if text[index] == UInt8(ascii: "\"") {
                guard let next = unescape(text, from: index + 1) else { return fail() }
                index = next
            } else {
                while index < text.count, text[index] != UInt8(ascii: "=") {
                    bytes.append(text[index])
                    index += 1
                }
            }
            let name = nameStart..<bytes.count
            guard index + 1 < text.count, text[index] == UInt8(ascii: "="), text[index + 1] == UInt8(ascii: "\"")
            else { return fail() }
            let valueStart = bytes.count
            guard let next = unescape(text, from: index + 2) else { return fail() }
            index = next
            entries.append(Entry(name: name, value: valueStart..<bytes.count))
        }
        return true
    }

    /// Appends the quoted text starting at `start` (after its opening quote)
    /// unescaped; returns the index after its closing quote.
    private mutating func unescape(_ text: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < text.count {
            let byte = text[index]
            switch byte {
            case UInt8(ascii: "\""):
                return index + 1
            case UInt8(ascii: "\\"):
                guard index + 1 < text.count else { return nil }
                let escaped = text[index + 1]
                bytes.append(escaped == UInt8(ascii: "n") ? UInt8(ascii: "\n") : escaped)
                index += 2
            default:
                bytes.append(byte)
                index += 1
            }
        }
        return nil
    }

    private mutating func fail() -> Bool {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        return false
    }

    /// The name of entry `index`, as text.
    package func name(_ index: Int) -> String { String(decoding: bytes[entries[index].name], as: UTF8.self) }
    /// The value of entry `index`, as text.
    package func value(_ index: Int) -> String { String(decoding: bytes[entries[index].value], as: UTF8.self) }
}
