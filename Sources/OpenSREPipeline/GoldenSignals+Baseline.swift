import OpenSRESLO

/// The 14-day hourly baselines (``GoldenBaseline``) of the jobs, and the
/// per-minute CPU saturation of their six-hour history.
extension GoldenSignals {
    /// At most this many jobs keep a baseline: 256 × 48,384 bytes = 12.4 MB
    /// at most. A job that stops sending keeps its 14 days (and they are
    /// persisted) until the bound is reached; then a new job takes the
    /// baseline of the one least recently active, if that one had nothing in
    /// the current hour (else the new job has none, and asks again the next
    /// hour). A baseline with nothing in its last 14 days is dropped when saved.
    static let maxBaselineJobs = 256

    /// Gives `job` a baseline, evicting the least recently active one at the bound.
    func allocateBaseline(for job: Job, hour: Int64) {
        guard job.baselineRefusedHour != hour else { return }
        if baselineJobs >= Self.maxBaselineJobs {
            let oldest = jobs.filter { $0.value.baseline != nil }
                .min { ($0.value.baseline!.latest, $0.key) < ($1.value.baseline!.latest, $1.key) }
            guard let oldest, oldest.value.baseline!.latest < hour else {
                job.baselineRefusedHour = hour
                return
            }
            oldest.value.baseline = nil
            baselineJobs -= 1
        }
        job.baseline = GoldenBaseline()
        baselineJobs += 1
    }

    /// Installs saved baselines (at start, before any batch): a job not seen
    /// yet is created, so the API shows its baseline before it sends again.
    /// The most recently active are kept at ``maxBaselineJobs``. One whose
    /// newest hour is after `hour` (Unix hours, now) or before 1970 is
    /// dropped: written by a clock that was wrong, it would refuse every
    /// real hour until time caught up with it.
    func restoreBaselines(_ saved: [String: GoldenBaseline], hour: Int64) {
        let ordered = saved.filter { (0...hour).contains($0.value.latest) }
            .sorted { ($0.value.latest, $1.key) > ($1.value.latest, $0.key) }
        for (name, baseline) in ordered {
            if jobs[name]?.baseline == nil {
                guard baselineJobs < Self.maxBaselineJobs else { break }
                baselineJobs += 1
            }
            job(name).baseline = baseline
        }
    }

    /// The baselines to persist, by job; those with nothing in the 14 days up
    /// to `hour` (Unix hours) are dropped first, here and in memory.
    func baselinesToSave(hour: Int64) -> [(job: String, baseline: GoldenBaseline)] {
        var result: [(job: String, baseline: GoldenBaseline)] = []
        for (name, job) in jobs {
            guard let baseline = job.baseline else { continue }
            guard baseline.latest > hour - Int64(GoldenBaseline.hours) else {
                job.baseline = nil
                baselineJobs -= 1
                continue
            }
            result.append((name, baseline))
        }
        return result
    }

    /// A stream that feeds `resource="cpu"` saturation, for ``recordSaturation()``.
    func followCPU(_ stream: MetricStream, job: String) {
        cpuStreams[job, default: []].append(stream)
    }

    /// Records, in each job whose CPU saturation moved in this batch, the
    /// value the scrape would show now (``cpuSaturation(_:)``) as a candidate
    /// for its minute's highest.
    func recordSaturation() {
        for (name, minute) in saturationMoved {
            guard let job = jobs[name], job.history != nil, let value = cpuSaturation(name),
                let slot = job.history!.slot(for: minute)
            else { continue }
            job.history!.record(slot: slot, saturation: value)
        }
        saturationMoved.removeAll(keepingCapacity: true)
    }

    /// A job's `resource="cpu"` saturation as ``GoldenSignalSource`` renders
    /// it: the sum of its counting series' latest values; nil without any.
    func cpuSaturation(_ job: String) -> Double? {
        var sum: Double?
        for stream in cpuStreams[job] ?? [] where stream.refusal == nil {
            for series in stream.series.values where Self.countsSaturation(series) {
                sum = (sum ?? 0) + series.state.value
            }
        }
        return sum
    }

    /// Whether a saturation series' latest value counts (live, not idle time, finite).
    static func countsSaturation(_ series: Series) -> Bool {
        !series.isRemoved && series.goldenCounts && series.state.value.isFinite
    }

    /// Forgets CPU streams the store no longer holds.
    func retainCPUStreams(_ live: Set<ObjectIdentifier>) {
        for (job, streams) in cpuStreams {
            let kept = streams.filter { live.contains(ObjectIdentifier($0)) }
            cpuStreams[job] = kept.isEmpty ? nil : kept
        }
    }
}
