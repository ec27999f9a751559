import OpenSREModel
import PrometheusExposition

/// One Prometheus metric family: a name with one HELP and one TYPE, and the
/// series of every stream that maps to that name.
final class MetricFamily {
    /// Most classic buckets an exponential histogram is shown with in text
    /// formats; finer histograms are downscaled (adjacent buckets merged) to fit.
    static let exponentialBucketLimit = 40

    let name: MetricName
    /// The first-seen type; streams that would need another are refused.
    let type: PrometheusMetricType
    /// The first non-empty OpenTelemetry description, else a stand-in.
    var help: String
    /// The OpenMetrics `# UNIT` (empty for none).
    let unit: String
    /// The `target_info` family (an info metric in OpenMetrics).
    let isInfo: Bool
    /// First made by span metrics (it expires on their `metrics_expiration`).
    var isDerived = false
    /// The family's series, in label-text order once sorted (lazily, for rendering).
    /// Removed series stay here, out of the index, until ``compact()`` drops them.
    private var ordered: [Series] = []
    /// How many series in `ordered` are removed (``Series/isRemoved``).
    private var removedCount = 0
    private var needsSort = false
    /// Series by their rendered label text: two streams whose labels render the
    /// same share one series rather than printing a duplicate line.
    ///
    /// Open addressing (linear probing, backward-shift removal) whose slots
    /// hold positions in `ordered` (+1; 0 is empty), hashed from and compared
    /// against the series' own label text: the text is kept once, in the
    /// series, where a `[[UInt8]: Series]` dictionary would hold a second copy
    /// of every key, and a slot takes 4 bytes. Sorting and removal move series
    /// within `ordered`, and renumber the slots to match. Only series creation
    /// and removal use the index, never the ingest of a known series.
    ///
    /// While positions fit in 24 bits (`tagged`, families of fewer than 16M
    /// series), a slot's top byte holds 8 bits of its series' hash: a lookup
    /// then reads a series (a cache miss each, the bulk of creating one
    /// before) only for 1 in 256 of the others it probes past.
    private var index: [UInt32] = []
    private var tagged = true
    /// Where a label text held in two parts is joined to be hashed.
    private var scratch: [UInt8] = []

    /// Hashes label text for `index`; seeded per process, as Swift's own
    /// dictionaries are, so that colliding label sets cannot be prepared ahead.
    private static let seed = UInt64.random(in: .min ... .max)

    convenience init(name: String, type: PrometheusMetricType, help: String, unit: String = "", isInfo: Bool = false) {
        self.init(metricName: MetricName(name), type: type, help: help, unit: unit, isInfo: isInfo)
    }

    /// A family whose name is already rendered (a computed family's, copied per scrape).
    init(metricName: MetricName, type: PrometheusMetricType, help: String, unit: String = "", isInfo: Bool = false) {
        self.name = metricName
        self.type = type
        self.help = help
        self.unit = unit
        self.isInfo = isInfo
    }

    var isEmpty: Bool { seriesCount == 0 }
    var seriesCount: Int { ordered.count - removedCount }

    /// The series with `labelText`, created when absent.
    /// A new series holds the first `prefix.count` bytes as `prefix` (see ``Series``).
    func series(labelText: [UInt8], prefix: [UInt8] = [], utf8LabelText: [UInt8]? = nil) -> (Series, isNew: Bool) {
        let (existing, hash) = find(labelText: labelText)
        if let existing { return (existing, false) }
        return (insert(labelText: labelText, hash: hash, prefix: prefix, utf8LabelText: utf8LabelText), true)
    }

    /// The series with `labelText`, if any, and the text's hash (for ``insert(labelText:hash:prefix:utf8LabelText:)``).
    func find(labelText: [UInt8]) -> (Series?, hash: UInt64) {
        labelText.withUnsafeBytes { find(labelText: $0) }
    }

    /// ``find(labelText:)-([UInt8])`` of a text where the caller keeps it.
    func find(labelText: UnsafeRawBufferPointer) -> (Series?, hash: UInt64) {
        let hash = ByteHasher.hash(labelText, seed: Self.seed)
        if !index.isEmpty {
            let mask = index.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            let tag = Self.tag(hash)
            while index[slot] != 0 {
                let entry = index[slot]
                if !tagged || entry & Self.tagMask == tag {
                    let candidate = ordered[position(entry)]
                    if candidate.hasLabelText(labelText) { return (candidate, hash) }
                }
                slot = (slot + 1) & mask
            }
        }
        return (nil, hash)
    }

    /// Adds a series with `labelText`, known to be absent, whose hash ``find(labelText:)`` gave.
    func insert(labelText: [UInt8], hash: UInt64, prefix: [UInt8] = [], utf8LabelText: [UInt8]? = nil) -> Series {
        labelText.withUnsafeBytes { insert(labelText: $0, hash: hash, prefix: prefix, utf8LabelText: utf8LabelText) }
    }

    /// ``insert(labelText:hash:prefix:utf8LabelText:)-([UInt8],_,_,_)`` of a text where the caller keeps it.
    func insert(
        labelText: UnsafeRawBufferPointer, hash: UInt64, prefix: [UInt8] = [], utf8LabelText: [UInt8]? = nil
    ) -> Series {
        precondition(ordered.count < UInt32.max, "too many series in one family")
        let series = Series.make(labelText: labelText, prefix: prefix, utf8LabelText: utf8LabelText)
        ordered.append(series)
        if seriesCount * 4 > index.count * 3 {
            rebuildIndex()
        } else {
            place(position: ordered.count - 1, hash: hash)
        }
        needsSort = true
        return series
    }

    /// Takes `series` out of the index; `ordered` drops it later, in one pass
    /// with others, so a burst of removals (NO_RECORDED_VALUE points) over a
    /// large family costs linear time, not a shift of the array per series.
    func remove(_ series: Series) {
        guard !series.isRemoved, unindex(series) != nil else { return }
        series.isRemoved = true
        removedCount += 1
        if removedCount * 2 > ordered.count { compact() }
    }

    /// Drops removed series from `ordered` and renumbers the index to match.
    private func compact() {
        guard removedCount > 0 else { return }
        if seriesCount * 8 < index.count {
            // Mostly empty now: a smaller index, so later compactions stay cheap.
            ordered.removeAll { $0.isRemoved }
            removedCount = 0
            rebuildIndex()
            return
        }
        var kept: UInt32 = 0
        var renumbered = [UInt32](repeating: 0, count: ordered.count)
        for position in ordered.indices where !ordered[position].isRemoved {
            kept += 1
            renumbered[position] = kept
        }
        renumber(renumbered)
        ordered.removeAll { $0.isRemoved }
        removedCount = 0
    }

    /// Removes every series last seen before `deadline`; returns how many,
    /// and the bytes they were accounted (``Series/accountedBytes``).
    /// The live series last seen before `deadline`: those ``expire(before:)`` would remove.
    func series(lastSeenBefore deadline: UInt64) -> [Series] {
        ordered.filter { !$0.isRemoved && $0.lastSeen < deadline }
    }

    func expire(before deadline: UInt64) -> (count: Int, bytes: Int) {
        var expired = 0
        var bytes = 0
        for series in ordered where !series.isRemoved && series.lastSeen < deadline {
            expired += 1
            bytes += series.accountedBytes
        }
        guard expired > 0 else { return (0, 0) }
        if (expired + removedCount) * 2 > ordered.count {
            for series in ordered where series.lastSeen < deadline { series.isRemoved = true }
            ordered.removeAll { $0.isRemoved }
            removedCount = 0
            rebuildIndex()
            return (expired, bytes)
        }
        // Few: take them out of the index one by one, then drop them with the rest.
        for series in ordered where !series.isRemoved && series.lastSeen < deadline {
            unindex(series)
            series.isRemoved = true
            removedCount += 1
        }
        compact()
        return (expired, bytes)
    }

    /// Series in label-text order (sorted lazily, after series were added).
    func sortedSeries() -> [Series] {
        compact()
        if needsSort {
            var pairs = ordered.enumerated().map { (series: $0.element, position: UInt32($0.offset)) }
            pairs.sort { $0.series.labelTextPrecedes($1.series) }
            var renumbered = [UInt32](repeating: 0, count: pairs.count)
            for (position, pair) in pairs.enumerated() {
                renumbered[Int(pair.position)] = UInt32(position + 1)
            }
            ordered = pairs.map(\.series)
            renumber(renumbered)
            needsSort = false
        }
        return ordered
    }

    // MARK: Index

    private func hash(of series: Series) -> UInt64 {
        series.hashLabelText(seed: Self.seed, scratch: &scratch)
    }

    private static let tagMask: UInt32 = 0xFF00_0000
    private static let positionMask: UInt32 = 0x00FF_FFFF

    /// The hash bits a tagged slot keeps (its top byte; the home slot comes from the low bits).
    private static func tag(_ hash: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: hash >> 32) & tagMask
    }

    /// The position in `ordered` a (non-empty) slot holds.
    @inline(__always)
    private func position(_ entry: UInt32) -> Int {
        Int(tagged ? entry & Self.positionMask : entry) - 1
    }

    /// Points the slots at the series' new positions (`renumbered[old]` is the new one + 1), tags kept.
    private func renumber(_ renumbered: [UInt32]) {
        for slot in index.indices where index[slot] != 0 {
            let entry = index[slot]
            index[slot] = (tagged ? entry & Self.tagMask : 0) | renumbered[position(entry)]
        }
    }

    private func place(position: Int, hash: UInt64) {
        if tagged, position + 1 > Int(Self.positionMask) {
            // Positions no longer fit beside a tag: plain positions from now on.
            tagged = false
            rebuildIndex()
            return
        }
        let mask = index.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while index[slot] != 0 {
            slot = (slot + 1) & mask
        }
        index[slot] = (tagged ? Self.tag(hash) : 0) | UInt32(position + 1)
    }

    /// A fresh index of `ordered`, at most half full (so that it grows by doubling).
    private func rebuildIndex() {
        guard !ordered.isEmpty else {
            index = []
            return
        }
        var size = 8
        while size < seriesCount * 2 { size <<= 1 }
        index = Array(repeating: 0, count: size)
        tagged = ordered.count <= Int(Self.positionMask)
        for position in ordered.indices where !ordered[position].isRemoved {
            place(position: position, hash: hash(of: ordered[position]))
        }
    }

    /// Takes `series` out of the index; returns its position in `ordered`
    /// (nil when it was not there). `ordered` is left as it is.
    @discardableResult
    private func unindex(_ series: Series) -> Int? {
        guard !index.isEmpty else { return nil }
        let mask = index.count - 1
        var hole = Int(truncatingIfNeeded: hash(of: series)) & mask
        while true {
            guard index[hole] != 0 else { return nil }
            if ordered[position(index[hole])] === series { break }
            hole = (hole + 1) & mask
        }
        let removed = position(index[hole])
        // Backward-shift deletion: move later entries of the probe run back
        // unless their home lies cyclically in (hole, next].
        index[hole] = 0
        var next = (hole + 1) & mask
        while index[next] != 0 {
            let home = Int(truncatingIfNeeded: hash(of: ordered[position(index[next])])) & mask
            let homeInRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !homeInRange {
                index[hole] = index[next]
                index[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
        return removed
    }
}
