import OpenSREModel
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
/// Latency is re-bucketed onto the semantic-convention boundaries (5 ms to
/// 10 s): an incoming bucket goes to the first boundary at or above its upper
/// bound, so the histogram never shows a request as faster than it was (exact
/// when the incoming bounds are among these). Exponential histograms feed
/// traffic and errors only.
final class GoldenSignals {
    static let boundaries: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]

    /// What a stream contributes.
    enum Role {
        case latency(scale: Double)
        case saturation(resource: String, perCPU: Bool)
        case memoryUsed
        case memoryLimit
        case activeRequests
    }

    /// Per-job accumulators.
    final class Job {
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        var buckets = [UInt64](repeating: 0, count: GoldenSignals.boundaries.count + 1)
        var sum: Double = 0
    }

    /// What a latency series remembers to turn cumulative values into increments.
    final class LatencyTap {
        let job: Job
        let isError: Bool
        let scale: Double
        var startTime: UInt64 = 0
        var count: UInt64 = 0
        var sum: Double = 0
        var buckets: HistogramCounts = []
        var seen = false
        /// Incoming bucket index → golden bucket index, for `mappedBounds`.
        var mapping: [Int] = []
        var mappedBounds: [Double] = []

        init(job: Job, isError: Bool, scale: Double) {
            self.job = job
            self.isError = isError
            self.scale = scale
        }
    }

    private let configuration: GoldenSignalsConfiguration
    private let httpErrorStatus: Regex<AnyRegexOutput>?
    private(set) var jobs: [String: Job] = [:]
    /// Series that started before this moment have an unknown past (baseline only).
    let countingSince: UInt64

    init(configuration: GoldenSignalsConfiguration, countingSince: UInt64) {
        self.configuration = configuration
        httpErrorStatus = try? Regex(configuration.httpErrorStatus)
        self.countingSince = countingSince
    }

    static func role(metric: String, kind: MetricKind) -> Role? {
        switch (metric, kind) {
        case ("http.server.request.duration", .histogram), ("rpc.server.call.duration", .histogram),
            ("http.server.request.duration", .exponentialHistogram), ("rpc.server.call.duration", .exponentialHistogram):
            return .latency(scale: 1)
        case ("http.server.duration", .histogram), ("rpc.server.duration", .histogram),
            ("http.server.duration", .exponentialHistogram), ("rpc.server.duration", .exponentialHistogram):
            return .latency(scale: 0.001)
        case ("process.cpu.utilization", _), ("container.cpu.utilization", _): return .saturation(resource: "cpu", perCPU: false)
        case ("system.cpu.utilization", _): return .saturation(resource: "host_cpu", perCPU: true)
        case ("system.memory.utilization", _): return .saturation(resource: "host_memory", perCPU: false)
        case ("jvm.memory.used", _): return .memoryUsed
        case ("jvm.memory.limit", _): return .memoryLimit
        case ("http.server.active_requests", _): return .activeRequests
        default: return nil
        }
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
        return false
    }

    /// Whether a saturation series counts (idle CPU time does not; memory counts its `used` state only).
    static func includes(_ attributes: [Attribute], resource: String) -> Bool {
        let state = attributes.first { ["cpu.mode", "state", "system.cpu.state", "process.cpu.state", "system.memory.state"].contains($0.key) }
            .map { AttributeText.labelValue($0.value) }
        if resource == "host_memory" { return state == nil || state == "used" }
        return state != "idle"
    }

    /// Folds a latency series' new cumulative state in, as increments. The
    /// first state of a series that started before counting began only sets
    /// the baseline; a new start time or a lower count is a reset.
    func record(_ tap: LatencyTap, state: SeriesState) {
        let previous: (count: UInt64, sum: Double, buckets: HistogramCounts)
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
        add(tap, state: state, previous: previous)
        remember(tap, state)
    }

    private func remember(_ tap: LatencyTap, _ state: SeriesState) {
        tap.startTime = state.startTime
        tap.count = state.count
        tap.sum = state.value
        tap.buckets = state.buckets
    }

    private func add(_ tap: LatencyTap, state: SeriesState, previous: (count: UInt64, sum: Double, buckets: HistogramCounts)) {
        let increment = state.count &- previous.count
        guard increment > 0, increment <= state.count else { return }
        tap.job.requests &+= increment
        if tap.isError { tap.job.errors &+= increment }
        tap.job.sum += (state.value - previous.sum) * tap.scale
        guard state.exponential == nil else {
            tap.job.buckets[Self.boundaries.count] &+= increment  // no bounds to place them by
            return
        }
        if tap.mappedBounds != state.bounds {
            tap.mappedBounds = state.bounds
            tap.mapping = state.bounds.map { bound in
                Self.boundaries.firstIndex { $0 >= bound * tap.scale - 1e-12 } ?? Self.boundaries.count
            } + [Self.boundaries.count]
        }
        let sameShape = previous.buckets.count == state.buckets.count
        for index in state.buckets.indices {
            let delta = state.buckets[index] &- (sameShape ? previous.buckets[index] : 0)
            if delta > 0, delta <= state.buckets[index] { tap.job.buckets[tap.mapping[index]] &+= delta }
        }
    }
}
