import OpenSREModel
import PrometheusExposition

/// One Prometheus metric family: a name with one HELP and one TYPE, and the
/// series of every stream that maps to that name.
final class MetricFamily {
    let name: MetricName
    /// The first-seen type; streams that would need another are refused.
    let type: PrometheusMetricType
    /// The first non-empty OpenTelemetry description, else a stand-in.
    var help: String
    /// The OpenMetrics `# UNIT` (empty for none).
    let unit: String
    /// The `target_info` family (an info metric in OpenMetrics).
    let isInfo: Bool
    /// The family's series, in label-text order once sorted (lazily, for rendering).
    private var ordered: [Series] = []
    private var needsSort = false
    /// Series by their rendered label text: two streams whose labels render the
    /// same share one series rather than printing a duplicate line.
    ///
    /// Open addressing (linear probing, backward-shift removal) over the series
    /// themselves, hashed from and compared against their own label text: the
    /// text is kept once, in the series, where a `[[UInt8]: Series]` dictionary
    /// would hold a second copy of every key. Only series creation and removal
    /// use it, never the ingest of a known series.
    private var index: [Series?] = []

    /// Hashes label text for `index`; seeded per process, as Swift's own
    /// dictionaries are, so that colliding label sets cannot be prepared ahead.
    private static let seed = UInt64.random(in: .min ... .max)

    init(name: String, type: PrometheusMetricType, help: String, unit: String = "", isInfo: Bool = false) {
        self.name = MetricName(name)
        self.type = type
        self.help = help
        self.unit = unit
        self.isInfo = isInfo
    }

    var isEmpty: Bool { ordered.isEmpty }
    var seriesCount: Int { ordered.count }

    /// The series with `labelText`, created when absent.
    func series(labelText: [UInt8], utf8LabelText: [UInt8]? = nil) -> (Series, isNew: Bool) {
        let hash = labelText.withUnsafeBytes { ByteHasher.hash($0, seed: Self.seed) }
        if !index.isEmpty {
            var slot = Int(truncatingIfNeeded: hash) & (index.count - 1)
            while let candidate = index[slot] {
                if candidate.hasLabelText(labelText) { return (candidate, false) }
                slot = (slot + 1) & (index.count - 1)
            }
        }
        let series = Series.make(labelText: labelText, utf8LabelText: utf8LabelText)
        if (ordered.count + 1) * 4 > index.count * 3 {
            rebuildIndex(capacity: ordered.count + 1)
        }
        place(series, hash: hash)
        ordered.append(series)
        needsSort = true
        return (series, true)
    }

    func remove(_ series: Series) {
        guard !series.isRemoved, unindex(series) else { return }
        series.isRemoved = true
        ordered.removeAll { $0 === series }
    }

    /// Removes every series last seen before `deadline`; returns how many.
    func expire(before deadline: UInt64) -> Int {
        let expired = ordered.filter { $0.lastSeen < deadline }
        guard !expired.isEmpty else { return 0 }
        for series in expired {
            series.isRemoved = true
        }
        ordered.removeAll { $0.isRemoved }
        if expired.count * 2 > ordered.count {
            rebuildIndex(capacity: ordered.count)
        } else {
            for series in expired { unindex(series) }
        }
        return expired.count
    }

    /// Series in label-text order (sorted lazily, after series were added).
    func sortedSeries() -> [Series] {
        if needsSort {
            ordered.sort { $0.labelTextPrecedes($1) }
            needsSort = false
        }
        return ordered
    }

    // MARK: Index

    private func hash(of series: Series) -> UInt64 {
        series.withLabelText { ByteHasher.hash($0, seed: Self.seed) }
    }

    private func place(_ series: Series, hash: UInt64) {
        let mask = index.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while index[slot] != nil {
            slot = (slot + 1) & mask
        }
        index[slot] = series
    }

    /// A fresh index of `ordered` with room for `capacity` series.
    /// (At most half full, so that it grows by doubling.)
    private func rebuildIndex(capacity: Int) {
        guard capacity > 0 else {
            index = []
            return
        }
        var size = 8
        while size < capacity * 2 { size <<= 1 }
        index = Array(repeating: nil, count: size)
        for series in ordered {
            place(series, hash: hash(of: series))
        }
    }

    /// Takes `series` out of the index; false when it was not there.
    @discardableResult
    private func unindex(_ series: Series) -> Bool {
        guard !index.isEmpty else { return false }
        let mask = index.count - 1
        var hole = Int(truncatingIfNeeded: hash(of: series)) & mask
        while true {
            guard let candidate = index[hole] else { return false }
            if candidate === series { break }
            hole = (hole + 1) & mask
        }
        // Backward-shift deletion: move later entries of the probe run back
        // unless their home lies cyclically in (hole, next].
        index[hole] = nil
        var next = (hole + 1) & mask
        while let moving = index[next] {
            let home = Int(truncatingIfNeeded: hash(of: moving)) & mask
            let homeInRange = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !homeInRange {
                index[hole] = moving
                index[next] = nil
                hole = next
            }
            next = (next + 1) & mask
        }
        return true
    }
}
