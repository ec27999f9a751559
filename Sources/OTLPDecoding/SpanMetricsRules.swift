import OpenSREModel

/// ``SpanMetricsConfiguration`` compiled for the decoders: the series key's
/// attributes in canonical (sorted) order, names as bytes, and the shared
/// cardinality guard. Built once, read by every event loop.
package final class SpanMetricsRules: Sendable {
    /// One attribute of a span series key, in key order.
    enum Slot: Sendable {
        case serviceName, spanKind, spanName, statusCode
        /// `dimensions[index]`.
        case dimension(Int)
    }

    package let configuration: SpanMetricsConfiguration
    let slots: [Slot]
    let slotKeys: [[UInt8]]
    /// The dimensions' keys (`configuration.dimensions` without the fixed four).
    let dimensionKeys: [[UInt8]]
    let dimensionDefaults: [[UInt8]?]
    /// Bitmask of counted span kinds.
    let kindMask: UInt32
    /// Explicit bounds (empty when exponential).
    let bounds: [Double]
    let exponentialMaxSize: Int?
    let nanosecondsPerUnit: Double
    let callsName: [UInt8]
    let durationName: [UInt8]
    let unit: [UInt8]
    package let cardinality: SpanCardinalityGuard?

    static let fixedKeys: [(String, Slot)] = [
        ("service.name", .serviceName), ("span.kind", .spanKind), ("span.name", .spanName), ("status.code", .statusCode),
    ]
    static let kindNames = SpanMetricsConfiguration.spanKindNames.map { Array($0.utf8) }
    static let statusNames = SpanMetricsConfiguration.statusCodeNames.map { Array($0.utf8) }
    static let scopeName = Array("spanmetricsconnector".utf8)
    static let unknownService = Array("unknown_service".utf8)
    static let overflowKey = Array("otel.metric.overflow".utf8)
    static let serviceKey = Array("service.name".utf8)
    static let statusKey = Array("status.code".utf8)

    /// A status code's label value (`STATUS_CODE_ERROR`); unknown codes read as unset.
    static func statusName(_ status: Int32) -> [UInt8] {
        statusNames[Int(status >= 0 && status < 3 ? status : 0)]
    }

    /// - Parameter cardinality: the guard all loops share (nil: no limit).
    package init(_ configuration: SpanMetricsConfiguration, cardinality: SpanCardinalityGuard?) {
        self.configuration = configuration
        let fixed = Set(Self.fixedKeys.map(\.0))
        var seen = Set<String>()
        let dimensions = configuration.dimensions.filter { !fixed.contains($0.name) && seen.insert($0.name).inserted }
        dimensionKeys = dimensions.map { Array($0.name.utf8) }
        dimensionDefaults = dimensions.map { $0.defaultValue.map { Array($0.utf8) } }
        var entries: [([UInt8], Slot)] = Self.fixedKeys.map { (Array($0.0.utf8), $0.1) }
        for (index, key) in dimensionKeys.enumerated() { entries.append((key, .dimension(index))) }
        entries.sort { $0.0.lexicographicallyPrecedes($1.0) }
        slots = entries.map(\.1)
        slotKeys = entries.map(\.0)
        kindMask = configuration.spanKinds.reduce(0) { $0 | (($1 >= 0 && $1 < 32) ? UInt32(1) << UInt32($1) : 0) }
        switch configuration.buckets {
        case .explicit(let bounds):
            self.bounds = bounds
            exponentialMaxSize = nil
        case .exponential(let maxSize):
            bounds = []
            // At least 2: 1 is a bucket boundary at every scale, so durations
            // on both sides of one unit never share a bucket, and with room
            // for one ExponentialCounts would downscale for ever.
            exponentialMaxSize = max(maxSize, 2)
        }
        nanosecondsPerUnit = configuration.unit.nanoseconds
        callsName = Array(configuration.callsName.utf8)
        durationName = Array(configuration.durationName.utf8)
        unit = Array(configuration.unit.rawValue.utf8)
        self.cardinality = cardinality
    }

    /// Whether spans of this kind are counted.
    @inline(__always)
    func counts(kind: Int32) -> Bool {
        kind >= 0 && kind < 32 && kindMask & (UInt32(1) << UInt32(kind)) != 0
    }

    /// Writes a span's series key into `encoder` (reset first): the fixed
    /// attributes and, for each dimension, what `dimension` writes (its
    /// value, after this wrote the key) or the default. `dimension(i)` returns
    /// false when the span lacks the attribute; nothing is written then.
    @inline(__always)
    func encodeKey(
        into encoder: AttributeEncoder, service: UnsafeRawBufferPointer, kind: Int32, name: UnsafeRawBufferPointer,
        status: Int32, dimension: (Int) -> Bool
    ) {
        encoder.reset()
        for (index, slot) in slots.enumerated() {
            switch slot {
            case .serviceName:
                appendKey(index, encoder)
                encoder.appendString(service.baseAddress, count: service.count)
            case .spanKind:
                appendKey(index, encoder)
                let name = Self.kindNames[Int(kind >= 0 && kind < 6 ? kind : 0)]
                name.withUnsafeBytes { encoder.appendString($0.baseAddress, count: $0.count) }
            case .spanName:
                appendKey(index, encoder)
                encoder.appendString(name.baseAddress, count: name.count)
            case .statusCode:
                appendKey(index, encoder)
                Self.statusName(status).withUnsafeBytes { encoder.appendString($0.baseAddress, count: $0.count) }
            case .dimension(let position):
                let mark = encoder.bytes.count
                appendKey(index, encoder)
                if dimension(position) { continue }
                if let fallback = dimensionDefaults[position] {
                    fallback.withUnsafeBytes { encoder.appendString($0.baseAddress, count: $0.count) }
                } else {
                    encoder.truncate(to: mark)
                }
            }
        }
    }

    @inline(__always)
    private func appendKey(_ slot: Int, _ encoder: AttributeEncoder) {
        slotKeys[slot].withUnsafeBytes { encoder.appendKey($0.baseAddress, count: $0.count) }
    }
}
