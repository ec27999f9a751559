import OpenSREModel

/// What the series store counts against `max_series_bytes`: the memory its
/// series, their lookup keys and their streams hold, counted when each is
/// created and given back, exactly, when it is removed or expires.
///
/// - a series: a fixed ``seriesOverhead`` (its object, its slots in its
///   family's index and its stream's table), its own label text (the legacy
///   form and, when it differs, the UTF-8 one; not the head the series of a
///   stream share), and what its state holds out of line (histogram counts,
///   exponential buckets, summary quantiles) as its first point had them;
/// - its key in its stream's table: its attribute bytes;
/// - a stream: a fixed ``streamOverhead``, its key (resource, scope, name,
///   kind, temporality, unit: ``DecodedStream/key``), its fixed labels, and
///   its resource once per use of it (target_info key, resource labels, SLO
///   and golden-signal matching).
///
/// These are payload bytes, not the allocator's: resident memory per series is
/// somewhat higher (measured figures are in the README).
enum SeriesAccounting {
    /// Per series: its 96-byte object, malloc's header, and its table and index slots.
    static let seriesOverhead = 160
    /// Per stream: its object, its labels' arrays and an empty series table.
    static let streamOverhead = 512
    /// The state allowance a series records is kept in 16-byte units in a
    /// `UInt16`, so at most this (larger states count as this much).
    static let maximumStateBytes = Int(UInt16.max) * 16

    /// What `count` key bytes take in a ``SeriesTable`` (long keys carry their length).
    static func keyBytes(_ count: Int) -> Int {
        count + (count >= 0xFF_FFFF ? 8 : 0)
    }

    /// What a series' state holds out of line after its first point, `point`.
    static func stateBytes(of point: DecodedPoint, kind: MetricKind, batch: DecodedBatch) -> Int {
        switch kind {
        case .histogram:
            return 48 + 8 * Int(point.counts.count)
        case .exponentialHistogram:
            let layout = batch.exponentials[Int(point.exponential)]
            return 96 + 8 * (Int(layout.positive.count) + Int(layout.negative.count))
        case .summary:
            return 48 + 8 * Int(point.doubles.count)
        case .gauge, .sum:
            return 0
        }
    }
}
