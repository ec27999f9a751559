/// Points refused, counted by ``RefusalReason``, in fixed inline storage (an
/// apply report is made per batch, a count per request: no allocation).
package struct RefusalCounts: Sendable, Equatable {
    /// One lane per reason: 32 lanes for the 17 reasons (`RefusalReasonTests`
    /// checks they fit).
    private var lanes = SIMD32<Int>()

    package init() {}

    package subscript(_ reason: RefusalReason) -> Int {
        get { lanes[reason.rawValue] }
        set { lanes[reason.rawValue] = newValue }
    }

    /// All refused points.
    package var total: Int { lanes.wrappedSum() }

    /// The reasons with a count, and their counts.
    package var nonZero: [(reason: RefusalReason, count: Int)] {
        RefusalReason.allCases.compactMap { lanes[$0.rawValue] > 0 ? ($0, lanes[$0.rawValue]) : nil }
    }

    /// What was refused between two readings (`later - earlier`).
    package static func - (later: RefusalCounts, earlier: RefusalCounts) -> RefusalCounts {
        var difference = RefusalCounts()
        difference.lanes = later.lanes &- earlier.lanes
        return difference
    }

    package static func += (counts: inout RefusalCounts, more: RefusalCounts) {
        counts.lanes &+= more.lanes
    }

    package static func + (one: RefusalCounts, other: RefusalCounts) -> RefusalCounts {
        var sum = one
        sum += other
        return sum
    }
}
