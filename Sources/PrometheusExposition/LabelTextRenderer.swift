import OpenSREModel

/// What every series of one stream shares in its label text, prepared once per
/// stream for ``LabelTextRenderer``: the fixed labels (`job`, `instance`,
/// scope and const labels) already rendered and in order, the names
/// attributes must not take, and the resource attributes turned labels
/// (`resource_to_telemetry_conversion`) named and escaped.
///
/// The inputs are those of ``LabelSetBuilder/labels(fixed:attributes:reserved:utf8:)``
/// and are kept (they are the stream's own arrays, not copies) for the label
/// sets the renderer leaves to it. A class: every new series of the stream
/// passes it along, one reference rather than a handful of arrays.
package final class LabelTemplate {
    /// A range of ``bytes``.
    struct Span {
        var start: Int32
        var count: Int32
    }

    /// A fixed label: its name, and its whole text (`name="value"`).
    struct Fixed {
        var name: Span
        var text: Span
    }

    /// A resource attribute that makes a label: its key, its label name
    /// (`exported_` already added where needed) and its escaped value.
    struct Resource {
        var key: Span
        var name: Span
        var value: Span
    }

    let fixedLabels: [Label]
    let resourceAttributes: [Attribute]
    let reserved: Set<String>
    /// Attribute keys are kept as sent (a UTF-8 translation strategy's text), not escaped.
    let utf8: Bool
    /// Whether ``LabelTextRenderer`` renders this stream's label sets itself:
    /// every fixed label name and resource key is ASCII, so byte order and
    /// equality are `String`'s.
    let isRenderable: Bool
    /// Fixed labels with a value, in the order the label builder puts them.
    let fixed: [Fixed]
    /// Names an attribute must not take: the fixed labels' and the reserved ones.
    let taken: [Span]
    let resource: [Resource]
    /// Names, texts, keys and values of the spans above, back to back.
    let bytes: [UInt8]

    /// - Parameters:
    ///   - fixed: labels every series carries, named for the output.
    ///   - resource: attributes that become labels unless a point has one of the same key.
    ///   - reserved: names attributes must not take (`le`, `quantile`).
    ///   - utf8: keep attribute keys as sent instead of escaping them.
    package init(fixed: [Label], resource: [Attribute] = [], reserved: Set<String> = [], utf8: Bool = false) {
        fixedLabels = fixed
        resourceAttributes = resource
        self.reserved = reserved
        self.utf8 = utf8
        var bytes: [UInt8] = []
        func span(_ text: String) -> Span {
            let start = bytes.count
            bytes.append(contentsOf: text.utf8)
            return Span(start: Int32(start), count: Int32(bytes.count - start))
        }
        // The builder sorts fixed labels (stably) by name with the attributes; equal names keep this order.
        let kept = fixed.filter { !$0.value.isEmpty }.enumerated().sorted {
            $0.element.name != $1.element.name ? $0.element.name < $1.element.name : $0.offset < $1.offset
        }.map(\.element)
        var renderable = kept.allSatisfy { Self.isASCII($0.name) } && reserved.allSatisfy { Self.isASCII($0) }
        var fixedSpans: [Fixed] = []
        for label in kept {
            let name = span(label.name)
            let start = bytes.count
            LabelTextRenderer.appendLabel(name: label.name, value: label.value, to: &bytes)
            fixedSpans.append(Fixed(name: name, text: Span(start: Int32(start), count: Int32(bytes.count - start))))
        }
        let takenNames = Set(kept.map(\.name))
        var taken = fixedSpans.map(\.name)
        for name in reserved.sorted() where !takenNames.contains(name) { taken.append(span(name)) }
        var resourceSpans: [Resource] = []
        for attribute in resource {
            guard Self.isASCII(attribute.key) else {
                renderable = false
                break
            }
            guard var name = LabelNamer.name(for: attribute.key, utf8: utf8) else { continue }
            let value = AttributeText.labelValue(attribute.value)
            guard !value.isEmpty else { continue }
            if takenNames.contains(name) || reserved.contains(name) { name = "exported_" + name }
            let key = span(attribute.key)
            let nameSpan = span(name)
            let start = bytes.count
            QuotedText.append(value, to: &bytes)
            resourceSpans.append(
                Resource(key: key, name: nameSpan, value: Span(start: Int32(start), count: Int32(bytes.count - start))))
        }
        isRenderable = renderable && bytes.count < Int32.max
        // Kept per stream: copies of their own size, without the slack of growing.
        self.fixed = fixedSpans.withUnsafeBufferPointer { Array($0) }
        self.taken = taken.withUnsafeBufferPointer { Array($0) }
        self.resource = resourceSpans.withUnsafeBufferPointer { Array($0) }
        self.bytes = bytes.withUnsafeBufferPointer { Array($0) }
    }

    private static func isASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 < 0x80 }
    }

    /// The label text as ``LabelSetBuilder`` and ``ExpositionWriter/labelText(_:)``
    /// make it from the decoded attributes: the reference the renderer
    /// matches byte for byte, and what it falls back on.
    package func referenceLabelText(attributes encoded: UnsafeRawBufferPointer) -> [UInt8] {
        var attributes = AttributeDecoder.decode(encoded)
        if !resourceAttributes.isEmpty {
            // Point attributes win over resource attributes with the same key.
            let own = Set(attributes.map(\.key))
            attributes += resourceAttributes.filter { !own.contains($0.key) }
        }
        return ExpositionWriter.labelText(
            LabelSetBuilder.labels(fixed: fixedLabels, attributes: attributes, reserved: reserved, utf8: utf8))
    }
}

/// Renders a series' label text straight from the canonical bytes of its
/// attributes (``AttributeEncoder``) into reused memory, when a series is
/// created: the bytes ``LabelTemplate/referenceLabelText(attributes:)``
/// gives (``LabelSetBuilder``'s rules, then ``ExpositionWriter/labelText(_:)``),
/// without a `String`, a set or an array per label set.
///
/// A candidate label refers to its name, key and value where they already
/// are: in the attribute bytes (a key that is a valid label name as it is, a
/// value with nothing to escape: the usual case), in the template (resource
/// labels), or in scratch buffers (sanitized or `exported_` names, escaped
/// values). Candidates are sorted by (name, key) with an insertion sort (label
/// sets are small), labels of one name merged with `;`, the result merged with
/// the template's fixed labels, already in order, and written with plain
/// copies into the output, sized once for the longest text it can be.
///
/// Keys and names are compared as bytes, which is `String`'s order and
/// equality for ASCII: a label set with a non-ASCII key (or a template with a
/// non-ASCII name) is left to the reference path; the common ones are not.
/// Values may hold any bytes: a non-ASCII one goes through `String` (which
/// repairs invalid UTF-8 as the reference does).
///
/// One per store (not thread-safe); after the first few series it allocates
/// nothing but for non-string values (rendered as JSON through `String`s).
package struct LabelTextRenderer {
    /// Where a name, key or value lies: which buffer, and the range in it.
    private struct Piece {
        enum Source: UInt8 {
            /// The attribute bytes being rendered.
            case input
            /// The template's bytes.
            case template
            /// `names`.
            case names
            /// `values`.
            case values
        }

        var start: Int
        var count: Int
        var source: Source
    }

    private struct Candidate {
        var name: Piece
        var key: Piece
        var value: Piece
    }

    /// A candidate with its pieces found in their buffers, to be sorted and
    /// written; `order` is its place among the candidates (point attributes,
    /// then resource ones), which breaks ties.
    private struct Located {
        var name: UnsafeRawBufferPointer
        var key: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer
        var order: Int
    }

    /// The buffers pieces point into, once the candidates are collected.
    private struct Buffers {
        let input: UnsafeRawBufferPointer
        let template: UnsafeRawBufferPointer
        let names: UnsafeRawBufferPointer
        let values: UnsafeRawBufferPointer

        @inline(__always)
        subscript(_ piece: Piece) -> UnsafeRawBufferPointer {
            let buffer =
                switch piece.source {
                case .input: input
                case .template: template
                case .names: names
                case .values: values
                }
            return UnsafeRawBufferPointer(start: buffer.baseAddress.map { $0 + piece.start }, count: piece.count)
        }
    }

    /// The label text of the last ``render(_:attributes:)``.
    package private(set) var text: [UInt8] = []
    /// Sanitized and `exported_` names.
    private var names: [UInt8] = []
    /// Escaped values (only those that need escaping or are not strings).
    private var values: [UInt8] = []
    /// Every point attribute's key (labels or not: any of them hides a resource attribute).
    private var pointKeys: [Piece] = []
    private var candidates: [Candidate] = []
    /// `candidates` located; its pointers are valid only during a render.
    private var located: [Located] = []

    package init() {}

    /// Renders the label text of `attributes` (a canonical encoding) under
    /// `template` into ``text``. Returns whether it was rendered here (false:
    /// by the reference path).
    @discardableResult
    package mutating func render(_ template: LabelTemplate, attributes: UnsafeRawBufferPointer) -> Bool {
        // Moved out and back (no copy), to be written while the other buffers are read.
        var out: [UInt8] = []
        swap(&out, &text)
        defer { swap(&out, &text) }
        out.removeAll(keepingCapacity: true)
        if template.isRenderable, renderDirectly(template, attributes: attributes, into: &out) { return true }
        out = template.referenceLabelText(attributes: attributes)
        return false
    }

    private mutating func renderDirectly(
        _ template: LabelTemplate, attributes: UnsafeRawBufferPointer, into text: inout [UInt8]
    ) -> Bool {
        names.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        pointKeys.removeAll(keepingCapacity: true)
        candidates.removeAll(keepingCapacity: true)
        return template.bytes.withUnsafeBytes { shared in
            guard collectPoint(attributes, template: template, shared: shared) else { return false }
            var candidates: [Candidate] = []
            var located: [Located] = []
            swap(&candidates, &self.candidates)
            swap(&located, &self.located)
            defer {
                swap(&candidates, &self.candidates)
                swap(&located, &self.located)
            }
            located.removeAll(keepingCapacity: true)
            names.withUnsafeBytes { names in
                values.withUnsafeBytes { values in
                    let buffers = Buffers(input: attributes, template: shared, names: names, values: values)
                    if !template.resource.isEmpty {
                        Self.collectResource(template, buffers: buffers, pointKeys: pointKeys, into: &candidates)
                    }
                    for (order, candidate) in candidates.enumerated() {
                        located.append(
                            Located(
                                name: buffers[candidate.name], key: buffers[candidate.key],
                                value: buffers[candidate.value], order: order))
                    }
                    Self.sort(&located)
                    Self.write(located, template: template, shared: shared, into: &text)
                }
            }
            return true
        }
    }

    // MARK: Candidates

    /// One candidate label per point attribute that makes one; false for a non-ASCII key.
    private mutating func collectPoint(
        _ attributes: UnsafeRawBufferPointer, template: LabelTemplate, shared: UnsafeRawBufferPointer
    ) -> Bool {
        guard let base = attributes.baseAddress else { return true }
        let keepKeys = !template.resource.isEmpty
        var decoder = AttributeDecoder(attributes)
        while let (key, value) = decoder.nextRawEntry() {
            for byte in key where byte >= 0x80 { return false }
            let keyPiece = Piece(start: key.baseAddress.map { $0 - base } ?? 0, count: key.count, source: .input)
            if keepKeys { pointKeys.append(keyPiece) }
            guard let valuePiece = valuePiece(value, base: base) else { continue }
            guard var name = namePiece(key, piece: keyPiece, utf8: template.utf8) else { continue }
            if isTaken(name, input: attributes, template: template, shared: shared) {
                name = exported(name, input: attributes)
            }
            candidates.append(Candidate(name: name, key: keyPiece, value: valuePiece))
        }
        return true
    }

    /// The template's resource labels whose key no point attribute has.
    private static func collectResource(
        _ template: LabelTemplate, buffers: Buffers, pointKeys: [Piece], into candidates: inout [Candidate]
    ) {
        for resource in template.resource {
            let key = Piece(start: Int(resource.key.start), count: Int(resource.key.count), source: .template)
            let keyBytes = buffers[key]
            if pointKeys.contains(where: { $0.count == key.count && equal(buffers[$0], keyBytes) }) { continue }
            candidates.append(
                Candidate(
                    name: Piece(start: Int(resource.name.start), count: Int(resource.name.count), source: .template),
                    key: key,
                    value: Piece(start: Int(resource.value.start), count: Int(resource.value.count), source: .template)))
        }
    }

    private static let exportedPrefix = Array("exported_".utf8)

    /// Whether `name` is a fixed label's or reserved (`names` holds it or it is in the input).
    private func isTaken(
        _ name: Piece, input: UnsafeRawBufferPointer, template: LabelTemplate, shared: UnsafeRawBufferPointer
    ) -> Bool {
        func check(_ bytes: UnsafeRawBufferPointer) -> Bool {
            template.taken.contains { Int($0.count) == bytes.count && Self.equal(Self.slice(shared, $0), bytes) }
        }
        if name.source == .input {
            return check(UnsafeRawBufferPointer(rebasing: input[name.start..<name.start + name.count]))
        }
        return names.withUnsafeBytes { check(UnsafeRawBufferPointer(rebasing: $0[name.start..<name.start + name.count])) }
    }

    /// `exported_` and `name`, in `names`.
    private mutating func exported(_ name: Piece, input: UnsafeRawBufferPointer) -> Piece {
        let start = names.count
        names.append(contentsOf: Self.exportedPrefix)
        if name.source == .input {
            Self.append(UnsafeRawBufferPointer(rebasing: input[name.start..<name.start + name.count]), to: &names)
        } else {
            // Byte by byte: appending a slice of the array itself would copy the whole array first.
            for index in name.start..<name.start + name.count { names.append(names[index]) }
        }
        return Piece(start: start, count: names.count - start, source: .names)
    }

    /// Sorts by (name, key), as the builder orders candidates; equal ones (a
    /// key sent twice) keep their order. Insertion sort for the usual few.
    private static func sort(_ candidates: inout [Located]) {
        guard candidates.count > 1 else { return }
        func precedes(_ left: Located, _ right: Located) -> Bool {
            let byName = compare(left.name, right.name)
            if byName != 0 { return byName < 0 }
            let byKey = compare(left.key, right.key)
            return byKey != 0 ? byKey < 0 : left.order < right.order
        }
        guard candidates.count <= 32 else {
            candidates.sort(by: precedes)
            return
        }
        for index in 1..<candidates.count {
            let moving = candidates[index]
            var hole = index
            while hole > 0, precedes(moving, candidates[hole - 1]) {
                candidates[hole] = candidates[hole - 1]
                hole -= 1
            }
            candidates[hole] = moving
        }
    }

    // MARK: Output

    /// Fixed labels and candidates in name order (a fixed label first on a tie,
    /// as the builder's stable sort leaves it), candidates of one name merged.
    private static func write(
        _ candidates: [Located], template: LabelTemplate, shared: UnsafeRawBufferPointer, into text: inout [UInt8]
    ) {
        // The longest it can be: every name quoted with every byte escaped.
        var bound = 0
        for fixed in template.fixed { bound += Int(fixed.text.count) + 1 }
        for candidate in candidates { bound += 3 * candidate.name.count + candidate.value.count + 6 }
        text.append(contentsOf: repeatElement(0, count: bound))
        let written = text.withUnsafeMutableBytes { out in
            var at = 0
            @inline(__always)
            func put(_ bytes: UnsafeRawBufferPointer) {
                if let base = bytes.baseAddress, !bytes.isEmpty {
                    (out.baseAddress! + at).copyMemory(from: base, byteCount: bytes.count)
                    at += bytes.count
                }
            }
            @inline(__always)
            func put(_ byte: UInt8) {
                out[at] = byte
                at += 1
            }
            var fixedIndex = 0
            var candidateIndex = 0
            while fixedIndex < template.fixed.count || candidateIndex < candidates.count {
                if at > 0 { put(UInt8(ascii: ",")) }
                if candidateIndex < candidates.count {
                    let name = candidates[candidateIndex].name
                    if fixedIndex == template.fixed.count
                        || compare(name, slice(shared, template.fixed[fixedIndex].name)) < 0
                    {
                        if isLegacyLabelName(name) {
                            put(name)
                        } else {
                            put(UInt8(ascii: "\""))
                            for byte in name {
                                if let escape = escaped(byte) {
                                    put(UInt8(ascii: "\\"))
                                    put(escape)
                                } else {
                                    put(byte)
                                }
                            }
                            put(UInt8(ascii: "\""))
                        }
                        put(UInt8(ascii: "="))
                        put(UInt8(ascii: "\""))
                        put(candidates[candidateIndex].value)
                        candidateIndex += 1
                        while candidateIndex < candidates.count, equal(candidates[candidateIndex].name, name) {
                            put(UInt8(ascii: ";"))
                            put(candidates[candidateIndex].value)
                            candidateIndex += 1
                        }
                        put(UInt8(ascii: "\""))
                        continue
                    }
                }
                put(slice(shared, template.fixed[fixedIndex].text))
                fixedIndex += 1
            }
            return at
        }
        text.removeLast(bound - written)
    }

    private static let equalsQuote = Array("=\"".utf8)

    /// `name="value"` with the value escaped; a name outside the legacy set quoted.
    static func appendLabel(name: String, value: String, to out: inout [UInt8]) {
        var name = name
        name.withUTF8 { name in
            let name = UnsafeRawBufferPointer(name)
            if isLegacyLabelName(name) {
                append(name, to: &out)
            } else {
                out.append(UInt8(ascii: "\""))
                appendEscaped(name, to: &out)
                out.append(UInt8(ascii: "\""))
            }
        }
        out.append(contentsOf: equalsQuote)
        QuotedText.append(value, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*` (``PrometheusNames/isLegacyLabelName(_:)``, on bytes).
    private static func isLegacyLabelName(_ name: UnsafeRawBufferPointer) -> Bool {
        guard let first = name.first, isLetterOrUnderscore(first) else { return false }
        for byte in name.dropFirst() where !isLetterOrUnderscore(byte) && !isDigit(byte) { return false }
        return true
    }

    // MARK: Names and values

    /// The label name of an ASCII `key`: as sent (`utf8`), or escaped by
    /// ``LabelNameRule/escapedName(_:)``'s rule — the key itself when that
    /// leaves it as it is, else written into `names`. Nil when the key makes no label.
    private mutating func namePiece(_ key: UnsafeRawBufferPointer, piece: Piece, utf8: Bool) -> Piece? {
        guard let first = key.first else { return nil }
        if utf8 { return piece }
        var clean = true
        var underscoresOnly = true
        for byte in key {
            if !Self.isLetterOrUnderscore(byte) && !Self.isDigit(byte) {
                clean = false
            } else if byte != UInt8(ascii: "_") {
                underscoresOnly = false
            }
        }
        let prefix: StaticString
        if Self.isDigit(first) {
            prefix = "key_"
        } else if Self.sanitized(first) == UInt8(ascii: "_"), key.count < 2 || Self.sanitized(key[1]) != UInt8(ascii: "_") {
            prefix = "key"
        } else {
            // Unprefixed: no label when it escapes to underscores only and was not that already.
            if underscoresOnly && !clean { return nil }
            if clean { return piece }
            prefix = ""
        }
        let start = names.count
        prefix.withUTF8Buffer { names.append(contentsOf: $0) }
        for byte in key { names.append(Self.sanitized(byte)) }
        return Piece(start: start, count: names.count - start, source: .names)
    }

    /// A valid label name byte as it is, any other `_`.
    private static func sanitized(_ byte: UInt8) -> UInt8 {
        isLetterOrUnderscore(byte) || isDigit(byte) ? byte : UInt8(ascii: "_")
    }

    /// An encoded value's label text, escaped: in the input when a string
    /// needs no escaping, else written into `values`. Nil for an empty one.
    private mutating func valuePiece(_ encoded: UnsafeRawBufferPointer, base: UnsafeRawPointer) -> Piece? {
        if encoded.first == AttributeTag.string.rawValue, encoded.count >= 5 {
            let payload = UnsafeRawBufferPointer(rebasing: encoded[5...])
            guard !payload.isEmpty else { return nil }
            var plain = true
            var ascii = true
            for byte in payload {
                if byte >= 0x80 {
                    ascii = false
                    break
                }
                if Self.escaped(byte) != nil { plain = false }
            }
            if ascii && plain { return Piece(start: payload.baseAddress! - base, count: payload.count, source: .input) }
            let start = values.count
            if ascii {
                Self.appendEscaped(payload, to: &values)
            } else {
                // Through String, which repairs invalid UTF-8 as the reference's decoding does.
                QuotedText.append(String(decoding: payload, as: UTF8.self), to: &values)
            }
            return Piece(start: start, count: values.count - start, source: .values)
        }
        guard encoded.first != AttributeTag.empty.rawValue, let value = AttributeDecoder.value(encoded) else { return nil }
        let start = values.count
        QuotedText.append(AttributeText.labelValue(value), to: &values)
        return values.count > start ? Piece(start: start, count: values.count - start, source: .values) : nil
    }

    /// What follows the backslash when `byte` is escaped in label text (``QuotedText``), or nil.
    @inline(__always)
    private static func escaped(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "\\"): UInt8(ascii: "\\")
        case UInt8(ascii: "\""): UInt8(ascii: "\"")
        case UInt8(ascii: "\n"): UInt8(ascii: "n")
        default: nil
        }
    }

    /// ``QuotedText/append(_:to:)`` on bytes.
    private static func appendEscaped(_ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for byte in raw {
            if let escape = escaped(byte) {
                out.append(UInt8(ascii: "\\"))
                out.append(escape)
            } else {
                out.append(byte)
            }
        }
    }

    // MARK: Bytes

    private static func isLetterOrUnderscore(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): true
        default: false
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func slice(_ bytes: UnsafeRawBufferPointer, _ span: LabelTemplate.Span) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(span.start)..<Int(span.start) + Int(span.count)])
    }

    /// Appends with one copy (see ``AttributeEncoder/appendRaw(_:to:)``).
    @inline(__always)
    private static func append(_ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        AttributeEncoder.appendRaw(raw, to: &out)
    }

    /// Whether two texts are equal.
    @inline(__always)
    private static func equal(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        left.count == right.count && compare(left, right) == 0
    }

    /// Bytewise order (negative, zero, positive), a word at a time: names
    /// and keys are short, where a call to `memcmp` costs more than the comparison.
    @inline(__always)
    private static func compare(_ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Int {
        let common = min(left.count, right.count)
        var index = 0
        while index + 8 <= common {
            let leftWord = left.loadUnaligned(fromByteOffset: index, as: UInt64.self).bigEndian
            let rightWord = right.loadUnaligned(fromByteOffset: index, as: UInt64.self).bigEndian
            if leftWord != rightWord { return leftWord < rightWord ? -1 : 1 }
            index += 8
        }
        while index < common {
            if left[index] != right[index] { return Int(left[index]) - Int(right[index]) }
            index += 1
        }
        return left.count - right.count
    }
}
