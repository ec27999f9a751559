/// A job's golden signals per hour over the last 14 days: the baseline an
/// SLO is drafted from (``SLOSuggestion``, `opensre slo suggest`) and that
/// `GET /api/v1/golden` shows. Fed where the six-hour golden history is fed,
/// by the collector's clock, and persisted with the SLO state
/// (``GoldenBaselineFile``).
///
/// A ring of 336 hourly slots (14 × 24) of 17 counters (requests, errors,
/// the 15 golden latency buckets) and the slot's hour: 336 × (8 + 17 × 8) =
/// 48,384 bytes per job (plus two array headers), allocated at its first
/// request. An hour 14 days or more older than the newest one recorded is
/// refused; a slot is cleared when a newer hour takes it over.
package struct GoldenBaseline: Sendable, Equatable {
    package static let days = 14
    package static let hours = days * 24
    private static let fields = 2 + GoldenBuckets.count

    /// One hour: its start (Unix hours, Unix seconds / 3600) and what arrived in it.
    package struct Hour: Sendable, Equatable {
        package var hour: Int64
        package var requests: UInt64
        package var errors: UInt64
        /// Per golden bucket (not cumulative); the last is `+Inf`.
        package var buckets: [UInt64]

        package init(hour: Int64, requests: UInt64, errors: UInt64, buckets: [UInt64]) {
            self.hour = hour
            self.requests = requests
            self.errors = errors
            self.buckets = buckets
        }
    }

    private var hourOfSlot = [Int64](repeating: .min, count: hours)
    private var counts = [UInt64](repeating: 0, count: hours * fields)
    /// The newest hour recorded; `Int64.min` before the first.
    package private(set) var latest: Int64 = .min

    package init() {}

    /// The Unix hour of a Unix minute (floor division).
    package static func hour(ofMinute minute: Int64) -> Int64 {
        minute >= 0 ? minute / 60 : (minute - 59) / 60
    }

    /// The slot of `hour`, cleared when it held an older hour; nil for an
    /// hour 14 days (336 hours) or more before the newest one recorded.
    package mutating func slot(for hour: Int64) -> Int? {
        // (The difference as UInt64: exact for any two Int64 with hour < latest.)
        if latest != .min, hour < latest, UInt64(bitPattern: latest &- hour) >= UInt64(Self.hours) { return nil }
        let slot = Self.slotIndex(hour)
        if hourOfSlot[slot] != hour {
            guard hour > hourOfSlot[slot] else { return nil }
            hourOfSlot[slot] = hour
            let base = slot * Self.fields
            for field in 0..<Self.fields { counts[base + field] = 0 }
        }
        latest = max(latest, hour)
        return slot
    }

    /// Adds requests and errors to a slot ``slot(for:)`` returned.
    package mutating func add(slot: Int, requests: UInt64, errors: UInt64) {
        counts[slot * Self.fields] &+= requests
        counts[slot * Self.fields + 1] &+= errors
    }

    /// Adds to one golden bucket (`0..<15`) of a slot ``slot(for:)`` returned.
    package mutating func add(slot: Int, bucket: Int, count: UInt64) {
        counts[slot * Self.fields + 2 + bucket] &+= count
    }

    /// Adds one point's requests, errors and per-bucket counts at once (the
    /// ingest path: one access to the ring per point, not one per bucket).
    package mutating func add(slot: Int, requests: UInt64, errors: UInt64, buckets: UnsafeBufferPointer<UInt64>) {
        let base = slot * Self.fields
        counts.withUnsafeMutableBufferPointer { counts in
            counts[base] &+= requests
            counts[base + 1] &+= errors
            for (index, count) in buckets.prefix(GoldenBuckets.count).enumerated() { counts[base + 2 + index] &+= count }
        }
    }

    /// Adds a whole hour (restoring a saved baseline); false when refused as too old
    /// or when its bucket count is not the golden one.
    @discardableResult
    package mutating func add(_ hour: Hour) -> Bool {
        guard hour.buckets.count == GoldenBuckets.count, let slot = slot(for: hour.hour) else { return false }
        add(slot: slot, requests: hour.requests, errors: hour.errors)
        for (bucket, count) in hour.buckets.enumerated() { add(slot: slot, bucket: bucket, count: count) }
        return true
    }

    private static func slotIndex(_ hour: Int64) -> Int {
        Int(((hour % Int64(hours)) + Int64(hours)) % Int64(hours))
    }

    /// The `count` hours ending with `last` (inclusive), oldest first; hours
    /// without data (or older than the ring holds) are zeros.
    package func window(endingAt last: Int64, count: Int) -> [Hour] {
        let count = max(0, min(count, Self.hours))
        return (0..<count).map { offset in hour(last - Int64(count - 1 - offset)) }
    }

    /// The hours held (the last 336 up to ``latest``), oldest first: what is persisted.
    package var occupied: [Hour] {
        guard latest != .min else { return [] }
        return window(endingAt: latest, count: Self.hours).filter { hourOfSlot[Self.slotIndex($0.hour)] == $0.hour }
    }

    private func hour(_ hour: Int64) -> Hour {
        let slot = Self.slotIndex(hour)
        guard hourOfSlot[slot] == hour else {
            return Hour(hour: hour, requests: 0, errors: 0, buckets: Array(repeating: 0, count: GoldenBuckets.count))
        }
        let base = slot * Self.fields
        return Hour(
            hour: hour, requests: counts[base], errors: counts[base + 1],
            buckets: Array(counts[(base + 2)..<(base + Self.fields)]))
    }
}
