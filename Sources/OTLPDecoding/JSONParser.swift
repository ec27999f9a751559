/// A small recursive-descent JSON parser over UTF-8 bytes. Depth is capped so
/// hostile input cannot exhaust the stack, and the memory the parsed tree
/// takes is capped so that a dense body (`[0,0,0,…]` takes about 30 times its
/// size as a tree) cannot exhaust the heap: the JSON counterpart of the
/// protobuf decoder's arena limit.
struct JSONParser {
    struct Failure: Error {
        var message: String
        /// The document nests deeper than ``JSONParser/maximumDepth``.
        var tooDeep = false
        /// The tree would take more than the memory limit.
        var tooLarge = false
    }

    /// What one value costs in the tree besides its text: the enum, its slot
    /// in the parent's array (arrays grow by doubling) and a small heap
    /// header. An estimate; strings and keys are charged their bytes on top.
    static let bytesPerValue = 64

    /// Deepest nesting accepted, derived from the one limit on attribute
    /// values (``OTLPLimits/maximumValueNesting``), so that a request whose
    /// values reach that limit parses and the walker reports a deeper one.
    /// The deepest attribute value of OTLP/JSON, an exemplar's filtered
    /// attribute, opens at depth 14 (the request 0, `resourceMetrics` 1, one
    /// of them 2, `scopeMetrics` 3, one 4, `metrics` 5, a metric 6, `sum` 7,
    /// `dataPoints` 8, a point 9, `exemplars` 10, an exemplar 11,
    /// `filteredAttributes` 12, a key-value 13, its `value` 14); each map
    /// inside a value adds 4 levels (`kvlistValue`, `values`, a key-value,
    /// `value`; a list 3), and the innermost value's member 1. Anything deeper
    /// is refused with the nesting limit's reason.
    static let maximumDepth = 14 + 4 * OTLPLimits.maximumValueNesting + 2

    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    /// Bytes the tree may still take.
    private var budget: Int

    /// - Parameter memoryLimit: most bytes the parsed tree may take.
    static func parse(_ bytes: UnsafeRawBufferPointer, memoryLimit: Int = .max) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes, memoryLimit: memoryLimit)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.offset == bytes.count else { throw parser.failure("unexpected data after the JSON value") }
        return value
    }

    private init(bytes: UnsafeRawBufferPointer, memoryLimit: Int) {
        self.bytes = bytes
        budget = memoryLimit
    }

    private mutating func charge(_ cost: Int) throws(Failure) {
        budget -= cost
        guard budget >= 0 else { throw Failure(message: "the JSON tree exceeds its memory limit", tooLarge: true) }
    }

    private func failure(_ message: String) -> Failure {
        Failure(message: "\(message) at byte \(offset)")
    }

    private var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { offset += 1 }
    }

    private mutating func expect(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard offset + count <= bytes.count else { throw failure("unexpected end of input") }
        for index in 0..<count where bytes[offset + index] != literal.utf8Start[index] {
            throw failure("invalid literal")
        }
        offset += count
    }

    private mutating func value(depth: Int) throws(Failure) -> JSONValue {
        guard depth < Self.maximumDepth else {
            throw Failure(message: "JSON nested deeper than \(Self.maximumDepth) levels", tooDeep: true)
        }
        try charge(Self.bytesPerValue)
        guard let byte = current else { throw failure("unexpected end of input") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try expect("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try number())
        default:
            throw failure("unexpected character")
        }
    }

    private mutating func object(depth: Int) throws(Failure) -> JSONValue {
        offset += 1
        var members: [(key: String, value: JSONValue)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let key = try string()
            try charge(Self.bytesPerValue)
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw failure("expected ':'") }
            offset += 1
            skipWhitespace()
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return .object(members)
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(Failure) -> JSONValue {
        offset += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return .array(elements)
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    private mutating func number() throws(Failure) -> Substring {
        let start = offset
        if current == UInt8(ascii: "-") { offset += 1 }
        var digits = 0
        while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
        {
            offset += 1
            digits += 1
        }
        guard digits > 0 else { throw failure("invalid number") }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard Double(text) != nil else { throw failure("invalid number") }
        return Substring(text)
    }

    private mutating func string() throws(Failure) -> String {
        offset += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw failure("unterminated string") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: utf8, as: UTF8.self) else { throw failure("invalid UTF-8 in string") }
                try charge(utf8.count)
                return text
            case UInt8(ascii: "\\"):
                guard let escaped = current else { throw failure("unterminated escape") }
                offset += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"): utf8.append(contentsOf: try unicodeEscape())
                default: throw failure("invalid escape")
                }
            case 0x00..<0x20:
                throw failure("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    /// `\uXXXX`, joining surrogate pairs.
    private mutating func unicodeEscape() throws(Failure) -> [UInt8] {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard current == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u")
            else { throw failure("unpaired surrogate") }
            offset += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
        return Array(String(Character(unicode)).utf8)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw failure("unterminated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            offset += 1
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | digit
        }
        return value
    }
}
