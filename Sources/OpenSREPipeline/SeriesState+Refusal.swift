import OpenSREModel

extension SeriesState.Outcome {
    /// The refusal this outcome is, if it is one.
    var refusal: RefusalReason? {
        switch self {
        case .applied: nil
        case .rejectedOutOfOrder: .outOfOrder
        case .rejectedOverlap: .deltaOverlap
        case .rejectedOlderStart: .deltaOlderStart
        case .rejectedOutOfOrderEnd: .deltaOutOfOrder
        }
    }
}
