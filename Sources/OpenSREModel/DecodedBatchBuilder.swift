/// Builds a ``DecodedBatch`` while a decoder walks a request.
///
/// Call order: `beginResource`/`endResource` around the resource attributes,
/// `beginScope`/`endScope` around the scope, `beginStream` for each metric, then
/// for each point write its canonical attributes at the end of `bytes` (sorted
/// by key) and call one of the `add…Point` methods with the offset where they
/// started, and `endStream`. Decoders for other encodings (JSON) use the same
/// builder, so the processor sees one format.
package struct DecodedBatchBuilder {
    /// Written to directly by decoders (attribute encodings).
    package var bytes: [UInt8] = []
    package private(set) var streams: [DecodedStream] = []
    package private(set) var points: [DecodedPoint] = []
    package private(set) var doubles: [Double] = []
    package private(set) var counts: [UInt64] = []
    package private(set) var exemplars: [DecodedExemplar] = []
    package private(set) var exponentials: [DecodedExponential] = []
    /// Start of the exemplars appended for the point being built.
    private var pendingExemplars = 0

    private var resource = SliceRange.empty
    private var scopeName = SliceRange.empty
    private var scopeVersion = SliceRange.empty
    private var scopeAttributes = SliceRange.empty
    private var scopeSchemaURL = SliceRange.empty
    private var currentStream: DecodedStream?

    package init(expectedBytes: Int = 0, expectedPoints: Int = 0) {
        bytes.reserveCapacity(expectedBytes)
        points.reserveCapacity(expectedPoints)
    }

    /// The offset at which the next write to `bytes` lands.
    package var mark: Int { bytes.count }

    package mutating func endResource(attributesFrom start: Int) {
        resource = SliceRange(start: start, count: bytes.count - start)
    }

    package mutating func setScope(
        name: UnsafeRawBufferPointer, version: UnsafeRawBufferPointer,
        schemaURL: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    ) {
        scopeName = append(name)
        scopeVersion = append(version)
        scopeSchemaURL = append(schemaURL)
    }

    package mutating func endScope(attributesFrom start: Int) {
        scopeAttributes = SliceRange(start: start, count: bytes.count - start)
    }

    /// Starts a metric. Its identity (resource, scope, name) and key (see
    /// ``DecodedStream/key``) are written here, and the key hashed.
    package mutating func beginStream(
        name: UnsafeRawBufferPointer, description: UnsafeRawBufferPointer,
        unit: UnsafeRawBufferPointer, kind: MetricKind, temporality: Temporality,
        isMonotonic: Bool, isPrometheusUnknown: Bool = false, isDerived: Bool = false
    ) {
        let nameRange = append(name)
        let descriptionRange = append(description)
        let unitRange = append(unit)
        let identityStart = bytes.count
        appendCopy(of: resource)
        appendCopy(of: scopeName)
        appendCopy(of: scopeVersion)
        appendCopy(of: scopeAttributes)
        appendCopy(of: scopeSchemaURL)
        appendCopy(of: nameRange)
        let identity = SliceRange(start: identityStart, count: bytes.count - identityStart)
        bytes.append(kind.rawValue)
        bytes.append(temporality.rawValue)
        bytes.append(isMonotonic ? 1 : 0)
        bytes.append(isPrometheusUnknown ? 1 : (isDerived ? 2 : 0))
        appendCopy(of: unitRange)
        let key = SliceRange(start: identityStart, count: bytes.count - identityStart)
        let hash = bytes.withUnsafeBytes { ByteHasher.hash($0[slice: key], seed: 1) }
        currentStream = DecodedStream(
            identityHash: hash, identity: identity, key: key, resource: resource,
            scopeName: scopeName, scopeVersion: scopeVersion, scopeAttributes: scopeAttributes,
            scopeSchemaURL: scopeSchemaURL, name: nameRange, description: descriptionRange, unit: unitRange, kind: kind,
            temporality: temporality, isMonotonic: isMonotonic,
            isPrometheusUnknown: isPrometheusUnknown, isDerived: isDerived, firstPoint: Int32(points.count), pointCount: 0)
    }

    /// Finishes the current metric; a metric without points is dropped.
    package mutating func endStream() {
        guard var stream = currentStream else { return }
        currentStream = nil
        stream.pointCount = Int32(points.count) - stream.firstPoint
        if stream.pointCount > 0 {
            streams.append(stream)
        }
    }

    /// The attributes written since `start`, hashed.
    mutating func attributes(from start: Int) -> (SliceRange, UInt64) {
        let range = SliceRange(start: start, count: bytes.count - start)
        let hash = bytes.withUnsafeBytes { ByteHasher.hash($0[slice: range], seed: 2) }
        return (range, hash)
    }

    /// Adds a gauge or sum point whose attributes were written from `attributesStart`.
    package mutating func addNumberPoint(
        attributesFrom attributesStart: Int, startTime: UInt64, time: UInt64,
        value: Double, flags: UInt32
    ) {
        let (range, hash) = attributes(from: attributesStart)
        append(
            DecodedPoint(
                attributesHash: hash, attributes: range, startTime: startTime, time: time,
                value: value, flags: flags))
    }

    /// Adds an explicit-bucket histogram point.
    package mutating func addHistogramPoint(
        attributesFrom attributesStart: Int, startTime: UInt64, time: UInt64,
        count: UInt64, sum: Double?, bounds: UnsafeBufferPointer<Double>,
        bucketCounts: UnsafeBufferPointer<UInt64>, flags: UInt32
    ) {
        let (range, hash) = attributes(from: attributesStart)
        let boundsRange = SliceRange(start: doubles.count, count: bounds.count)
        doubles.append(contentsOf: bounds)
        let countsRange = SliceRange(start: counts.count, count: bucketCounts.count)
        counts.append(contentsOf: bucketCounts)
        append(
            DecodedPoint(
                attributesHash: hash, attributes: range, startTime: startTime, time: time,
                value: sum ?? 0, count: count, flags: flags, hasSum: sum != nil,
                doubles: boundsRange, counts: countsRange))
    }

    /// Adds an exponential-histogram point.
    package mutating func addExponentialHistogramPoint(
        attributesFrom attributesStart: Int, startTime: UInt64, time: UInt64, count: UInt64, sum: Double?,
        scale: Int32, zeroCount: UInt64, zeroThreshold: Double,
        positiveOffset: Int32, positive: UnsafeBufferPointer<UInt64>,
        negativeOffset: Int32, negative: UnsafeBufferPointer<UInt64>, flags: UInt32
    ) {
        let (range, hash) = attributes(from: attributesStart)
        let positiveRange = SliceRange(start: counts.count, count: positive.count)
        counts.append(contentsOf: positive)
        let negativeRange = SliceRange(start: counts.count, count: negative.count)
        counts.append(contentsOf: negative)
        exponentials.append(
            DecodedExponential(
                scale: scale, zeroCount: zeroCount, zeroThreshold: zeroThreshold, positiveOffset: positiveOffset,
                positive: positiveRange, negativeOffset: negativeOffset, negative: negativeRange))
        var point = DecodedPoint(
            attributesHash: hash, attributes: range, startTime: startTime, time: time,
            value: sum ?? 0, count: count, flags: flags, hasSum: sum != nil)
        point.exponential = Int32(exponentials.count - 1)
        append(point)
    }

    /// Records an exemplar of the point about to be added; its filtered
    /// attributes were written to `bytes` from `attributesStart`.
    package mutating func addExemplar(
        value: Double, time: UInt64, traceID: UnsafeRawBufferPointer, spanID: UnsafeRawBufferPointer,
        filteredAttributesFrom attributesStart: Int
    ) {
        let filtered = SliceRange(start: attributesStart, count: bytes.count - attributesStart)
        let trace = traceID.count == 16 ? append(traceID) : .empty
        let span = spanID.count == 8 ? append(spanID) : .empty
        exemplars.append(
            DecodedExemplar(value: value, time: time, traceID: trace, spanID: span, filteredAttributes: filtered))
    }

    /// Drops exemplars recorded for a point that was then refused.
    package mutating func discardExemplars() {
        exemplars.removeSubrange(pendingExemplars...)
    }

    private mutating func append(_ point: DecodedPoint) {
        var point = point
        point.exemplars = SliceRange(start: pendingExemplars, count: exemplars.count - pendingExemplars)
        pendingExemplars = exemplars.count
        points.append(point)
    }

    /// Appends one (quantile, value) pair of the summary point about to be added.
    package mutating func appendQuantile(_ quantile: Double, value: Double) {
        doubles.append(quantile)
        doubles.append(value)
    }

    /// The offset at which the next quantile pair lands in `doubles`.
    package var quantileMark: Int { doubles.count }

    /// Adds a summary point whose quantile pairs were appended from `quantilesStart`.
    package mutating func addSummaryPoint(
        attributesFrom attributesStart: Int, quantilesFrom quantilesStart: Int,
        startTime: UInt64, time: UInt64, count: UInt64, sum: Double, flags: UInt32
    ) {
        let (range, hash) = attributes(from: attributesStart)
        let pairs = SliceRange(start: quantilesStart, count: doubles.count - quantilesStart)
        append(
            DecodedPoint(
                attributesHash: hash, attributes: range, startTime: startTime, time: time,
                value: sum, count: count, flags: flags, hasSum: true, doubles: pairs))
    }

    /// Most attributes one point may carry (a series with more is not one a
    /// dashboard can use, and the cap bounds the work per point).
    package static let maximumAttributes = 128
    /// Most bytes a point's attributes may take in canonical form (16 KiB
    /// label values and more are refused rather than truncated).
    package static let maximumAttributeBytes = 16 << 10

    /// Refuses a point whose attributes (written from `start`) are too many or too large:
    /// drops them and the point's exemplars and says why; nil when they are fine.
    package mutating func refuseOversizedAttributes(from start: Int, count: Int) -> String? {
        let size = bytes.count - start
        guard count > Self.maximumAttributes || size > Self.maximumAttributeBytes else { return nil }
        discard(from: start)
        discardExemplars()
        return count > Self.maximumAttributes
            ? "point has \(count) attributes (at most \(Self.maximumAttributes))"
            : "point attributes take \(size) bytes (at most \(Self.maximumAttributeBytes))"
    }

    /// Drops attribute bytes written since `start` for a point that was not added.
    package mutating func discard(from start: Int) {
        bytes.removeSubrange(start...)
    }

    package func finish() -> DecodedBatch {
        DecodedBatch(
            bytes: bytes, streams: streams, points: points, doubles: doubles, counts: counts, exemplars: exemplars,
            exponentials: exponentials)
    }

    /// Appends a length-prefixed copy of bytes already in the batch.
    private mutating func appendCopy(of part: SliceRange) {
        AttributeEncoder.appendLength(Int(part.count), to: &bytes)
        let destination = bytes.count
        let length = Int(part.count)
        bytes.append(contentsOf: repeatElement(0, count: length))
        bytes.withUnsafeMutableBytes { raw in
            let base = raw.baseAddress!
            (base + destination).copyMemory(from: base + Int(part.start), byteCount: length)
        }
    }

    private mutating func append(_ raw: UnsafeRawBufferPointer) -> SliceRange {
        let range = SliceRange(start: bytes.count, count: raw.count)
        AttributeEncoder.appendRaw(raw, to: &bytes)
        return range
    }
}
