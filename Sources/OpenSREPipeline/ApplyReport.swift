import OpenSREModel

/// What the series store did with one batch: the points it refused, and the
/// non-delta streams it accepted, with the newest point time each holds (the
/// receiver acknowledges later points of those at once, see `OTLPIngestor`).
package struct ApplyReport: Sendable, Equatable {
    /// Points refused, by reason (processor-stage ``RefusalReason``s).
    package var refused = RefusalCounts()
    /// A family name involved in a type conflict, for the message.
    package var conflictingFamily: String?
    /// Accepted, non-delta streams: only an older point than `newestTime`
    /// can be refused as out of order, and their type and name are settled.
    package var safeStreams: [SafeStream] = []

    package init() {}

    /// The refusals with their messages, as `partial_success` reports them.
    package func add(to rejected: inout RejectedPoints) {
        for refusal in RefusalReason.all(in: .processor) where refused[refusal] > 0 {
            if let message = refusal.message(conflictingFamily: conflictingFamily) {
                rejected.add(refused[refusal], reason: message)
            }
        }
    }

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
