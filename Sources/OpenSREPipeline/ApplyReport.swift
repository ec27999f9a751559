import OpenSREModel

/// What the series store did with one batch: the points it refused, and the
/// non-delta streams it accepted, with the newest point time each holds (the
/// receiver acknowledges later points of those at once, see `OTLPIngestor`).
package struct ApplyReport: Sendable, Equatable {
    /// Delta points overlapping data already accumulated.
    package var overlap = 0
    /// Delta points starting before their series' start.
    package var olderStart = 0
    /// Delta points ending at or before the last point added to their series.
    package var outOfOrderEnd = 0
    /// Points of metrics whose type conflicts with their family's.
    package var typeConflict = 0
    /// Points of metrics whose name leaves nothing valid.
    package var invalidName = 0
    /// Points of new series refused by the cardinality limits.
    package var cardinality = 0
    /// Gauge, cumulative and summary points older than the point their
    /// series holds (the newer one is kept).
    package var outOfOrder = 0
    /// Points of new series refused by `max_series_bytes`.
    package var seriesBytes = 0
    /// A family name involved in a type conflict, for the message.
    package var conflictingFamily: String?
    /// Accepted, non-delta streams: only an older point than `newestTime`
    /// can be refused as out of order, and their type and name are settled.
    package var safeStreams: [SafeStream] = []

    package init() {}

    package var refused: Int {
        overlap + olderStart + outOfOrderEnd + typeConflict + invalidName + cardinality + seriesBytes + outOfOrder
    }

    /// The `partial_success` message for points refused by `max_series_bytes`.
    package static let seriesBytesReason =
        "new series refused: the collector's series memory bound (max_series_bytes) is reached"

    /// A stream whose later points the processor can only refuse when they
    /// are older than `newestTime`.
    package struct SafeStream: Sendable, Equatable {
        /// The stream's identity hash (resource, scope, metric).
        package var identity: UInt64
        /// The newest point time (Unix ns) any series of the stream has taken.
        package var newestTime: UInt64

        package init(identity: UInt64, newestTime: UInt64) {
            self.identity = identity
            self.newestTime = newestTime
        }
    }
}

/// A batch on its way to the processor, with who to tell when it is applied.
struct QueuedBatch: Sendable {
    var batch: DecodedBatch
    var completion: (@Sendable (ApplyReport) -> Void)?
    /// What applying it can add to the store's bytes at most (``SeriesBytesBound``).
    var boundBytes: Int
    /// Monotonic nanoseconds when it was queued (for the queue-wait self-metric).
    var queuedAt: UInt64
}
