import ArgumentParser
import Foundation
import OTLPDecoding

/// What a payload exports: an `ExportMetricsServiceRequest` or an `ExportTraceServiceRequest`.
enum Signal: String, Sendable, ExpressibleByArgument {
    case metrics, traces
}

/// A pre-encoded export request, replayed as is or with a per-request series id.
struct Payload: Sendable {
    /// The body as sent (compressed when `encoding` is set).
    let body: [UInt8]
    let encoding: String?
    let signal: Signal
    /// Data points in one request (spans, for traces).
    let points: Int
    /// Offsets of the six-byte series markers ("~~~~~~") in `body`.
    let markers: [Int]

    static let marker = Array("~~~~~~".utf8)

    /// Loads `path`; a `.gz` file is sent with `Content-Encoding: gzip`.
    init(path: String, signal: Signal = .metrics) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError("cannot read \(path)")
        }
        body = Array(data)
        encoding = path.hasSuffix(".gz") ? "gzip" : nil
        self.signal = signal
        points = try Self.countPoints(body, gzip: encoding != nil, signal: signal)
        markers = encoding == nil ? Self.find(Self.marker, in: body) : []
    }

    /// Counts points (or spans) by decoding the body once with the collector's own decoder.
    private static func countPoints(_ body: [UInt8], gzip: Bool, signal: Signal) throws -> Int {
        let decoder = OTLPProtobufDecoder()
        // Spans: every kind counted, each once in a calls point, plus those refused.
        var everySpan = SpanMetricsConfiguration()
        everySpan.spanKinds = Set(0...5)
        everySpan.dimensions = []
        let rules = SpanMetricsRules(everySpan, cardinality: nil)
        let count = { (raw: UnsafeRawBufferPointer) throws(OTLPDecodingError) -> Int in
            guard signal == .traces else { return try decoder.decode(raw).batch.pointCount }
            let result = try decoder.decodeTraces(raw, rules: rules)
            let batch = result.batch
            let calls = batch.streams.filter { $0.kind == .sum }.flatMap { $0.pointRange.map { batch.points[$0].value } }
            return Int(calls.reduce(0, +)) + result.rejected.count
        }
        return try body.withUnsafeBytes { (raw) throws(OTLPDecodingError) -> Int in
            if gzip {
                return try GzipInflater().inflate(raw, limit: 1 << 30) { (inflated) throws(OTLPDecodingError) in
                    try count(inflated)
                }
            }
            return try count(raw)
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
