/// A job's golden signals per minute over the last six hours, for
/// `GET /api/v1/golden` (and the golden-signals page): the requests, errors
/// and latency-bucket counts that arrived in each minute (by the collector's
/// clock, as the SLO engine counts), and the highest CPU saturation seen in
/// it. A ring of 360 minutes of 17 counters (requests, errors, the 15 golden
/// latency buckets), the minute and one saturation value, 360 × (8 + 17 × 8
/// + 8) = 54,720 bytes per job, allocated at its first request.
///
/// Saturation is the job's `resource="cpu"` value as
/// `opensre_golden_saturation_ratio` shows it (the sum of its
/// `process.cpu.utilization` / `container.cpu.utilization` series, idle left
/// out), taken after every batch that carried one of those points. Only `cpu`:
/// `host_cpu` and `host_memory` describe the host, shared by every job on it,
/// and `jvm_memory` is a heap that a collection empties; the job's own CPU is
/// the saturation its latency answers to. NaN marks a minute without a value.
struct GoldenHistory {
    static let minutes = 360
    static let buckets = GoldenSignals.boundaries.count + 1
    private static let fields = 2 + buckets

    /// One minute: its start (Unix minutes) and what arrived in it.
    struct Minute: Equatable {
        var minute: Int64
        var requests: UInt64
        var errors: UInt64
        /// Per golden bucket (not cumulative); the last is `+Inf`.
        var buckets: [UInt64]
        /// The highest CPU saturation seen in the minute; nil without one.
        var saturation: Double? = nil
    }

    private var minuteOfSlot = [Int64](repeating: .min, count: minutes)
    private var counts = [UInt64](repeating: 0, count: minutes * fields)
    private var saturation = [Double](repeating: .nan, count: minutes)

    /// The slot of `minute`, cleared when it held a minute six hours older;
    /// nil for a minute older than the ring holds.
    mutating func slot(for minute: Int64) -> Int? {
        let slot = Self.slotIndex(minute)
        if minuteOfSlot[slot] != minute {
            guard minute > minuteOfSlot[slot] else { return nil }
            minuteOfSlot[slot] = minute
            let base = slot * Self.fields
            for field in 0..<Self.fields { counts[base + field] = 0 }
            saturation[slot] = .nan
        }
        return slot
    }

    /// Adds to a slot ``slot(for:)`` returned: requests, errors and one golden bucket's count.
    mutating func add(slot: Int, requests: UInt64, errors: UInt64) {
        counts[slot * Self.fields] &+= requests
        counts[slot * Self.fields + 1] &+= errors
    }

    mutating func add(slot: Int, bucket: Int, count: UInt64) {
        counts[slot * Self.fields + 2 + bucket] &+= count
    }

    /// Adds one point's requests, errors and per-bucket counts at once (the
    /// ingest path: one access to the ring per point, not one per bucket).
    mutating func add(slot: Int, requests: UInt64, errors: UInt64, buckets: UnsafeBufferPointer<UInt64>) {
        let base = slot * Self.fields
        counts.withUnsafeMutableBufferPointer { counts in
            counts[base] &+= requests
            counts[base + 1] &+= errors
            for (index, count) in buckets.prefix(Self.buckets).enumerated() { counts[base + 2 + index] &+= count }
        }
    }

    /// Keeps the highest saturation seen in a slot's minute.
    mutating func record(slot: Int, saturation value: Double) {
        guard value.isFinite else { return }
        if saturation[slot].isNaN || value > saturation[slot] { saturation[slot] = value }
    }

    private static func slotIndex(_ minute: Int64) -> Int {
        Int(((minute % Int64(minutes)) + Int64(minutes)) % Int64(minutes))
    }

    /// The `count` minutes ending with `last` (inclusive), oldest first;
    /// minutes without data (or older than the ring) are zeros.
    func window(endingAt last: Int64, count: Int) -> [Minute] {
        let count = min(count, Self.minutes)
        return (0..<count).map { offset in
            let minute = last - Int64(count - 1 - offset)
            let slot = Self.slotIndex(minute)
            guard minuteOfSlot[slot] == minute else {
                return Minute(minute: minute, requests: 0, errors: 0, buckets: Array(repeating: 0, count: Self.buckets))
            }
            let base = slot * Self.fields
            return Minute(
                minute: minute, requests: counts[base], errors: counts[base + 1],
                buckets: Array(counts[(base + 2)..<(base + Self.fields)]),
                saturation: saturation[slot].isNaN ? nil : saturation[slot])
        }
    }
}
