/// Data points the decoder refused, with the reasons, for the OTLP
/// `partial_success` answer and the collector's self-metrics.
package struct RejectedPoints: Sendable, Equatable {
    /// How many points were rejected in all.
    package private(set) var count = 0
    /// Distinct reasons, in the order first seen (at most ``maximumReasons``).
    package private(set) var reasons: [String] = []
    /// Counts by machine-readable cause (the `reason` label of the self-metric).
    package private(set) var byCause: [Cause: Int] = [:]

    package static let maximumReasons = 4

    /// Why points are refused while decoding.
    package enum Cause: String, Sendable, CaseIterable {
        case missingTemporality = "missing_temporality"
        case missingValue = "missing_value"
        case invalidHistogram = "invalid_histogram"
        case invalidExponentialHistogram = "invalid_exponential_histogram"
        case attributesTooLarge = "attributes_too_large"
        /// A metric name, unit or description longer than its limit (`OTLPLimits`).
        case metadataTooLong = "metadata_too_long"
        /// A point timestamped too far past the receiver's clock (`OTLPLimits.futureTolerance`).
        case futureTimestamp = "future_timestamp"
        /// A point attribute whose key makes no label name (``LabelNameRule``).
        case invalidLabelName = "invalid_label_name"
    }

    package init() {}

    package mutating func add(_ points: Int, _ cause: Cause, reason: String) {
        guard points > 0 else { return }
        count += points
        byCause[cause, default: 0] += points
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
