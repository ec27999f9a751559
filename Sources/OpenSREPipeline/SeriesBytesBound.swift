import OpenSREModel

/// An upper bound on what applying a batch can add to the series store's
/// accounted bytes (``SeriesAccounting``), computed from the batch alone, on
/// the event loop: when it does not fit in the headroom left, the receiver
/// waits for the processor's report, so refusals reach the sender.
///
/// Generous on purpose (it only decides when a request waits): a label takes at
/// most 16 bytes of text per byte of canonical attribute encoding (JSON of
/// arrays and maps with escaped control characters is the worst case, about 7,
/// plus the label's name and punctuation). The fixed labels of a series come
/// from its resource's `service.*` attributes (or the whole resource with
/// `resource_to_telemetry_conversion`), its scope, and `const_labels`.
/// O(streams + points), without allocating.
package struct SeriesBytesBound: Sendable, Equatable {
    /// Bytes of `const_labels` text (names, values, punctuation).
    var constLabelBytes: Int
    /// 2 when series keep a second, UTF-8 label text; else 1.
    var textCopies: Int
    /// `resource_to_telemetry_conversion`: every resource attribute is a label.
    var resourceLabels: Bool

    /// Text bytes per byte of canonical encoding, at most.
    static let expansion = 16
    /// Label names, punctuation and the like, per series.
    static let perSeriesText = 256

    package init(settings: ExpositionSettings) {
        constLabelBytes = settings.constLabels.reduce(0) { $0 + $1.key.utf8.count + 2 * $1.value.utf8.count + 4 }
        textCopies = settings.translationStrategy.escapes ? 1 : 2
        resourceLabels = settings.resourceToTelemetryConversion
    }

    /// The most that applying `batch` can add.
    package func bytes(of batch: DecodedBatch) -> Int {
        var total = 0
        batch.bytes.withUnsafeBytes { bytes in
            batch.points.withUnsafeBufferPointer { points in
                // Streams of one resource share its slice: scan it once.
                var scanned = (slice: SliceRange.empty, bytes: 0)
                for stream in batch.streams {
                    let resource = Int(stream.resource.count)
                    if !resourceLabels, stream.resource != scanned.slice {
                        scanned = (stream.resource, Self.identityEntryBytes(bytes[slice: stream.resource]))
                    }
                    let identity = resourceLabels ? resource : scanned.bytes
                    let scopeText = 2 * Int(stream.scopeName.count + stream.scopeVersion.count + stream.scopeSchemaURL.count)
                    let fixed =
                        Self.expansion * (identity + Int(stream.scopeAttributes.count)) + scopeText + constLabelBytes
                        + Self.perSeriesText
                    // The stream itself, and its resource's target_info series.
                    total += SeriesAccounting.streamOverhead + Int(stream.key.count) + 4 * resource + fixed
                    total += SeriesAccounting.seriesOverhead + resource + Self.expansion * resource + Self.perSeriesText
                    for index in stream.pointRange {
                        let attributes = Int(points[index].attributes.count)
                        total += SeriesAccounting.seriesOverhead + SeriesAccounting.keyBytes(attributes)
                            + textCopies * (Self.expansion * attributes + fixed)
                            + Self.stateBound(points[index], kind: stream.kind, batch: batch)
                    }
                }
            }
        }
        return total
    }

    /// At least ``SeriesAccounting/stateBytes(of:kind:batch:)``.
    private static func stateBound(_ point: DecodedPoint, kind: MetricKind, batch: DecodedBatch) -> Int {
        switch kind {
        case .gauge, .sum: return 0
        default: return SeriesAccounting.stateBytes(of: point, kind: kind, batch: batch)
        }
    }

    /// Bytes of the `service.name`, `service.namespace` and
    /// `service.instance.id` entries of a canonical attribute set (where
    /// `job` and `instance` come from); the whole set if it does not parse.
    static func identityEntryBytes(_ set: UnsafeRawBufferPointer) -> Int {
        var reader = EntryScanner(bytes: set)
        var total = 0
        while reader.offset < set.count {
            let start = reader.offset
            guard let key = reader.raw(), reader.skipValue(depth: 0) else { return set.count }
            if Self.identityKeys.contains(where: { $0.elementsEqual(key) }) { total += reader.offset - start }
        }
        return total
    }

    private static let identityKeys: [[UInt8]] = ["service.name", "service.namespace", "service.instance.id"].map {
        Array($0.utf8)
    }

    /// Walks a canonical attribute encoding (``AttributeEncoder``) without decoding it.
    private struct EntryScanner {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func length() -> Int? {
            guard offset + 4 <= bytes.count else { return nil }
            defer { offset += 4 }
            return Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        }

        mutating func raw() -> UnsafeRawBufferPointer? {
            guard let length = length(), length <= bytes.count - offset else { return nil }
            defer { offset += length }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length])
        }

        /// Skips one value; false when malformed or nested past any limit the decoders allow.
        mutating func skipValue(depth: Int) -> Bool {
            guard depth < 1024, offset < bytes.count, let tag = AttributeTag(rawValue: bytes[offset]) else { return false }
            offset += 1
            switch tag {
            case .empty: return true
            case .string, .bytes: return raw() != nil
            case .bool: return advance(1)
            case .int, .double: return advance(8)
            case .array:
                guard let count = length() else { return false }
                for _ in 0..<count where !skipValue(depth: depth + 1) { return false }
                return true
            case .map:
                guard let count = length() else { return false }
                for _ in 0..<count where raw() == nil || !skipValue(depth: depth + 1) { return false }
                return true
            }
        }

        private mutating func advance(_ count: Int) -> Bool {
            guard count <= bytes.count - offset else { return false }
            offset += count
            return true
        }
    }
}
