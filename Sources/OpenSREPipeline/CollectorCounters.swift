import OpenSREModel
import Synchronization

/// Counters the receiver updates from its event loops, read by the self-metrics.
package final class CollectorCounters: @unchecked Sendable {
    // @unchecked: `statuses` is allocated once and only reached through atomics.
    /// Refusals are rare: a lock off the hot path is fine here.
    private let refused = Mutex(RefusalCounts())

    /// Answers by HTTP status, one atomic per code the receiver gives.
    private static let codes: [UInt] = [200, 400, 401, 404, 405, 408, 413, 415, 429, 500, 501, 503]
    private let statuses: UnsafeMutablePointer<Atomic<Int>>
    /// OTLP/gRPC answers by gRPC status code (0 to 16).
    private static let grpcCodes = 17
    private let grpcStatuses: UnsafeMutablePointer<Atomic<Int>>
    /// Nanoseconds spent decoding (decompression included).
    private let decodeNanoseconds = Atomic<Int>(0)
    /// Requests for signals the collector does not take (`/v1/traces`, `/v1/logs`).
    private let traces = Atomic<Int>(0)
    private let logs = Atomic<Int>(0)

    /// The OTLP signals other than metrics, as they are counted.
    package enum OtherSignal: String, Sendable, CaseIterable {
        case traces, logs
    }

    /// The span metrics' per-service cap, when spans are taken (its overflow is a self-metric).
    package let spanCardinality: SpanCardinalityGuard?

    package init(spanCardinality: SpanCardinalityGuard? = nil) {
        self.spanCardinality = spanCardinality
        statuses = .allocate(capacity: Self.codes.count)
        for index in Self.codes.indices { (statuses + index).initialize(to: Atomic(0)) }
        grpcStatuses = .allocate(capacity: Self.grpcCodes)
        for index in 0..<Self.grpcCodes { (grpcStatuses + index).initialize(to: Atomic(0)) }
    }

    deinit {
        for index in Self.codes.indices { _ = (statuses + index).move() }
        statuses.deallocate()
        for index in 0..<Self.grpcCodes { _ = (grpcStatuses + index).move() }
        grpcStatuses.deallocate()
    }

    /// Counts an OTLP/gRPC answer by its status.
    package func record(grpcStatus: GRPCStatusCode) {
        grpcStatuses[Int(grpcStatus.rawValue)].add(1, ordering: .relaxed)
    }

    /// gRPC statuses answered at least once, with their counts.
    package var grpcRequestsByStatus: [(code: GRPCStatusCode, count: Int)] {
        GRPCStatusCode.allCases.compactMap { code in
            let count = grpcStatuses[Int(code.rawValue)].load(ordering: .relaxed)
            return count > 0 ? (code, count) : nil
        }
    }

    package func record(status: UInt) {
        guard let index = Self.codes.firstIndex(of: status) else { return }
        statuses[index].add(1, ordering: .relaxed)
    }

    package func record(decodeNanoseconds nanoseconds: Int) {
        decodeNanoseconds.add(nanoseconds, ordering: .relaxed)
    }

    /// Codes answered at least once, with their counts.
    package var requestsByStatus: [(code: UInt, count: Int)] {
        Self.codes.indices.compactMap { index in
            let count = statuses[index].load(ordering: .relaxed)
            return count > 0 ? (Self.codes[index], count) : nil
        }
    }

    /// Counts a request for a signal the collector does not take.
    package func record(unsupported signal: OtherSignal) {
        switch signal {
        case .traces: traces.add(1, ordering: .relaxed)
        case .logs: logs.add(1, ordering: .relaxed)
        }
    }

    /// Requests for `signal` answered 404 so far.
    package func unsupportedRequests(_ signal: OtherSignal) -> Int {
        switch signal {
        case .traces: traces.load(ordering: .relaxed)
        case .logs: logs.load(ordering: .relaxed)
        }
    }

    package var decodeSeconds: Double { Double(decodeNanoseconds.load(ordering: .relaxed)) / 1e9 }

    /// Records the outcome of decoding one request.
    /// Accepted points are counted by the processor once folded in
    /// (``ProcessorStatistics/acceptedPoints``), after its own refusals.
    package func record(rejected: RejectedPoints) {
        guard rejected.count > 0 else { return }
        refused.withLock { $0 += rejected.counts }
    }

    /// Points refused while decoding, by receiver-stage reason.
    package var refusedPoints: RefusalCounts { refused.withLock { $0 } }
}
