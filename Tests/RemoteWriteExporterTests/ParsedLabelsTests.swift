import PrometheusExposition
import Testing

@Suite("Label text read back into names and values")
struct ParsedLabelsTests {
    @Test("what the writer escapes comes back as it was, in one part or split in two")
    func roundTrip() {
        let labels = [
            Label("a", ""), Label("b", #"x"y\z"#), Label("c", "line\nbreak"), Label("http.method", "GET"),
            Label("zone", "é ü 東京"),
        ]
        let text = ExpositionWriter.labelText(labels)
        var parsed = ParsedLabels()
        let read = text.withUnsafeBytes { parsed.read($0) }
        #expect(read)
        #expect((0..<parsed.count).map { parsed.name($0) + "=" + parsed.value($0) } == labels.map { $0.name + "=" + $0.value })
        for split in [1, 7, text.count - 1] {
            var again = ParsedLabels()
            text.withUnsafeBytes { bytes in
                let head = UnsafeRawBufferPointer(rebasing: bytes[..<split])
                let tail = UnsafeRawBufferPointer(rebasing: bytes[split...])
                let read = again.read(SplitLabelText(head: head, tail: tail))
                #expect(read)
            }
            #expect((0..<again.count).map { again.value($0) } == labels.map(\.value))
        }
    }

    @Test("empty text is no labels; text that is not label text is refused and leaves nothing")
    func malformed() {
        var parsed = ParsedLabels()
        let empty = [UInt8]().withUnsafeBytes { parsed.read($0) }
        #expect(empty)
        #expect(parsed.count == 0)
        for text in [#"a="1"#, #"a=1"#, #"a="1"b="2""#, #"a="1","#, #"a="\"#, "a"] {
            let read = Array(text.utf8).withUnsafeBytes { parsed.read($0) }
            #expect(!read, "\(text)")
            #expect(parsed.count == 0)
        }
    }
}
