import Foundation
import OTLPDecoding

/// A pre-encoded export request, replayed as is or with a per-request series id.
struct Payload: Sendable {
    /// The body as sent (compressed when `encoding` is set).
    let body: [UInt8]
    let encoding: String?
    /// Data points in one request.
    let points: Int
    /// Offsets of the six-byte series markers ("~~~~~~") in `body`.
    let markers: [Int]

    static let marker = Array("~~~~~~".utf8)

    /// Loads `path`; a `.gz` file is sent with `Content-Encoding: gzip`.
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError("cannot read \(path)")
        }
        body = Array(data)
        encoding = path.hasSuffix(".gz") ? "gzip" : nil
        points = try Self.countPoints(body, gzip: encoding != nil)
        markers = encoding == nil ? Self.find(Self.marker, in: body) : []
    }

    /// Counts points by decoding the body once with the collector's own decoder.
    private static func countPoints(_ body: [UInt8], gzip: Bool) throws -> Int {
        let decoder = OTLPProtobufDecoder()
        return try body.withUnsafeBytes { (raw) throws(OTLPDecodingError) -> Int in
            if gzip {
                return try GzipInflater().inflate(raw, limit: 1 << 30) { (inflated) throws(OTLPDecodingError) in
                    try decoder.decode(inflated).batch.pointCount
                }
            }
            return try decoder.decode(raw).batch.pointCount
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard haystack.count >= needle.count else { return [] }
        var found: [Int] = []
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<index + needle.count]) == needle {
                found.append(index)
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }

    /// The body with every marker replaced by `sequence` as six decimal digits,
    /// so each value of `sequence` makes a request of brand-new series.
    func body(sequence: Int) -> [UInt8] {
        guard !markers.isEmpty else { return body }
        var copy = body
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 6)
        var rest = sequence
        for position in (0..<6).reversed() {
            digits[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        for offset in markers {
            copy.replaceSubrange(offset..<offset + 6, with: digits)
        }
        return copy
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
