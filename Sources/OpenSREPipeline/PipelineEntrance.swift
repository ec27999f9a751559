import OpenSREModel

/// One event loop's way into the processor: admits and queues decoded
/// batches, and decides whether their sender is answered as soon as a batch
/// is queued or once it is applied (so that `partial_success` counts every
/// point the processor refuses; the rule is ``AcknowledgementPolicy``'s).
/// Receivers of every transport go through it and do not decide this
/// themselves.
///
/// Not thread-safe: one per event loop (feeding that loop's ring), used only
/// on it; ``settle(_:of:rejected:)`` too runs there.
package struct PipelineEntrance {
    private let processor: BatchProcessor
    private let ring: Int
    private var acknowledgement = AcknowledgementPolicy()

    package init(processor: BatchProcessor, ring: Int) {
        self.processor = processor
        self.ring = ring
    }

    /// What became of a submitted batch, and when to answer its sender.
    package enum Decision {
        /// Queued; the processor cannot refuse any of its points: answer now.
        case answerNow
        /// Queued; the processor may refuse points: answer once the report
        /// reaches the completion `submit` was given, through ``settle(_:of:rejected:)``.
        case answerAfterApply(Pending)
        /// Not queued: the loop's ring is full (the sender should retry).
        case full
        /// Not queued: the processor is stopping.
        case stopping
    }

    /// A batch waiting for its report.
    package struct Pending {
        fileprivate let generation: UInt64
    }

    /// Admits and queues `batch`. `whenApplied` is called only when the
    /// answer must wait, and gives the completion the processor calls with
    /// the report (on its thread: hop back to this loop before ``settle(_:of:rejected:)``).
    /// When such a batch is then not queued, the completion gets an empty report.
    package mutating func submit(
        _ batch: DecodedBatch, whenApplied: () -> @Sendable (ApplyReport) -> Void
    ) -> Decision {
        let ticket = processor.admit(batch)
        let immediate = acknowledgement.admit(
            batch, epoch: processor.acknowledgementEpoch, mayRefuseSeries: ticket.mayRefuseSeries)
        if immediate {
            return Self.decision(processor.submit(batch, ring: ring, ticket: ticket), else: .answerNow)
        }
        let pending = Pending(generation: acknowledgement.generation)
        let completion = whenApplied()
        let result = processor.submit(batch, ring: ring, ticket: ticket, completion: completion)
        if result != .accepted { completion(ApplyReport()) }
        return Self.decision(result, else: .answerAfterApply(pending))
    }

    /// Learns from the report of a batch that waited, and returns what its
    /// sender is told was refused: the decoder's refusals and the processor's.
    package mutating func settle(_ report: ApplyReport, of pending: Pending, rejected: RejectedPoints) -> RejectedPoints {
        acknowledgement.learn(report, generation: pending.generation)
        var rejected = rejected
        report.add(to: &rejected)
        return rejected
    }

    private static func decision(_ result: BatchProcessor.SubmitResult, else queued: Decision) -> Decision {
        switch result {
        case .accepted: queued
        case .full: .full
        case .stopping: .stopping
        }
    }
}
