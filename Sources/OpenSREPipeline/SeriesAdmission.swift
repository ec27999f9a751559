import OpenSREModel
import Synchronization

/// What a batch may still add to the series store, as the event loops see
/// it: whether the caps (`max_series`, `max_series_per_metric`,
/// `max_series_bytes`) might refuse new series of a batch, so that the
/// receiver waits for the processor's report instead of answering at once.
///
/// Admitting a batch adds its points and its byte bound to what is admitted
/// *before* comparing with the headroom, in one atomic step each: of two
/// batches that together cross a cap, the later one sees the earlier and
/// waits, whichever event loops they come from. The processor publishes the
/// headroom left after applying batches (release) before it takes their
/// admission back (release), and admitting reads them in the other order
/// (acquire), so a loop never pairs a stale headroom with an admission
/// already taken back.
package final class SeriesAdmission: Sendable {
    /// A batch counted as admitted (taken back when it is applied or not queued).
    package struct Ticket: Sendable {
        let points: Int
        /// What applying it can add to the store's bytes at most (``SeriesBytesBound``).
        let boundBytes: Int
        /// Whether the caps might refuse some of its new series.
        package let mayRefuseSeries: Bool
    }

    private let bound: SeriesBytesBound
    /// New series the store can still take (published after every drain).
    private let seriesHeadroom = Atomic<Int>(0)
    /// Bytes of new series the store can still take (published after every batch).
    private let bytesHeadroom = Atomic<Int>(0)
    /// Points of batches admitted and not yet reflected in `seriesHeadroom`.
    private let admittedPoints = Atomic<Int>(0)
    /// Byte bounds of batches admitted and not yet reflected in `bytesHeadroom`.
    private let admittedBytes = Atomic<Int>(0)

    init(bound: SeriesBytesBound, store: SeriesStore) {
        self.bound = bound
        publish(seriesHeadroomOf: store)
        publish(bytesHeadroomOf: store)
    }

    /// Counts `batch` as admitted; on the event loop, before it is queued.
    func admit(_ batch: DecodedBatch) -> Ticket {
        let boundBytes = bound.bytes(of: batch)
        let points = admittedPoints.add(batch.pointCount, ordering: .acquiringAndReleasing).newValue
        let bytes = admittedBytes.add(boundBytes, ordering: .acquiringAndReleasing).newValue
        let mayRefuse =
            points >= seriesHeadroom.load(ordering: .acquiring) || bytes >= bytesHeadroom.load(ordering: .acquiring)
        return Ticket(points: batch.pointCount, boundBytes: boundBytes, mayRefuseSeries: mayRefuse)
    }

    /// Whether `batch` would be admitted as one the caps might refuse series
    /// of, without admitting it.
    func mayRefuseSeries(_ batch: DecodedBatch) -> Bool {
        batch.pointCount + admittedPoints.load(ordering: .acquiring) >= seriesHeadroom.load(ordering: .acquiring)
            || bound.bytes(of: batch) + admittedBytes.load(ordering: .acquiring) >= bytesHeadroom.load(ordering: .acquiring)
    }

    /// Takes back a ticket whose batch was not queued.
    func withdraw(_ ticket: Ticket) {
        admittedPoints.subtract(ticket.points, ordering: .releasing)
        admittedBytes.subtract(ticket.boundBytes, ordering: .releasing)
    }

    /// After the processor applied a batch: the bytes left, then its bound taken back.
    func applied(_ ticket: Ticket, to store: SeriesStore) {
        publish(bytesHeadroomOf: store)
        admittedBytes.subtract(ticket.boundBytes, ordering: .releasing)
    }

    /// After a drain: the series left (computed once per drain, it scans the
    /// families), then the drained batches' points taken back.
    func drained(points: Int, from store: SeriesStore) {
        publish(seriesHeadroomOf: store)
        admittedPoints.subtract(points, ordering: .releasing)
    }

    private func publish(seriesHeadroomOf store: SeriesStore) {
        seriesHeadroom.store(store.seriesHeadroom, ordering: .releasing)
    }

    private func publish(bytesHeadroomOf store: SeriesStore) {
        bytesHeadroom.store(store.seriesBytesHeadroom, ordering: .releasing)
    }
}
