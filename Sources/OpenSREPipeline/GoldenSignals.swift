import OpenSREModel
import OpenSRESLO
import PrometheusExposition

/// The four golden signals per service (`job`), derived from the
/// OpenTelemetry semantic-convention metrics as points are folded in:
///
/// - traffic, errors and latency from `http.server.request.duration` (s),
///   the older `http.server.duration` (ms), `rpc.server.call.duration` (s)
///   and `rpc.server.duration` (ms): every histogram observation is a request;
///   it is an error when its HTTP status matches `http_error_status` (default
///   5xx), when it has an `error.type`, or when its gRPC status is not OK;
/// - saturation from `process.cpu.utilization` and `container.cpu.utilization`
///   (`resource="cpu"`, idle modes left out), `system.cpu.utilization`
///   (`resource="host_cpu"`, non-idle time over the number of CPUs),
///   `jvm.memory.used` over `jvm.memory.limit` (`resource="jvm_memory"`),
///   `system.memory.utilization` in state `used` (`resource="host_memory"`),
///   and `http.server.active_requests` (in flight).
///
/// During the HTTP (and RPC) semantic-convention migration an app may send
/// each request twice (`OTEL_SEMCONV_STABILITY_OPT_IN=http/dup`): in the old
/// metric and in the stable one. Per resource, the stable metric wins: once it
/// arrives, the old one no longer feeds the golden signals (it is still
/// exported as its own family). Where the old one had been counting, the
/// stable one takes over at the first export that carries both: the old one
/// counts that export's increase, the stable one starts from its values there
/// (see ``ResourceState``), so a request is never counted twice nor lost
/// when both arrive in one batch (an app that sends the stable metric alone
/// first, or splits one export, can lose or double that one interval). An
/// old series that (re)started after the stable metric was last seen (the app
/// went back to the old conventions) feeds the signals again.
///
/// Spans (span metrics' derived duration histogram) are the fallback: a
/// resource's spans feed traffic, errors (status ERROR, an HTTP 5xx or a
/// non-OK gRPC status among the dimensions) and latency only until request
/// metrics of that resource (any of the four above) arrive; from that batch
/// on the metrics count and its spans never do again, so a request is never
/// counted twice. At the handover the metrics' series first seen in that
/// batch only set their baselines: requests in flight between the last span
/// export and that batch may be missed, never doubled.
///
/// Latency is re-bucketed onto the semantic-convention boundaries (5 ms to
/// 10 s): an incoming bucket goes to the first boundary at or above its upper
/// bound, so the histogram never shows a request as faster than it was (exact
/// when the incoming bounds are among these). Exponential histograms feed
/// traffic and errors only.
final class GoldenSignals {
    static let boundaries = GoldenBuckets.boundaries

    /// What a stream contributes.
    enum Role {
        case latency(scale: Double, pair: LatencyPair, stable: Bool)
        case saturation(resource: String, perCPU: Bool)
        case memoryUsed
        case memoryLimit
        case activeRequests
    }

    /// The old and stable latency metrics of one convention, which count the
    /// same requests (`http.server.duration` in ms and
    /// `http.server.request.duration` in s; `rpc.server.duration` in ms and
    /// `rpc.server.call.duration` in s).
    enum LatencyPair: Int, CaseIterable {
        case http = 0, rpc = 1
        /// Span-derived durations (span metrics): not a pair, the fallback
        /// for a resource that sends no request metrics (see ``ResourceState/spans``).
        case spans = 2
    }

    /// Which metric of each pair feeds the golden signals for one resource.
    final class ResourceState {
        enum Source { case old, handover, stable }
        /// `old` until the stable metric arrives; `handover` for the one batch
        /// in which it takes over from an old metric that was counting.
        var source: [Source] = [.old, .old]
        /// Whether the old metric has counted requests.
        var oldCounted = [false, false]
        /// The latest end time of the stable metric's points.
        var stableTime: [UInt64] = [0, 0]

        /// Whether the resource's span-derived durations feed the golden
        /// signals: `counting` until request metrics of the resource arrive;
        /// `handover` for the batch in which they do after spans counted; `off` after.
        enum SpanSource { case counting, handover, off }
        var spans = SpanSource.counting
        /// Whether span-derived durations have counted requests.
        var spansCounted = false
    }

    /// Per-job accumulators.
    final class Job {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var buckets = [UInt64](repeating: 0, count: GoldenSignals.boundaries.count + 1)
        var sum: Double = 0
        /// The last six hours per minute, from the first request on.
        var history: GoldenHistory?
        /// The last 14 days per hour, from the first request on (or restored
        /// from the state file); nil when evicted at ``GoldenSignals/maxBaselineJobs``.
        var baseline: GoldenBaseline?
        /// The hour a baseline was last refused at the bound (tried again the next hour).
        var baselineRefusedHour: Int64 = .min

        /// Adds one point's increments to the totals, its minute of the
        /// history and its hour of the baseline, each touched once.
        func record(minute: Int64, hour: Int64, requests: UInt64, errors: UInt64, buckets deltas: UnsafeBufferPointer<UInt64>) {
            buckets.withUnsafeMutableBufferPointer { buckets in
                for (index, delta) in deltas.prefix(buckets.count).enumerated() { buckets[index] &+= delta }
            }
            if let slot = history?.slot(for: minute) {
                history!.add(slot: slot, requests: requests, errors: errors, buckets: deltas)
            }
            if let slot = baseline?.slot(for: hour) {
                baseline!.add(slot: slot, requests: requests, errors: errors, buckets: deltas)
            }
        }
    }

    /// What a latency series remembers to turn cumulative values into increments.
    final class LatencyTap {
        let job: Job
        let isError: Bool
        let scale: Double
        /// Its resource's choice between the old and the stable metric.
        let resource: ResourceState
        let pair: LatencyPair
        let stable: Bool
        var startTime: UInt64 = 0
        var count: UInt64 = 0
        var sum: Double = 0
        var buckets: HistogramCounts = []
        var seen = false
        /// Incoming bucket index → golden bucket index, for `mappedBounds`.
        var mapping: [Int] = []
        var mappedBounds: [Double] = []

        init(job: Job, isError: Bool, scale: Double, resource: ResourceState, pair: LatencyPair, stable: Bool) {
            self.job = job
            self.isError = isError
            self.scale = scale
            self.resource = resource
            self.pair = pair
            self.stable = stable
        }
    }

    private let configuration: GoldenSignalsConfiguration
    private let httpErrorStatus: Regex<AnyRegexOutput>?
    private(set) var jobs: [String: Job] = [:]
    /// Per resource (canonical attribute bytes), for the streams that feed latency.
    private var resources: [[UInt8]: ResourceState] = [:]
    /// Resources whose stable metric takes over in the batch being applied.
    private var handovers: [ResourceState] = []
    /// Series that started before this moment have an unknown past (baseline only).
    let countingSince: UInt64
    /// Per job, its streams that feed `resource="cpu"` saturation (for the per-minute history).
    var cpuStreams: [String: [MetricStream]] = [:]
    /// Jobs whose CPU saturation moved in the batch being applied, with the batch's minute.
    var saturationMoved: [String: Int64] = [:]
    /// Jobs holding a ``Job/baseline`` (at most ``maxBaselineJobs``).
    var baselineJobs = 0

    init(configuration: GoldenSignalsConfiguration, countingSince: UInt64) {
        self.configuration = configuration
        httpErrorStatus = try? Regex(configuration.httpErrorStatus)
        self.countingSince = countingSince
    }

    static func role(metric: String, kind: MetricKind) -> Role? {
        switch (metric, kind) {
        case ("http.server.request.duration", .histogram), ("http.server.request.duration", .exponentialHistogram):
            return .latency(scale: 1, pair: .http, stable: true)
        case ("rpc.server.call.duration", .histogram), ("rpc.server.call.duration", .exponentialHistogram):
            return .latency(scale: 1, pair: .rpc, stable: true)
        case ("http.server.duration", .histogram), ("http.server.duration", .exponentialHistogram):
            return .latency(scale: 0.001, pair: .http, stable: false)
        case ("rpc.server.duration", .histogram), ("rpc.server.duration", .exponentialHistogram):
            return .latency(scale: 0.001, pair: .rpc, stable: false)
        case ("process.cpu.utilization", _), ("container.cpu.utilization", _): return .saturation(resource: "cpu", perCPU: false)
        case ("system.cpu.utilization", _): return .saturation(resource: "host_cpu", perCPU: true)
        case ("system.memory.utilization", _): return .saturation(resource: "host_memory", perCPU: false)
        case ("jvm.memory.used", _): return .memoryUsed
        case ("jvm.memory.limit", _): return .memoryLimit
        case ("http.server.active_requests", _): return .activeRequests
        default: return nil
        }
    }

    /// The role of a stream the collector derived from spans: its duration
    /// histogram is latency (in its unit), counted only while its resource
    /// sends no request metrics.
    static func spanRole(kind: MetricKind, milliseconds: Bool) -> Role? {
        guard kind == .histogram || kind == .exponentialHistogram else { return nil }
        return .latency(scale: milliseconds ? 0.001 : 1, pair: .spans, stable: false)
    }

    func job(_ name: String) -> Job {
        if let existing = jobs[name] { return existing }
        let created = Job()
        jobs[name] = created
        return created
    }

    /// Whether a request with these attributes failed.
    func isError(_ attributes: [Attribute]) -> Bool {
        func value(_ key: String) -> String? {
            attributes.first { $0.key == key }.map { AttributeText.labelValue($0.value) }
        }
        if configuration.errorTypeIsError, let type = value("error.type"), !type.isEmpty { return true }
        if let status = value("http.response.status_code") ?? value("http.status_code"), let httpErrorStatus,
            (try? httpErrorStatus.wholeMatch(in: status)) != nil
        {
            return true
        }
        if let grpc = value("rpc.grpc.status_code"), grpc != "0" { return true }
        if value("status.code") == "STATUS_CODE_ERROR" { return true }
        return false
    }

    /// Whether a saturation series counts (idle CPU time does not; memory counts its `used` state only).
    static func includes(_ attributes: [Attribute], resource: String) -> Bool {
        let state = attributes.first { ["cpu.mode", "state", "system.cpu.state", "process.cpu.state", "system.memory.state"].contains($0.key) }
            .map { AttributeText.labelValue($0.value) }
        if resource == "host_memory" { return state == nil || state == "used" }
        return state != "idle"
    }

    /// Names of the request latency metrics, as the decoder hands them over.
    static let latencyNames: [[UInt8]] = [
        Array("http.server.request.duration".utf8), Array("rpc.server.call.duration".utf8),
        Array("http.server.duration".utf8), Array("rpc.server.duration".utf8),
    ]

    /// The shared state of the resource with these canonical attribute bytes.
    func resource(_ bytes: UnsafeRawBufferPointer) -> ResourceState {
        let key = Array(bytes)
        if let existing = resources[key] { return existing }
        let created = ResourceState()
        resources[key] = created
        return created
    }

    /// Forgets resources no live stream refers to any more.
    func retainResources(_ live: Set<ObjectIdentifier>) {
        resources = resources.filter { live.contains(ObjectIdentifier($0.value)) }
    }

    /// Notes, before any point of the batch is recorded, that it carries the
    /// stable metric of `pair` for `resource`, with points ending up to `time`.
    func stableArrives(_ resource: ResourceState, pair: LatencyPair, time: UInt64) {
        let index = pair.rawValue
        resource.stableTime[index] = max(resource.stableTime[index], time)
        guard resource.source[index] == .old else { return }
        if resource.oldCounted[index] {
            resource.source[index] = .handover
            handovers.append(resource)
        } else {
            resource.source[index] = .stable
        }
    }

    /// Notes, before any point of the batch is recorded, that it carries
    /// request metrics for `resource`: its span-derived durations stop
    /// counting. Where they had counted, the metrics' series first seen in
    /// this batch only set their baselines (their cumulative values include
    /// requests the spans already counted).
    func requestMetricsArrive(_ resource: ResourceState) {
        guard resource.spans == .counting else { return }
        if resource.spansCounted {
            resource.spans = .handover
            handovers.append(resource)
        } else {
            resource.spans = .off
        }
    }

    /// Ends a batch: handovers are complete, and CPU saturation that moved is
    /// recorded in its minute.
    func finishBatch() {
        if !saturationMoved.isEmpty { recordSaturation() }
        guard !handovers.isEmpty else { return }
        for resource in handovers {
            for index in resource.source.indices where resource.source[index] == .handover {
                resource.source[index] = .stable
            }
            if resource.spans == .handover { resource.spans = .off }
        }
        handovers.removeAll(keepingCapacity: true)
    }

    /// Whether a point of this latency series counts (rather than only
    /// moving the series' baseline): the stable metric once it has taken
    /// over; the old one until then, or when its point started after the
    /// stable metric was last seen (the app went back to the old conventions).
    func counts(_ tap: LatencyTap, point: DecodedPoint) -> Bool {
        let resource = tap.resource
        if tap.pair == .spans {
            guard resource.spans == .counting else { return false }
            resource.spansCounted = true
            return true
        }
        if resource.spans == .handover, !tap.seen { return false }
        let index = tap.pair.rawValue
        if tap.stable { return resource.source[index] == .stable }
        if resource.source[index] == .stable {
            guard point.startTime > resource.stableTime[index] else { return false }
            resource.source[index] = .old
        }
        resource.oldCounted[index] = true
        return true
    }

    /// Folds a latency series' new cumulative state in, as increments. The
    /// first state of a series that started before counting began only sets
    /// the baseline; a new start time or a lower count is a reset. When
    /// `counting` is false (the other metric of its pair counts these
    /// requests), only the baseline moves.
    func record(_ tap: LatencyTap, state: SeriesState, counting: Bool = true, minute: Int64 = 0) {
        let previous: (count: UInt64, sum: Double, buckets: HistogramCounts)
        guard counting else {
            tap.seen = true
            remember(tap, state)
            return
        }
        if !tap.seen {
            tap.seen = true
            guard state.startTime >= countingSince else {
                remember(tap, state)
                return
            }
            previous = (0, 0, [])
        } else if state.startTime != tap.startTime || state.count < tap.count {
            previous = (0, 0, [])
        } else {
            previous = (tap.count, tap.sum, tap.buckets)
        }
        add(tap, state: state, previous: previous, minute: minute)
        remember(tap, state)
    }

    private func remember(_ tap: LatencyTap, _ state: SeriesState) {
        tap.startTime = state.startTime
        tap.count = state.count
        tap.sum = state.value
        tap.buckets = state.buckets
    }

    private func add(
        _ tap: LatencyTap, state: SeriesState, previous: (count: UInt64, sum: Double, buckets: HistogramCounts), minute: Int64
    ) {
        let increment = state.count &- previous.count
        guard increment > 0, increment <= state.count else { return }
        tap.job.requests &+= increment
        if tap.isError { tap.job.errors &+= increment }
        tap.job.sum += (state.value - previous.sum) * tap.scale
        if tap.job.history == nil { tap.job.history = GoldenHistory() }
        let hour = GoldenBaseline.hour(ofMinute: minute)
        if tap.job.baseline == nil { allocateBaseline(for: tap.job, hour: hour) }
        let errors = tap.isError ? increment : 0
        // The point's counts per golden bucket, gathered on the stack first.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.boundaries.count + 1) { deltas in
            deltas.initialize(repeating: 0)
            if state.exponential != nil {
                deltas[Self.boundaries.count] = increment  // no bounds to place them by
            } else {
                if tap.mappedBounds != state.bounds {
                    tap.mappedBounds = state.bounds
                    tap.mapping = state.bounds.map { bound in
                        Self.boundaries.firstIndex { $0 >= bound * tap.scale - 1e-12 } ?? Self.boundaries.count
                    } + [Self.boundaries.count]
                }
                let sameShape = previous.buckets.count == state.buckets.count
                for index in state.buckets.indices {
                    let delta = state.buckets[index] &- (sameShape ? previous.buckets[index] : 0)
                    if delta > 0, delta <= state.buckets[index] { deltas[tap.mapping[index]] &+= delta }
                }
            }
            tap.job.record(minute: minute, hour: hour, requests: increment, errors: errors, buckets: UnsafeBufferPointer(deltas))
        }
    }
}
