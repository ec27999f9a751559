/// The processor loop's timetable: when it must wake at the latest, and
/// which periodic jobs are due. A value type driven by the loop's clock, so
/// its rules are plain arithmetic (monotonic nanoseconds; `.max` is "never").
struct ProcessorSchedule {
    /// `timeout` of the batch processor: queued batches wait at most this
    /// long (never with a zero timeout, where every batch wakes the loop).
    let batchTimeout: UInt64
    /// Idle series are expired every tenth of `metric_expiration` (10 ms to 10 s).
    let sweepInterval: UInt64
    /// SLO state is saved every `persist_interval` (never without SLOs).
    let persistInterval: UInt64
    /// Refusals are logged once a minute with their counts, never per point.
    let reportInterval: UInt64

    private(set) var nextSweep: UInt64
    private(set) var nextPersist: UInt64
    private(set) var nextReport: UInt64

    /// The periodic jobs due at one wake-up.
    struct Due: OptionSet {
        let rawValue: UInt8
        static let sweep = Due(rawValue: 1)
        static let persist = Due(rawValue: 2)
        static let report = Due(rawValue: 4)
    }

    init(start: UInt64, batchTimeout: Duration, expiration: UInt64, persistInterval: UInt64?, reportInterval: UInt64) {
        self.batchTimeout = batchTimeout == .zero ? .max : max(batchTimeout.nanoseconds, 1_000_000)
        sweepInterval = expiration == 0 ? .max : min(max(expiration / 10, 10_000_000), 10_000_000_000)
        self.persistInterval = persistInterval ?? .max
        self.reportInterval = reportInterval
        nextSweep = start.saturatingAdd(sweepInterval)
        nextPersist = start.saturatingAdd(self.persistInterval)
        nextReport = start.saturatingAdd(reportInterval)
    }

    /// When to wake at the latest after a pass of the loop that ended at `now`.
    func deadline(after now: UInt64) -> UInt64 {
        min(now.saturatingAdd(batchTimeout), nextSweep, nextPersist, nextReport)
    }

    /// The jobs due at `now`; each is scheduled again an interval later.
    mutating func take(at now: UInt64) -> Due {
        var due: Due = []
        if now >= nextSweep {
            due.insert(.sweep)
            nextSweep = now.saturatingAdd(sweepInterval)
        }
        if now >= nextPersist {
            due.insert(.persist)
            nextPersist = now.saturatingAdd(persistInterval)
        }
        if now >= nextReport {
            due.insert(.report)
            nextReport = now.saturatingAdd(reportInterval)
        }
        return due
    }
}
