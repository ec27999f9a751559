/// Why the processor refuses a point: the one list behind the `reason` label
/// of `opensre_collector_points_refused_total{stage="processor"}`, the
/// once-a-minute refusal log line and the sender's `partial_success` message.
/// (Refusals while decoding are ``RejectedPoints/Cause``.)
///
/// Declared in the order their messages join `error_message`.
package enum ProcessorRefusal: Int, CaseIterable, Sendable {
    case deltaOverlap
    case deltaOlderStart
    case deltaOutOfOrder
    case typeConflict
    case invalidName
    case cardinalityLimit
    case seriesBytesLimit
    case outOfOrder

    /// The self-metric's and the log line's `reason`.
    package var label: String {
        switch self {
        case .deltaOverlap: "delta_overlap"
        case .deltaOlderStart: "delta_older_start"
        case .deltaOutOfOrder: "delta_out_of_order"
        case .typeConflict: "type_conflict"
        case .invalidName: "invalid_name"
        case .cardinalityLimit: "cardinality_limit"
        case .seriesBytesLimit: "series_bytes_limit"
        case .outOfOrder: "out_of_order"
        }
    }

    /// What the sender is told; a type conflict names the family it lost to.
    package func message(conflictingFamily: String? = nil) -> String {
        switch self {
        case .deltaOverlap: "delta points overlap data already accumulated (start time before the previous point's end)"
        case .deltaOlderStart: "delta points start before their series' start (two writers of one series?)"
        case .deltaOutOfOrder: "delta points end at or before the last point of their series (sent twice, or out of order)"
        case .typeConflict:
            "metric \(conflictingFamily ?? "") conflicts with the type of the existing family of that name"
        case .invalidName: "metric name leaves no valid Prometheus name"
        case .cardinalityLimit: "new series refused: the collector's series limit is reached"
        case .seriesBytesLimit: "new series refused: the collector's series memory bound (max_series_bytes) is reached"
        case .outOfOrder: "points older than the latest point of their series (out of order; the newer value is kept)"
        }
    }
}

/// Points refused by the processor, counted by ``ProcessorRefusal``, in fixed
/// inline storage (an apply report is made per batch: no allocation).
package struct RefusalCounts: Sendable, Equatable {
    /// One lane per refusal: 8 lanes for the 8 refusals (a ninth needs SIMD16;
    /// `ProcessorRefusalTests` checks they fit).
    private var lanes = SIMD8<Int>()

    package init() {}

    package subscript(_ refusal: ProcessorRefusal) -> Int {
        get { lanes[refusal.rawValue] }
        set { lanes[refusal.rawValue] = newValue }
    }

    /// All refused points.
    package var total: Int { lanes.wrappedSum() }

    /// What was refused between two readings (`later - earlier`).
    package static func - (later: RefusalCounts, earlier: RefusalCounts) -> RefusalCounts {
        var difference = RefusalCounts()
        difference.lanes = later.lanes &- earlier.lanes
        return difference
    }

    package static func += (counts: inout RefusalCounts, more: RefusalCounts) {
        counts.lanes &+= more.lanes
    }
}

extension SeriesState.Outcome {
    /// The refusal this outcome is, if it is one.
    var refusal: ProcessorRefusal? {
        switch self {
        case .applied: nil
        case .rejectedOutOfOrder: .outOfOrder
        case .rejectedOverlap: .deltaOverlap
        case .rejectedOlderStart: .deltaOlderStart
        case .rejectedOutOfOrderEnd: .deltaOutOfOrder
        }
    }
}
