import OpenSREModel
import PrometheusExposition

/// The golden signals follow the store's latency and saturation series: a
/// latency series records each accepted point's observations into its job's
/// totals; a saturation series is only marked (its latest value is read at
/// scrape time, see ``GoldenSignalSource``), and a `resource="cpu"` one also
/// hands its points over, so that after the batch the job's CPU saturation
/// is recorded in its minute of the six-hour history.
extension GoldenSignals: SeriesObserver {
    /// The stable latency metrics of the batch take over from the old ones of
    /// their resource before any point is recorded, whatever their order in
    /// the request. Only streams named like a stable latency metric are looked up.
    func willApply(
        _ batch: DecodedBatch, bytes: UnsafeRawBufferPointer, points: UnsafeBufferPointer<DecodedPoint>,
        stream: (DecodedStream) -> MetricStream?
    ) {
        for decoded in batch.streams where !decoded.isDerived {
            let name = bytes[slice: decoded.name]
            guard Self.latencyNames.contains(where: { $0.elementsEqual(name) }) else { continue }
            guard let found = stream(decoded), found.refusal == nil,
                case .latency(_, let pair, let stable)? = found.golden?.role,
                let resource = found.goldenResource
            else { continue }
            requestMetricsArrive(resource)
            guard stable else { continue }
            var latest: UInt64 = 0
            for index in decoded.pointRange { latest = max(latest, points[index].time) }
            stableArrives(resource, pair: pair, time: latest)
        }
    }

    func streamCreated(
        _ stream: MetricStream, decoded: DecodedStream, metric: String, job: String, resource: [Attribute],
        resourceBytes: UnsafeRawBufferPointer
    ) -> Bool {
        let role =
            decoded.isDerived
            ? Self.spanRole(kind: decoded.kind, milliseconds: stream.family?.unit == "milliseconds")
            : Self.role(metric: metric, kind: decoded.kind)
        guard let role else { return false }
        stream.golden = (role, job)
        if case .latency = role { stream.goldenResource = self.resource(resourceBytes) }
        if case .saturation("cpu", _) = role { followCPU(stream, job: job) }
        return true
    }

    func seriesCreated(
        _ series: Series, of stream: MetricStream, attributes key: UnsafeRawBufferPointer,
        identity: UnsafeRawBufferPointer
    ) {
        guard let (role, job) = stream.golden else { return }
        let attributes = AttributeDecoder.decode(key)
        switch role {
        case .latency(let scale, let pair, let stable):
            guard let resource = stream.goldenResource else { break }
            series.goldenTap = LatencyTap(
                job: self.job(job), isError: isError(attributes), scale: scale, resource: resource, pair: pair,
                stable: stable)
            series.followPoints()
        case .saturation(let resource, _):
            series.goldenCounts = Self.includes(attributes, resource: resource)
            if resource == "cpu", series.goldenCounts { series.followPoints() }
            series.goldenCPU = attributes.first { $0.key == "cpu" || $0.key == "system.cpu.logical_number" }
                .map { AttributeText.labelValue($0.value) }
        default:
            break
        }
    }

    func folded(_ point: DecodedPoint, into series: Series, of stream: MetricStream, wallClock: UInt64) {
        guard let tap = series.goldenTap else {
            if case (.saturation("cpu", _), let job)? = stream.golden { saturationMoved[job] = Int64(wallClock / 60_000_000_000) }
            return
        }
        record(tap, state: series.state, counting: counts(tap, point: point), minute: Int64(wallClock / 60_000_000_000))
    }

    func didApply() { finishBatch() }

    func didExpire(keeping streams: [MetricStream]) {
        retainResources(Set(streams.compactMap { $0.goldenResource.map(ObjectIdentifier.init) }))
        if !cpuStreams.isEmpty { retainCPUStreams(Set(streams.map(ObjectIdentifier.init))) }
    }

    func scrapeSource(reading store: SeriesStore) -> (any MetricFamilySource)? {
        GoldenSignalSource(golden: self, store: store)
    }
}
