/// Data points the decoder refused, with the reasons, for the OTLP
/// `partial_success` answer and the collector's self-metrics.
package struct RejectedPoints: Sendable, Equatable {
    /// How many points were rejected in all.
    package private(set) var count = 0
    /// Distinct reasons, in the order first seen (at most ``maximumReasons``).
    package private(set) var reasons: [String] = []
    /// Counts by reason (the `reason` label of the self-metric).
    package private(set) var counts = RefusalCounts()

    package static let maximumReasons = 4

    package init() {}

    /// Adds points refused while decoding, with the detail the sender is told.
    package mutating func add(_ points: Int, _ refusal: RefusalReason, reason: String) {
        guard points > 0 else { return }
        count += points
        counts[refusal] += points
        if reasons.count < Self.maximumReasons, !reasons.contains(reason) {
            reasons.append(reason)
        }
    }

    /// Adds points refused after decoding (by the processor), for the answer only.
    package mutating func add(_ points: Int, reason: String) {
        guard points > 0 else { return }
        count += points
        if reasons.count < Self.maximumReasons, !reasons.contains(reason) {
            reasons.append(reason)
        }
    }

    /// The `error_message` of `partial_success`.
    package var message: String { reasons.joined(separator: "; ") }
}
