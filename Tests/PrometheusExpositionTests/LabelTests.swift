import PrometheusExposition
import Testing

@Suite("Label names and values")
struct LabelTests {
    @Test(
        "sanitizing attribute keys",
        arguments: [
            ("http.method", "http_method"), ("a-b c", "a_b_c"), ("2xx", "key_2xx"), ("ok_name", "ok_name"),
            ("día", "d_a"),
        ])
    func sanitize(key: String, expected: String) {
        #expect(LabelNamer.sanitize(key) == expected)
    }

    @Test("colliding keys merge with ';' in the order of the original keys")
    func collisions() {
        let labels = LabelSetBuilder.labels(
            fixed: [Label("job", "shop/checkout"), Label("instance", "")],
            attributes: [
                .init("a_b", .string("second")), .init("a.b", .string("first")), .init("job", .string("mine")),
                .init("empty", .string("")), .init("n", .int(3)),
            ])
        #expect(
            labels == [
                Label("a_b", "first;second"), Label("exported_job", "mine"), Label("job", "shop/checkout"),
                Label("n", "3"),
            ])
    }

    @Test("reserved names (le on histograms) become exported_")
    func reserved() {
        let labels = LabelSetBuilder.labels(fixed: [], attributes: [.init("le", .string("x"))], reserved: ["le"])
        #expect(labels == [Label("exported_le", "x")])
    }

    @Test(
        "non-string attribute values follow the AnyValue rules",
        arguments: [
            (AttributeValueCase.bool, "true"), (.int, "-7"), (.double, "0.1"), (.bigDouble, "1e+21"),
            (.smallDouble, "1e-7"), (.array, "[\"a\",1,false,null]"), (.map, "{\"k\":\"v\",\"n\":1.5}"),
            (.bytes, "aGk="), (.nan, "NaN"), (.infinity, "-Infinity"),
        ])
    func values(kind: AttributeValueCase, expected: String) {
        #expect(AttributeText.labelValue(kind.value) == expected)
    }

    @Test("label text escapes backslash, quote and newline")
    func escaping() {
        let text = ExpositionWriter.labelText([Label("a", "x\\y\"z\nw"), Label("b", "ok")])
        #expect(String(decoding: text, as: UTF8.self) == #"a="x\\y\"z\nw",b="ok""#)
    }
}
