import OpenSREModel

/// A batch on its way to the processor, with who to tell when it is applied.
struct QueuedBatch: Sendable {
    var batch: DecodedBatch
    var completion: (@Sendable (ApplyReport) -> Void)?
    /// Its admission, taken back once it is applied.
    var ticket: SeriesAdmission.Ticket
    /// Monotonic nanoseconds when it was queued (for the queue-wait self-metric).
    var queuedAt: UInt64
}
