import Synchronization

/// The per-service cap on span-derived series (`aggregation_cardinality_limit`),
/// shared by every event loop's trace decoder.
///
/// A decoder aggregates one request's spans first, then asks once per service
/// which of the request's distinct series keys may be series of their own:
/// keys already known are, new keys are while the service holds fewer than
/// `limit`, and the rest go to the service's overflow series. A key not seen
/// for `expiration` is forgotten when its service reaches the limit (its
/// series expires in the store on the same clock), which frees its place.
///
/// Memory and time stay bounded when clients misbehave: a service whose keys
/// have all expired is dropped (every `expiration`, all services are swept),
/// so random `service.name`s do not pile up; and a service at its limit looks
/// for expired keys only once one can have expired, not at every new key.
///
/// Keys are the 64-bit hashes of the series' canonical attributes: a
/// collision would let two series share one place, never lose points.
package final class SpanCardinalityGuard: Sendable {
    private struct Service {
        /// Key hash → monotonic time it was last admitted.
        var keys: [UInt64: UInt64] = [:]
        /// No key was last admitted earlier (a lower bound: keys only get
        /// newer), so no sweep finds one expired before `oldest + expiration`.
        var oldest: UInt64 = .max
    }

    private struct State {
        var services: [[UInt8]: Service] = [:]
        var lastReport: UInt64?
        var unreported: [String: Int] = [:]
        /// When all services are next swept for expired keys.
        var nextSweep: UInt64 = 0
    }

    /// Most series per service (0: no limit).
    package let limit: Int
    private let expiration: UInt64
    private let clock: @Sendable () -> UInt64
    private let state = Mutex(State())
    private let overflowed = Atomic<Int>(0)

    /// How often the overflow is reported (`takeReport`).
    package static let reportInterval: UInt64 = 60_000_000_000

    /// - Parameters:
    ///   - expiration: nanoseconds after which an unseen key may be forgotten (0: never).
    ///   - clock: monotonic nanoseconds.
    package init(limit: Int, expiration: UInt64, clock: @escaping @Sendable () -> UInt64) {
        self.limit = limit
        self.expiration = expiration
        self.clock = clock
    }

    /// Spans sent to an overflow series since the start.
    package var overflowedSpans: Int { overflowed.load(ordering: .relaxed) }

    /// Decides for one service's keys of one request: `admitted[i]` is set
    /// false for a key that goes to overflow. `spans[i]` is how many spans the
    /// key carries (counted when they overflow).
    package func admit(service: UnsafeRawBufferPointer, keys: [UInt64], spans: [Int], admitted: inout [Bool]) {
        guard limit > 0 else { return }
        let now = clock()
        let name = Array(service)
        var overflowCount = 0
        state.withLock { state in
            if expiration > 0, now >= state.nextSweep { sweep(&state, now: now) }
            var entry = state.services.removeValue(forKey: name) ?? Service()
            for (index, key) in keys.enumerated() {
                if entry.keys[key] != nil {
                    entry.keys[key] = now
                    continue
                }
                if entry.keys.count >= limit { Self.forgetExpired(&entry, now: now, expiration: expiration) }
                if entry.keys.count < limit {
                    entry.keys[key] = now
                    entry.oldest = min(entry.oldest, now)
                } else {
                    admitted[index] = false
                    overflowCount += spans[index]
                }
            }
            if overflowCount > 0 {
                state.unreported[String(decoding: name, as: UTF8.self), default: 0] += overflowCount
            }
            state.services[name] = entry
        }
        if overflowCount > 0 { overflowed.add(overflowCount, ordering: .relaxed) }
    }

    private static func forgetExpired(_ entry: inout Service, now: UInt64, expiration: UInt64) {
        guard expiration > 0, now > expiration else { return }
        let deadline = now - expiration
        guard entry.oldest < deadline else { return }
        entry.keys = entry.keys.filter { $0.value >= deadline }
        entry.oldest = entry.keys.values.min() ?? .max
    }

    /// Forgets every service's expired keys and the services left with none.
    private func sweep(_ state: inout State, now: UInt64) {
        state.nextSweep = now > .max - expiration ? .max : now + expiration
        for name in Array(state.services.keys) {
            Self.forgetExpired(&state.services[name]!, now: now, expiration: expiration)
            if state.services[name]!.keys.isEmpty { state.services[name] = nil }
        }
    }

    /// How many services hold keys (for tests: dropped once all their keys expire).
    package var serviceCount: Int { state.withLock { $0.services.count } }

    /// The overflow since the last report, once per ``reportInterval`` at
    /// most: a line to log, or nil.
    package func takeReport() -> String? {
        let now = clock()
        return state.withLock { state -> String? in
            guard !state.unreported.isEmpty else { return nil }
            if let last = state.lastReport, now &- last < Self.reportInterval { return nil }
            state.lastReport = now
            let services = state.unreported.sorted { $0.key < $1.key }.map { "\($0.key.isEmpty ? "(no service.name)" : $0.key): \($0.value) spans" }
            state.unreported.removeAll()
            return "span metrics over aggregation_cardinality_limit (\(limit) series per service) went to the overflow series (otel.metric.overflow=true): "
                + services.joined(separator: ", ")
        }
    }
}
