import OpenSREModel
import PrometheusExposition

/// The SLO state of the collector: events per minute for every SLO, the
/// lifetime counters, and the cumulative baselines that turn cumulative
/// inputs into increments.
///
/// Confined to the processor thread. Inputs arrive as cumulative values per
/// contributing series (``observe(slo:role:series:startTime:cumulative:now:)``):
/// the engine counts the increase since the last value it saw for that series;
/// a new start time, or a value that went down, is a reset and counts the new
/// value whole. The first value of a series counts whole only if the series
/// started after counting began (otherwise its past is unknown and it becomes
/// the baseline). Baselines are persisted with the slots, so after a restart
/// counting continues exactly where the snapshot left it.
///
/// Everything is kept per SLO (baselines and the moment counting began
/// included), and persisted under the SLO's name: adding, removing or
/// reordering definitions never hands one SLO another's state.
package final class SLOEngine {
    package let definitions: [SLODefinition]
    var slots: [SLOSlots]
    /// Lifetime events per SLO: total and selected (good or bad).
    var lifetime: [(total: UInt64, selected: UInt64)]
    /// The bad-event counter as exposed, kept monotonic (see ``observe``).
    var exposedBad: [UInt64]
    /// `le` thresholds that are not a bucket bound of an incoming histogram.
    package internal(set) var thresholdMismatches: [UInt64]
    /// Per SLO: the last cumulative value of each contributing series, by series and role.
    var baselines: [[BaselineKey: Baseline]]
    /// Per SLO: Unix nanoseconds from which it has counted events (a series
    /// that started earlier has an unknown past and only sets a baseline).
    package internal(set) var countingSince: [UInt64]

    /// A series (``SLOSeriesKey``) in one role of one SLO.
    struct BaselineKey: Hashable, Sendable {
        var series: UInt64
        var role: Role
    }

    struct Baseline: Sendable, Equatable {
        var startTime: UInt64
        var value: UInt64
        var lastSeenMinute: Int64
    }

    /// Which count of the SLO an input feeds.
    package enum Role: UInt8, Sendable {
        case total = 1
        /// `good` or `bad`, whichever the SLO defines.
        case selected = 2
    }

    /// The alert and display windows, in minutes, besides the period itself.
    package static let windows: [(label: String, minutes: Int)] = [
        ("5m", 5), ("30m", 30), ("1h", 60), ("2h", 120), ("6h", 360), ("1d", 1440), ("3d", 4320),
    ]

    /// The windows exported for `definition`, shortest first: the standard
    /// ones shorter than its period, the lookback windows of its alert
    /// conditions (any whole number of minutes up to the period: the engine
    /// keeps a slot per minute), and the period itself.
    package static func windows(of definition: SLODefinition) -> [(label: String, minutes: Int)] {
        let periodMinutes = Int(definition.period.components.seconds / 60)
        var windows = Self.windows.filter { $0.minutes < periodMinutes }
        for policy in definition.alertPolicies {
            let condition = policy.condition
            if condition.lookbackMinutes < periodMinutes, !windows.contains(where: { $0.minutes == condition.lookbackMinutes }) {
                windows.append((condition.lookbackLabel, condition.lookbackMinutes))
            }
        }
        windows.sort { $0.minutes < $1.minutes }
        windows.append((definition.periodLabel, periodMinutes))
        return windows
    }

    package init(definitions: [SLODefinition], now: UInt64) {
        self.definitions = definitions
        slots = definitions.map { SLOSlots(minutes: Int($0.period.components.seconds / 60)) }
        lifetime = Array(repeating: (0, 0), count: definitions.count)
        exposedBad = Array(repeating: 0, count: definitions.count)
        thresholdMismatches = Array(repeating: 0, count: definitions.count)
        baselines = Array(repeating: [:], count: definitions.count)
        countingSince = Array(repeating: now, count: definitions.count)
    }

    /// Feeds the cumulative value of one contributing series (Unix ns `now`);
    /// `series` is its ``SLOSeriesKey``.
    package func observe(slo: Int, role: Role, series: UInt64, startTime: UInt64, cumulative: UInt64, now: UInt64) {
        let key = BaselineKey(series: series, role: role)
        let minute = Int64(now / 60_000_000_000)
        let increment: UInt64
        if let baseline = baselines[slo][key] {
            if baseline.startTime == startTime, cumulative >= baseline.value {
                increment = cumulative - baseline.value
            } else {
                increment = cumulative  // reset: a new start time, or the value went down
            }
        } else {
            increment = startTime >= countingSince[slo] ? cumulative : 0
        }
        baselines[slo][key] = Baseline(startTime: startTime, value: cumulative, lastSeenMinute: minute)
        guard increment > 0 else { return }
        add(slo: slo, role: role, count: increment, minute: minute)
    }

    /// Counts a threshold mismatch (an `le` that is not a bucket bound).
    package func recordThresholdMismatch(slo: Int) {
        thresholdMismatches[slo] &+= 1
    }

    func add(slo: Int, role: Role, count: UInt64, minute: Int64) {
        switch role {
        case .total:
            slots[slo].add(minute: minute, total: count, selected: 0)
            lifetime[slo].total &+= count
        case .selected:
            slots[slo].add(minute: minute, total: 0, selected: count)
            lifetime[slo].selected &+= count
        }
    }

    /// Bad events in a (total, selected) pair of this SLO.
    func bad(slo: Int, total: UInt64, selected: UInt64) -> UInt64 {
        definitions[slo].good != nil ? total - min(selected, total) : min(selected, total)
    }

    /// The budget over the last `minutes` ending at `now` (Unix ns).
    package func budget(slo: Int, minutes: Int, now: UInt64) -> ErrorBudget {
        let sums = slots[slo].sum(endingAt: Int64(now / 60_000_000_000), width: minutes)
        return ErrorBudget(
            total: sums.total, bad: bad(slo: slo, total: sums.total, selected: sums.selected),
            target: definitions[slo].target)
    }

    /// Lifetime (good, bad) events; bad never decreases even when good events
    /// of another series arrive after their total (it is exposed as a counter).
    package func lifetimeEvents(slo: Int) -> (good: UInt64, bad: UInt64) {
        let (total, selected) = lifetime[slo]
        exposedBad[slo] = max(exposedBad[slo], bad(slo: slo, total: total, selected: selected))
        return (total - min(exposedBad[slo], total), exposedBad[slo])
    }

    /// Forgets baselines of series not seen for a day (they would count as new anyway).
    package func pruneBaselines(now: UInt64) {
        let cutoff = Int64(now / 60_000_000_000) - 1440
        for slo in baselines.indices {
            baselines[slo] = baselines[slo].filter { $0.value.lastSeenMinute >= cutoff }
        }
    }
}
