import PrometheusExposition
import Synchronization

/// What the remote-write exporter did, counted in samples (one per series
/// line; a native histogram is one), shown with every scrape and sent with
/// every export under `opensre_collector_remote_write_`:
/// - `samples_sent_total`: accepted by the receiver (2xx);
/// - `samples_failed_total`: in attempts that failed (any other answer or
///   none), each attempt counted;
/// - `samples_retried_total`: sent again after a failed attempt;
/// - `samples_dropped_total{reason}`: given up: `rejected` (a 4xx other than
///   429), `retries_exhausted`, `queue_full` (the oldest request made room),
///   `wal_full` (the log's size bound), `wal_error` (the disk refused), and
///   `shutdown` (still queued in memory when the collector stopped);
/// - `requests_total{code}`: attempts by HTTP status, `timeout` or `error`;
/// - `exports_total`: snapshots of the collector's state queued;
/// - `queue_requests`, `queue_samples`: waiting to be sent;
/// - `wal_bytes`: the log's size on disk; `shards`: parallel senders;
/// - `lag_seconds`: how far the newest sent export trails the newest queued one.
package final class RemoteWriteStatistics: Sendable {
    /// Why samples were given up (the `reason` label).
    package enum DropReason: String, Sendable, CaseIterable {
        case rejected
        case retriesExhausted = "retries_exhausted"
        case queueFull = "queue_full"
        case walFull = "wal_full"
        case walError = "wal_error"
        case shutdown
    }

    let sent = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let retried = Atomic<Int>(0)
    let exports = Atomic<Int>(0)
    private let dropped = Mutex<[DropReason: Int]>([:])
    private let attempts = Mutex<[String: Int]>([:])
    /// Export times (Unix ms) of the newest request queued and sent.
    let newestQueued = Atomic<Int64>(0)
    let newestSent = Atomic<Int64>(0)

    package init() {}

    package var sentSamples: Int { sent.load(ordering: .relaxed) }
    package var failedSamples: Int { failed.load(ordering: .relaxed) }
    package var retriedSamples: Int { retried.load(ordering: .relaxed) }
    package var exportCount: Int { exports.load(ordering: .relaxed) }

    package func droppedSamples(_ reason: DropReason) -> Int { dropped.withLock { $0[reason, default: 0] } }
    /// Attempts answered with `code` (an HTTP status, `timeout` or `error`).
    package func attemptCount(_ code: String) -> Int { attempts.withLock { $0[code, default: 0] } }

    func drop(_ samples: Int, _ reason: DropReason) {
        guard samples > 0 else { return }
        dropped.withLock { $0[reason, default: 0] += samples }
    }

    func attempted(_ code: String) {
        attempts.withLock { $0[code, default: 0] += 1 }
    }

    func queued(time: Int64) {
        _ = newestQueued.max(time, ordering: .relaxed)
    }

    func delivered(time: Int64) {
        _ = newestSent.max(time, ordering: .relaxed)
    }

    /// Seconds between the newest export queued and the newest sent (0 when
    /// nothing waits).
    func lag(queueEmpty: Bool) -> Double {
        guard !queueEmpty else { return 0 }
        let queued = newestQueued.load(ordering: .relaxed)
        let sent = newestSent.load(ordering: .relaxed)
        return queued > sent ? Double(queued - sent) / 1000 : 0
    }

    /// The families, with the queues' figures of the moment.
    func families(queue: (requests: Int, samples: Int, walBytes: Int), shards: Int) -> [any ExposedFamily] {
        let prefix = "opensre_collector_remote_write_"
        func counter(_ name: String, _ help: String, _ value: Int) -> SyntheticFamily {
            var family = SyntheticFamily(name: prefix + name, type: .counter, help: help)
            family.append([], Double(value))
            return family
        }
        func gauge(_ name: String, _ help: String, _ value: Double) -> SyntheticFamily {
            var family = SyntheticFamily(name: prefix + name, type: .gauge, help: help)
            family.append([], value)
            return family
        }
        var droppedFamily = SyntheticFamily(
            name: prefix + "samples_dropped_total", type: .counter, help: "Samples given up, by reason.")
        let droppedCounts = dropped.withLock { $0 }
        for reason in DropReason.allCases {
            droppedFamily.append([Label("reason", reason.rawValue)], Double(droppedCounts[reason, default: 0]))
        }
        var requests = SyntheticFamily(
            name: prefix + "requests_total", type: .counter,
            help: "Attempts to send a request, by HTTP status (or timeout, error).")
        for (code, count) in attempts.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            requests.append([Label("code", code)], Double(count))
        }
        return [
            counter("samples_sent_total", "Samples the receiver accepted.", sentSamples),
            counter("samples_failed_total", "Samples in attempts that failed (each attempt counted).", failedSamples),
            counter("samples_retried_total", "Samples sent again after a failed attempt.", retriedSamples),
            droppedFamily, requests,
            counter("exports_total", "Snapshots of the collector's state queued for sending.", exportCount),
            gauge("queue_requests", "Requests waiting to be sent.", Double(queue.requests)),
            gauge("queue_samples", "Samples waiting to be sent.", Double(queue.samples)),
            gauge("wal_bytes", "Bytes of the write-ahead log on disk.", Double(queue.walBytes)),
            gauge("shards", "Shards sending in parallel (remote_write_queue.num_consumers).", Double(shards)),
            gauge(
                "lag_seconds", "How far the newest export sent trails the newest queued.",
                lag(queueEmpty: queue.requests == 0)),
        ]
    }
}
