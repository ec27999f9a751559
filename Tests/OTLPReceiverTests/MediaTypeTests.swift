import HTTPServerSupport
import Testing

/// The byte-level fast path of ``MediaType`` gives what the `Character` path gives.
@Suite("Media types")
struct MediaTypeTests {
    @Test(arguments: [
        ("application/x-protobuf", "application/x-protobuf"),
        ("Application/X-Protobuf; charset=utf-8", "application/x-protobuf"),
        ("  application/json\t;x=y", "application/json"),
        ("\t APPLICATION/JSON \t", "application/json"),
        ("", ""),
        ("  ", ""),
        (";", ""),
        ("Äpplication/json ; q", "äpplication/json"),
    ])
    func essence(value: String, expected: String) {
        #expect(MediaType.essence(of: value) == expected)
    }

    @Test(arguments: [
        ("gzip", "gzip", "gzip"),
        (" GZip\t", "GZip", "gzip"),
        ("", "", ""),
        (" \t ", "", ""),
        ("x-gzip ", "x-gzip", "x-gzip"),
        (" Zstd é ", "Zstd é", "zstd é"),
    ])
    func trimmed(value: String, trimmed: String, lowercase: String) {
        #expect(MediaType.trimmed(value) == trimmed)
        #expect(MediaType.trimmedLowercase(value) == lowercase)
    }
}
