/// Why a data point is refused, wherever it is refused: the one list behind
/// the `reason` and `stage` labels of `opensre_collector_points_refused_total`,
/// the once-a-minute refusal log line and the sender's `partial_success`
/// message. Decoding refuses with the receiver-stage reasons (with a detail
/// naming the metric or field); the series store with the processor-stage
/// ones, whose messages are fixed.
///
/// Processor-stage reasons are declared in the order their messages join
/// `error_message`.
package enum RefusalReason: Int, CaseIterable, Sendable {
    // Receiver stage: while decoding.
    case missingTemporality
    case missingValue
    case invalidHistogram
    case invalidExponentialHistogram
    case attributesTooLarge
    /// A metric name, unit or description longer than its limit (`OTLPLimits`).
    case metadataTooLong
    /// A point timestamped too far past the receiver's clock (`OTLPLimits.futureTolerance`).
    case futureTimestamp
    /// A point attribute whose key makes no label name (``LabelNameRule``).
    case invalidLabelName
    /// A span that cannot be measured (no end time, or it ends before it starts).
    case invalidSpan

    // Processor stage: while folding into the series store.
    case deltaOverlap
    case deltaOlderStart
    case deltaOutOfOrder
    case typeConflict
    case invalidName
    case cardinalityLimit
    case seriesBytesLimit
    case outOfOrder

    /// Where the point was refused: the self-metric's `stage`.
    package enum Stage: String, Sendable {
        case receiver
        case processor
    }

    package var stage: Stage { rawValue < RefusalReason.deltaOverlap.rawValue ? .receiver : .processor }

    /// The reasons of one stage, in declaration order.
    package static func all(in stage: Stage) -> [RefusalReason] { allCases.filter { $0.stage == stage } }

    /// The self-metric's and the log line's `reason`.
    package var label: String {
        switch self {
        case .missingTemporality: "missing_temporality"
        case .missingValue: "missing_value"
        case .invalidHistogram: "invalid_histogram"
        case .invalidExponentialHistogram: "invalid_exponential_histogram"
        case .attributesTooLarge: "attributes_too_large"
        case .metadataTooLong: "metadata_too_long"
        case .futureTimestamp: "future_timestamp"
        case .invalidLabelName: "invalid_label_name"
        case .invalidSpan: "invalid_span"
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

    /// What the sender is told for a processor-stage refusal; a type conflict
    /// names the family it lost to. Nil for receiver-stage reasons: their
    /// message is a detail built where they are found, naming the metric or field.
    package func message(conflictingFamily: String? = nil) -> String? {
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
        case .missingTemporality, .missingValue, .invalidHistogram, .invalidExponentialHistogram,
            .attributesTooLarge, .metadataTooLong, .futureTimestamp, .invalidLabelName, .invalidSpan:
            nil
        }
    }
}
