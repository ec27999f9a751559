import OpenSREModel
import PrometheusExposition

/// Something that derives state of its own from the points the store folds
/// into series: the SLO engine's events (``SLOFeed``), the golden signals
/// (``GoldenSignals``). The store calls its observers at fixed moments and
/// keeps the slots they set on streams and series; what they compute is
/// theirs. Called on the processor thread only.
///
/// The store shows an observer only what it asked for, so that its hot path
/// pays one test for everything else: new series only of streams some
/// observer follows (``streamCreated(_:decoded:metric:job:resource:resourceBytes:)``
/// returned true), points only of series that asked for them when they were
/// created (``Series/followPoints()``).
protocol SeriesObserver: AnyObject {
    /// Before any point of a batch is folded. `stream` finds a decoded
    /// stream's accumulator stream, creating it when new (nil when refused).
    func willApply(
        _ batch: DecodedBatch, bytes: UnsafeRawBufferPointer, points: UnsafeBufferPointer<DecodedPoint>,
        stream: (DecodedStream) -> MetricStream?)

    /// A new stream of a family: `metric` is its OpenTelemetry name, `job`
    /// its resource's, `resource` its resource's attributes (and canonical
    /// bytes). Returns whether the observer follows its series. The stream
    /// may still be refused by `max_series_bytes` (its cost counts the
    /// observers' slots).
    func streamCreated(
        _ stream: MetricStream, decoded: DecodedStream, metric: String, job: String, resource: [Attribute],
        resourceBytes: UnsafeRawBufferPointer) -> Bool

    /// A new series of `stream`; `identity` is the stream's identity bytes
    /// (resource, scope, metric), `attributes` the series' canonical bytes.
    func seriesCreated(
        _ series: Series, of stream: MetricStream, attributes: UnsafeRawBufferPointer, identity: UnsafeRawBufferPointer)

    /// A point was accepted into `series`, whose state now includes it.
    /// `wallClock` (Unix ns) is when the batch was applied.
    func folded(_ point: DecodedPoint, into series: Series, of stream: MetricStream, wallClock: UInt64)

    /// After every point of the batch.
    func didApply()

    /// After expiry, with the streams the store still holds.
    func didExpire(keeping streams: [MetricStream])

    /// Warnings collected since the last call, for the processor to log.
    func takeWarnings() -> [String]

    /// What the observer shows in a scrape, reading `store` where it needs to.
    func scrapeSource(reading store: SeriesStore) -> (any MetricFamilySource)?
}

extension SeriesObserver {
    func willApply(
        _ batch: DecodedBatch, bytes: UnsafeRawBufferPointer, points: UnsafeBufferPointer<DecodedPoint>,
        stream: (DecodedStream) -> MetricStream?
    ) {}
    func didApply() {}
    func didExpire(keeping streams: [MetricStream]) {}
    func takeWarnings() -> [String] { [] }
}
