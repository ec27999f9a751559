import OpenSREModel
import PrometheusExposition

/// The accumulator: the aggregated state of every series. Applies folded
/// batches, expires series, and owns the streams, series and families; a
/// scrape reads its families as one ``MetricFamilySource`` among others.
/// What is derived from the points (SLO events, golden signals) is done by
/// its ``SeriesObserver``s, which it calls at fixed moments.
///
/// Owned by the batching processor's thread: nothing here is synchronized.
/// A point is found in two steps, both without allocating: its stream by the
/// hash and bytes of (resource, scope, metric name, kind, temporality, unit),
/// computed once per request; then its series by the hash and bytes of its
/// attributes, computed by the decoder. Names and label text are rendered
/// once, when a stream or series is first seen, so a scrape only copies bytes
/// and formats numbers.
package final class SeriesStore {
    let settings: ExpositionSettings
    /// Family names and fixed labels of new streams.
    let naming: StreamNaming
    var streams = SeriesTable<MetricStream>()
    var families: [String: MetricFamily] = [:]
    var sortedFamilies: [MetricFamily]?
    /// target_info series by the canonical bytes of their resource.
    var targets = SeriesTable<Series>()
    let scrapeSizeHint = ScrapeSizeHint()
    package internal(set) var statistics = ProcessorStatistics()
    /// Told about new streams and series and about the points of the series they follow.
    let observers: [any SeriesObserver]
    /// Series exposed (kept up to date for the cardinality limits).
    var totalSeries = 0
    /// Bytes the store holds as ``SeriesAccounting`` counts them (kept up to
    /// date at creation, removal and expiry, for `max_series_bytes`).
    package internal(set) var seriesBytes = 0
    /// `max_series_bytes`, resolved (``ExpositionSettings/maxSeriesBytes``).
    let maxSeriesBytes: Int
    /// Series that expired since an exporter last took them (for stale
    /// markers); nil, and nothing kept, until an exporter asks for them.
    var endedSeries: [any ExposedFamily]?

    /// How many more bytes of series may be created before `max_series_bytes` refuses one.
    package var seriesBytesHeadroom: Int { max(0, maxSeriesBytes - seriesBytes) }

    /// How many new series could still be created before a limit refuses one
    /// (the tighter of the total and the fullest family's headroom).
    package var seriesHeadroom: Int {
        max(0, min(settings.maxSeries - totalSeries, settings.maxSeriesPerMetric - largestFamily))
    }

    var largestFamily: Int {
        families.values.lazy.map(\.seriesCount).max() ?? 0
    }

    /// Where new series' label texts are rendered (reused: see
    /// ``makeSeries(for:attributes:stateBytes:)``), and their UTF-8 form's
    /// with a translation strategy that keeps UTF-8 names.
    var labelRenderer = LabelTextRenderer()
    var utf8LabelRenderer = LabelTextRenderer()

    init(settings: ExpositionSettings, observers: [any SeriesObserver]) {
        self.settings = settings
        self.observers = observers
        maxSeriesBytes = settings.maxSeriesBytes ?? ExpositionSettings.defaultMaxSeriesBytes
        naming = StreamNaming(settings: settings)
    }

    /// Number of series currently exposed (target_info included).
    package var seriesCount: Int {
        families.values.reduce(0) { $0 + $1.seriesCount }
    }

    /// Folds every point of `batch` into its series; `now` (monotonic
    /// nanoseconds) stamps what was touched, for `metric_expiration`.
    /// `wallClock` (Unix nanoseconds) goes to the observers (the SLO feed
    /// places events in its minute).
    @discardableResult
    package func apply(_ batch: DecodedBatch, now: UInt64 = 0, wallClock: UInt64 = 0) -> ApplyReport {
        var report = ApplyReport()
        batch.bytes.withUnsafeBytes { bytes in
            batch.points.withUnsafeBufferPointer { points in
                for observer in observers {
                    observer.willApply(batch, bytes: bytes, points: points) { self.stream(for: $0, bytes: bytes) }
                }
                for stream in batch.streams {
                    guard let target = self.stream(for: stream, bytes: bytes) else {
                        // A new stream that does not fit in max_series_bytes: all its series would be new.
                        statistics.refused[.seriesBytesLimit] += Int(stream.pointCount)
                        report.refused[.seriesBytesLimit] += Int(stream.pointCount)
                        continue
                    }
                    if let refusal = target.refusal {
                        let count = Int(stream.pointCount)
                        let reason: RefusalReason = refusal == .invalidName ? .invalidName : .typeConflict
                        statistics.refused[reason] += count
                        report.refused[reason] += count
                        if reason == .typeConflict {
                            report.conflictingFamily = report.conflictingFamily ?? target.conflictingName
                        }
                        continue
                    }
                    target.lastSeen = now
                    touchTargetInfo(of: target, now: now)
                    let refusedBefore = statistics.refused
                    var newest = target.newestTime
                    for index in stream.pointRange {
                        newest = max(newest, points[index].time)
                        apply(
                            points[index], of: target, identity: stream.identity, batch: batch, bytes: bytes,
                            now: now, wallClock: wallClock, derived: stream.isDerived)
                    }
                    report.refused += statistics.refused - refusedBefore
                    if stream.temporality != .delta {
                        target.newestTime = newest
                        report.safeStreams.append(.init(identity: stream.identityHash, newestTime: newest))
                    }
                }
            }
        }
        for observer in observers { observer.didApply() }
        return report
    }

    private func apply(
        _ point: DecodedPoint, of stream: MetricStream, identity: SliceRange, batch: DecodedBatch,
        bytes: UnsafeRawBufferPointer, now: UInt64, wallClock: UInt64, derived: Bool
    ) {
        var point = point
        let key = bytes[slice: point.attributes]
        var series = stream.series.find(hash: point.attributesHash, key: key)
        if let found = series, found.isRemoved {
            stream.series.remove(hash: point.attributesHash, key: key)
            seriesBytes -= SeriesAccounting.keyBytes(key.count)
            series = nil
        }
        if point.flags & DataPointFlags.noRecordedValue != 0 {
            if let series {
                stream.series.remove(hash: point.attributesHash, key: key)
                stream.family?.remove(series)
                seriesBytes -= SeriesAccounting.keyBytes(key.count) + series.accountedBytes
                statistics.removedSeries += 1
                totalSeries -= 1
            }
            statistics.acceptedPoints += 1
            return
        }
        var isNew = false
        if series == nil {
            guard let family = stream.family, totalSeries < settings.maxSeries,
                family.seriesCount < settings.maxSeriesPerMetric
            else {
                statistics.refused[.cardinalityLimit] += 1
                return
            }
            // Checked once before the label text is rendered, then with the series' own size.
            guard seriesBytes < maxSeriesBytes,
                let created = makeSeries(
                    for: stream, attributes: key,
                    stateBytes: SeriesAccounting.stateBytes(of: point, kind: stream.kind, batch: batch))
            else {
                statistics.refused[.seriesBytesLimit] += 1
                return
            }
            if created.isNew { totalSeries += 1 }
            stream.series.insert(hash: point.attributesHash, key: key, value: created.series)
            series = created.series
            isNew = created.isNew
            if stream.isObserved {
                for observer in observers {
                    observer.seriesCreated(created.series, of: stream, attributes: key, identity: bytes[slice: identity])
                }
            }
        }
        let target = series!
        target.lastSeen = now
        if derived {
            // Span metrics carry no times: the series starts when first
            // counted and each fold ends later than the last.
            point.startTime = isNew ? wallClock : 0
            point.time = max(wallClock, target.state.lastTime &+ 1)
        }
        let outcome = fold(point, into: &target.state, stream: stream, batch: batch, isNew: isNew)
        if let refusal = outcome.refusal {
            statistics.refused[refusal] += 1
        } else {
            statistics.acceptedPoints += 1
            switch stream.kind {
            case .histogram, .exponentialHistogram, .summary:
                // A later point with more buckets grows the state: counted too.
                seriesBytes += target.growAccountedState(
                    to: SeriesAccounting.stateBytes(of: point, kind: stream.kind, batch: batch))
            case .gauge, .sum:
                break
            }
            if point.exemplars.count > 0 {
                recordExemplars(of: point, into: &target.state, stream: stream, batch: batch, bytes: bytes)
            }
            if let extras = target.extras, extras.wantsPoints {
                for observer in observers { observer.folded(point, into: target, of: stream, wallClock: wallClock) }
            }
        }
    }

    private func fold(
        _ point: DecodedPoint, into state: inout SeriesState, stream: MetricStream, batch: DecodedBatch, isNew: Bool
    ) -> SeriesState.Outcome {
        let delta = stream.temporality == .delta
        switch stream.kind {
        case .gauge:
            return state.applyLatest(value: point.value, startTime: point.startTime, time: point.time, isNew: isNew)
        case .sum where delta:
            return state.applyDelta(value: point.value, startTime: point.startTime, time: point.time, isNew: isNew)
        case .sum:
            return state.applyLatest(value: point.value, startTime: point.startTime, time: point.time, isNew: isNew)
        case .histogram:
            return state.applyHistogram(
                point, bounds: batch.doubles[point.doubles.range], counts: batch.counts[point.counts.range],
                delta: delta, isNew: isNew, sharingBounds: &stream.histogramBounds)
        case .exponentialHistogram:
            let layout = batch.exponentials[Int(point.exponential)]
            let buckets = ExponentialState(
                scale: layout.scale, zeroCount: layout.zeroCount, zeroThreshold: layout.zeroThreshold,
                positive: .init(offset: layout.positiveOffset, counts: Array(batch.counts[layout.positive.range])),
                negative: .init(offset: layout.negativeOffset, counts: Array(batch.counts[layout.negative.range])))
            return state.applyExponential(point, buckets: buckets, delta: delta, isNew: isNew)
        case .summary:
            return state.applySummary(point, quantiles: batch.doubles[point.doubles.range], isNew: isNew)
        }
    }

    /// Takes the warnings collected since the last call.
    package func takeWarnings() -> [String] {
        observers.flatMap { $0.takeWarnings() }
    }

    /// Counters keep their latest exemplar, explicit histograms the latest per
    /// bucket (the compatibility spec); other kinds show none.
    private func recordExemplars(
        of point: DecodedPoint, into state: inout SeriesState, stream: MetricStream, batch: DecodedBatch,
        bytes: UnsafeRawBufferPointer
    ) {
        let exemplars = batch.exemplars[point.exemplars.range]
        switch stream.family?.type {
        case .counter:
            if let last = exemplars.last { state.exemplar = ExemplarLabels.render(last, bytes: bytes) }
        case .histogram where stream.kind == .histogram:
            for exemplar in exemplars { state.recordBucketExemplar(ExemplarLabels.render(exemplar, bytes: bytes)) }
        default:
            break
        }
    }
}

