import OpenSREModel
import PrometheusExposition
import Testing

/// The renderer against the reference path (decode the attributes, build the
/// label set, write its text) over generated label sets: byte for byte.
@Suite("Label text rendered from attribute bytes")
struct LabelTextRendererTests {
    /// A small deterministic generator (SplitMix64), so a failure reproduces.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }

        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// Keys that sanitize alike, reserved and fixed names, prefixes, quoting, non-ASCII, empty.
    static let keys = [
        "a", "b", "zz", "a.b", "a_b", "a-b", "A", "Key", "_a", "__a", "__", "_", ".", "..", "1x", "9", "key_1",
        "le", "quantile", "job", "instance", "exported_job", "exported_le", "otel_scope_name", "env", "k\"q",
        "http.method", "http_method", "service.name", "x\ny", "é", "a€b", "",
    ]
    static let strings = [
        "", "x", "GET", "/r/1", "200", "with \"quote\"", "back\\slash", "new\nline", "ünï", "a;b", "é€", "  ",
    ]
    /// Raw string payloads, some not valid UTF-8 (the reference repairs them).
    static let rawStrings: [[UInt8]] = [[0xFF], [0x61, 0xC3], [0xE2, 0x82, 0x61], [0xC3, 0xA9], [0xED, 0xA0, 0x80], [0xF0, 0x9F, 0x98, 0x80]]
    static let fixedNames = [
        "job", "instance", "otel_scope_name", "otel_scope_version", "exported_job", "env", "a_b", "le", "zone", "a.b",
        "ü", "Z",
    ]

    static func value(_ random: inout Generator) -> AttributeValue {
        switch random.below(10) {
        case 0: return .empty
        case 1: return .bool(random.chance(50))
        case 2: return .int(Int64(random.below(2000)) - 1000)
        case 3: return .double(random.pick([0.1, 1e21, -0, .nan, -.infinity, 3]))
        case 4: return .bytes(Array("hi\u{0}".utf8.prefix(random.below(4))))
        case 5: return .array([.string(random.pick(strings)), .int(1), .bool(false), .empty])
        case 6: return .map([Attribute("k", .string(random.pick(strings))), Attribute("n", .double(1.5))])
        default: return .string(random.pick(strings))
        }
    }

    /// An encoded attribute set: unique keys in byte order, as the decoder writes them.
    static func encodedAttributes(_ random: inout Generator) -> [UInt8] {
        var entries: [[UInt8]: (raw: [UInt8]?, value: AttributeValue)] = [:]
        for _ in 0..<random.below(9) {
            let key = Array(random.pick(keys).utf8)
            entries[key] = random.chance(8) ? (random.pick(rawStrings), .empty) : (nil, value(&random))
        }
        if random.chance(5) { entries[[0xFF, 0x61]] = (nil, .string("bad key")) }
        let encoder = AttributeEncoder()
        for key in entries.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let entry = entries[key]!
            key.withUnsafeBytes { encoder.appendKey($0.baseAddress, count: $0.count) }
            if let raw = entry.raw {
                // Raw bytes as a string value (invalid UTF-8 among them).
                raw.withUnsafeBytes { encoder.appendString($0.baseAddress, count: $0.count) }
            } else {
                encoder.append(entry.value)
            }
        }
        return Array(encoder.bytes)
    }

    static func template(_ random: inout Generator) -> LabelTemplate {
        var fixed: [Label] = []
        for _ in 0..<random.below(7) {
            fixed.append(Label(random.pick(fixedNames), random.chance(15) ? "" : random.pick(strings)))
        }
        fixed.sort { $0.name < $1.name }
        var resource: [Attribute] = []
        if random.chance(40) {
            var seen: Set<String> = []
            for _ in 0..<random.below(6) {
                let key = random.pick(keys)
                if seen.insert(key).inserted { resource.append(Attribute(key, value(&random))) }
            }
            resource.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
        }
        let reserved: Set<String> = random.pick([[], ["le"], ["quantile"]])
        return LabelTemplate(fixed: fixed, resource: resource, reserved: reserved, utf8: random.chance(30))
    }

    @Test("the same bytes as the reference path over generated label sets")
    func differential() {
        var random = Generator(state: 12)
        var renderer = LabelTextRenderer()
        var direct = 0
        let cases = 20_000
        for index in 0..<cases {
            let template = Self.template(&random)
            let encoded = Self.encodedAttributes(&random)
            let reference = encoded.withUnsafeBytes { template.referenceLabelText(attributes: $0) }
            let rendered = encoded.withUnsafeBytes { renderer.render(template, attributes: $0) }
            if rendered { direct += 1 }
            let text = renderer.text
            #expect(
                text == reference,
                "case \(index): \(String(decoding: text, as: UTF8.self)) != \(String(decoding: reference, as: UTF8.self))")
            if text != reference { break }
        }
        // Most sets take the direct path: the comparison above is about it.
        #expect(direct > cases / 2)
    }

    @Test("a typical series: fixed labels, escaped names, a merged collision, exported_")
    func typical() throws {
        let template = LabelTemplate(
            fixed: [Label("instance", "i-1"), Label("job", "shop/checkout"), Label("otel_scope_name", "bench")],
            reserved: ["le"])
        let encoded = AttributeEncoder.encode([
            Attribute("a.b", .string("first")), Attribute("a_b", .string("second")), Attribute("http.route", .string("/r")),
            Attribute("job", .string("mine")), Attribute("le", .string("x")), Attribute("n", .int(3)),
        ])
        var renderer = LabelTextRenderer()
        let direct = encoded.withUnsafeBytes { renderer.render(template, attributes: $0) }
        #expect(direct)
        #expect(
            String(decoding: renderer.text, as: UTF8.self)
                == #"a_b="first;second",exported_job="mine",exported_le="x",http_route="/r",instance="i-1",job="shop/checkout",n="3",otel_scope_name="bench""#
        )
    }

    @Test("UTF-8 names are kept and quoted; resource attributes yield to the point's")
    func utf8AndResource() {
        let template = LabelTemplate(
            fixed: [Label("job", "j")], resource: [Attribute("host.name", .string("h1")), Attribute("zone", .string("z"))],
            utf8: true)
        let encoded = AttributeEncoder.encode([Attribute("http.method", .string("GET")), Attribute("zone", .string("mine"))])
        var renderer = LabelTextRenderer()
        #expect(encoded.withUnsafeBytes { renderer.render(template, attributes: $0) })
        #expect(String(decoding: renderer.text, as: UTF8.self) == #""host.name"="h1","http.method"="GET",job="j",zone="mine""#)
    }
}
