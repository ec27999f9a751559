/// Per-minute event counts over one SLO period, in a ring: slot `m % count`
/// holds minute `m` (Unix minutes); a slot whose minute is stale counts as empty.
struct SLOSlots: Sendable, Equatable {
    let count: Int
    private(set) var minutes: [Int64]
    private(set) var totals: [UInt64]
    /// Good events for a `good`-based SLO, bad events for a `bad`-based one.
    private(set) var selected: [UInt64]

    init(minutes count: Int) {
        self.count = count
        minutes = Array(repeating: -1, count: count)
        totals = Array(repeating: 0, count: count)
        selected = Array(repeating: 0, count: count)
    }

    mutating func add(minute: Int64, total: UInt64, selected: UInt64) {
        let index = Int(minute.modulo(count))
        if minutes[index] != minute {
            minutes[index] = minute
            totals[index] = 0
            self.selected[index] = 0
        }
        totals[index] &+= total
        self.selected[index] &+= selected
    }

    /// Sums over the minutes in (`now` − `width`, `now`].
    func sum(endingAt now: Int64, width: Int) -> (total: UInt64, selected: UInt64) {
        var total: UInt64 = 0
        var selected: UInt64 = 0
        for minute in (now - Int64(min(width, count)) + 1)...now {
            let index = Int(minute.modulo(count))
            if minutes[index] == minute {
                total &+= totals[index]
                selected &+= self.selected[index]
            }
        }
        return (total, selected)
    }

    /// The counts of one minute (zero when the slot holds another minute).
    func counts(at minute: Int64) -> (total: UInt64, selected: UInt64) {
        let index = Int(minute.modulo(count))
        return minutes[index] == minute ? (totals[index], selected[index]) : (0, 0)
    }

    /// Non-empty slots, for persistence.
    var occupied: [(minute: Int64, total: UInt64, selected: UInt64)] {
        minutes.indices.compactMap { index in
            minutes[index] >= 0 ? (minutes[index], totals[index], selected[index]) : nil
        }
    }
}

extension Int64 {
    fileprivate func modulo(_ divisor: Int) -> Int64 {
        let remainder = self % Int64(divisor)
        return remainder < 0 ? remainder + Int64(divisor) : remainder
    }
}
