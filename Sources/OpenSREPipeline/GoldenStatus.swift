/// One job's golden signals as `GET /api/v1/golden` shows them: totals since
/// the collector started and the last six hours per minute (traffic, errors,
/// latency percentiles). Field names are the API's, stable; `null` where a
/// minute had no requests.
package struct GoldenStatus: Sendable, Equatable, Encodable {
    package struct History: Sendable, Equatable, Encodable {
        /// Unix seconds of the first minute; one entry per minute after it.
        package var start: Int64
        package var step = 60
        package var requests: [UInt64]
        package var errors: [UInt64]
        /// Latency percentiles in seconds, interpolated in the golden buckets
        /// as `histogram_quantile` does; null for a minute without requests.
        package var p50: [Double?]
        package var p90: [Double?]
        package var p99: [Double?]

        package func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(start, forKey: .start)
            try container.encode(step, forKey: .step)
            try container.encode(requests, forKey: .requests)
            try container.encode(errors, forKey: .errors)
            try container.encode(p50, forKey: .p50)
            try container.encode(p90, forKey: .p90)
            try container.encode(p99, forKey: .p99)
        }

        private enum Key: String, CodingKey { case start, step, requests, errors, p50, p90, p99 }
    }

    package var job: String
    package var requests: UInt64
    package var errors: UInt64
    package var history: History
}

extension GoldenSignals {
    /// Every job's status at `now` (Unix ns), by job name.
    func statuses(now: UInt64) -> [GoldenStatus] {
        let last = Int64(now / 60_000_000_000)
        return jobs.keys.sorted().compactMap { name in
            guard let job = jobs[name] else { return nil }
            let minutes = (job.history ?? GoldenHistory()).window(endingAt: last, count: GoldenHistory.minutes)
            func quantile(_ q: Double) -> [Double?] { minutes.map { Self.quantile(q, buckets: $0.buckets) } }
            return GoldenStatus(
                job: name, requests: job.requests, errors: job.errors,
                history: GoldenStatus.History(
                    start: (minutes.first?.minute ?? last) * 60, requests: minutes.map(\.requests),
                    errors: minutes.map(\.errors), p50: quantile(0.5), p90: quantile(0.9), p99: quantile(0.99)))
        }
    }

    /// The `q` quantile of counts in the golden buckets, interpolated
    /// linearly inside its bucket (from 0 in the first) as Prometheus'
    /// `histogram_quantile` does; in `+Inf`, the highest finite bound. Nil
    /// without observations.
    static func quantile(_ q: Double, buckets: [UInt64]) -> Double? {
        let total = buckets.reduce(0, &+)
        guard total > 0 else { return nil }
        let rank = q * Double(total)
        var below: UInt64 = 0
        for (index, count) in buckets.enumerated() {
            if Double(below + count) >= rank, count > 0 {
                guard index < boundaries.count else { return boundaries.last }
                let lower = index == 0 ? 0 : boundaries[index - 1]
                return lower + (boundaries[index] - lower) * (rank - Double(below)) / Double(count)
            }
            below += count
        }
        return boundaries.last
    }
}

extension BatchProcessor {
    /// Calls `completion` on the processor thread with every job's golden
    /// signals now, once everything submitted before this call is folded in;
    /// with none when golden signals are off.
    package func goldenStatuses(_ completion: @escaping @Sendable ([GoldenStatus]) -> Void) {
        runOnStore { [self] store in completion(store.golden?.statuses(now: clock.wallClock()) ?? []) }
    }
}
