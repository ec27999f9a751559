import OpenSREModel

/// Decides, per request on one event loop, whether the receiver may answer
/// `200` as soon as the batch is queued (the fast path), or must wait for the
/// processor's report so that `partial_success` counts every refused point.
///
/// The processor can refuse a point of a gauge, cumulative sum, histogram or
/// summary for its stream's name or type (settled once the stream has been
/// accepted), for the series caps (checked separately and atomically across
/// loops, ``BatchProcessor/admit(_:)``), and for being older than the point
/// its series holds (out of order). So a stream is acknowledged at once only
/// when the processor has reported it accepted, every point of the request is
/// at or after the stream's watermark (the newest point time the processor
/// reported for it, raised by every point this loop has queued for it since,
/// on either path), and the request's own points of the stream come in time
/// order. A loop's own connections are queued in order
/// into one ring, so, for the connections of one event loop, a fast answer is
/// exact. Delta streams always wait (an overlap depends on start times).
///
/// What cannot be known without waiting: another event loop's connection
/// queuing newer points of the same series in between. When the processor
/// then refuses points of a batch already acknowledged, they are counted
/// (`opensre_collector_points_refused_total`) and logged, and it bumps
/// ``BatchProcessor/acknowledgementEpoch``; every loop then forgets its
/// streams, so from its next request on each waits until it has learned them anew.
///
/// Not thread-safe: one per event loop, inside its ``PipelineEntrance``.
struct AcknowledgementPolicy {
    private struct Watermark {
        /// The newest point time queued or reported for the stream.
        var newest: UInt64
        /// Whether the processor has reported the stream accepted (in the current generation).
        var accepted: Bool
    }

    private var streams: [UInt64: Watermark] = [:]
    /// Bumped whenever `streams` is forgotten: reports for batches queued
    /// before then may miss points queued meanwhile, so they teach nothing.
    private(set) var generation: UInt64 = 0
    private var epoch: UInt64 = 0
    /// Streams remembered per loop; forgetting only makes a request wait.
    static let streamLimit = 100_000

    /// Whether `batch` may be answered at once; records its points' times
    /// either way (call once per batch, right before it is queued).
    /// - Parameter epoch: the processor's current ``BatchProcessor/acknowledgementEpoch``.
    mutating func admit(_ batch: DecodedBatch, epoch: UInt64, mayRefuseSeries: Bool) -> Bool {
        if epoch != self.epoch || streams.count + batch.streams.count > Self.streamLimit {
            forget()
            self.epoch = epoch
        }
        var immediate = !mayRefuseSeries
        batch.points.withUnsafeBufferPointer { points in
            for stream in batch.streams {
                guard stream.temporality != .delta else {
                    immediate = false
                    continue
                }
                var oldest = UInt64.max
                var newest: UInt64 = 0
                var inOrder = true
                for index in stream.pointRange {
                    let time = points[index].time
                    // Within the request too: a later point of a series older than an earlier one is refused.
                    inOrder = inOrder && time >= newest
                    oldest = min(oldest, time)
                    newest = max(newest, time)
                }
                let mark = streams[stream.identityHash]
                if let mark, mark.accepted, inOrder, oldest >= mark.newest {
                    // Known and in order.
                } else {
                    immediate = false
                }
                streams[stream.identityHash] = Watermark(
                    newest: max(mark?.newest ?? 0, newest), accepted: mark?.accepted ?? false)
            }
        }
        return immediate
    }

    /// Learns from the processor's report on a batch admitted in `generation`.
    mutating func learn(_ report: ApplyReport, generation: UInt64) {
        guard generation == self.generation else { return }
        for stream in report.safeStreams {
            let newest = max(streams[stream.identity]?.newest ?? 0, stream.newestTime)
            streams[stream.identity] = Watermark(newest: newest, accepted: true)
        }
    }

    private mutating func forget() {
        streams.removeAll(keepingCapacity: true)
        generation &+= 1
    }
}
