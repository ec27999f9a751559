import OpenSREModel
import OTLPDecoding
import Testing

@testable import OpenSREPipeline

/// Which requests may be answered before the processor applies them.
@Suite("Acknowledgement policy")
struct AcknowledgementPolicyTests {
    static func batch(_ metric: String = "g", times: [Int], delta: Bool = false) throws -> DecodedBatch {
        let points = times.map { #"{"asInt":"1","startTimeUnixNano":"1","timeUnixNano":"\#($0)"}"# }.joined(separator: ",")
        let data =
            delta
            ? #""sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[\#(points)]}"#
            : #""gauge":{"dataPoints":[\#(points)]}"#
        let json = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"\#(metric)",\#(data)}]}]}]}"#
        return try Array(json.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
    }

    static func report(_ batch: DecodedBatch, newest: UInt64) -> ApplyReport {
        var report = ApplyReport()
        report.safeStreams = batch.streams.map { .init(identity: $0.identityHash, newestTime: newest) }
        return report
    }

    static func admit(_ policy: inout AcknowledgementPolicy, _ batch: DecodedBatch, epoch: UInt64, mayRefuseSeries: Bool) -> Bool {
        policy.admit(batch, epoch: epoch, mayRefuseSeries: mayRefuseSeries)
    }

    @Test("a stream is acknowledged at once only once reported accepted, and only for points at or after its watermark")
    func watermark() throws {
        var policy = AcknowledgementPolicy()
        let first = try Self.batch(times: [100])
        #expect(!Self.admit(&policy, first, epoch: 0, mayRefuseSeries: false))
        policy.learn(Self.report(first, newest: 100), generation: policy.generation)
        #expect(Self.admit(&policy, try Self.batch(times: [100, 150]), epoch: 0, mayRefuseSeries: false))
        #expect(Self.admit(&policy, try Self.batch(times: [150]), epoch: 0, mayRefuseSeries: false))
        #expect(!Self.admit(&policy, try Self.batch(times: [149, 200]), epoch: 0, mayRefuseSeries: false))
        // Other streams, delta streams and possible cardinality refusals wait.
        #expect(!Self.admit(&policy, try Self.batch("other", times: [500]), epoch: 0, mayRefuseSeries: false))
        #expect(!Self.admit(&policy, try Self.batch(times: [300], delta: true), epoch: 0, mayRefuseSeries: false))
        #expect(!Self.admit(&policy, try Self.batch(times: [300]), epoch: 0, mayRefuseSeries: true))
    }

    @Test("points of a stream out of time order within one request wait, though all are after the watermark")
    func outOfOrderWithinRequest() throws {
        var policy = AcknowledgementPolicy()
        let first = try Self.batch(times: [100])
        _ = Self.admit(&policy, first, epoch: 0, mayRefuseSeries: false)
        policy.learn(Self.report(first, newest: 100), generation: policy.generation)
        #expect(!Self.admit(&policy, try Self.batch(times: [300, 200]), epoch: 0, mayRefuseSeries: false))
        #expect(Self.admit(&policy, try Self.batch(times: [300, 300, 400]), epoch: 0, mayRefuseSeries: false))
    }

    @Test("points queued while a report is on its way raise the watermark the report brings")
    func inFlight() throws {
        var policy = AcknowledgementPolicy()
        let first = try Self.batch(times: [200])
        #expect(!Self.admit(&policy, first, epoch: 0, mayRefuseSeries: false))
        let generation = policy.generation
        // Queued before the first report came back (waits too: not yet accepted).
        #expect(!Self.admit(&policy, try Self.batch(times: [300]), epoch: 0, mayRefuseSeries: false))
        policy.learn(Self.report(first, newest: 200), generation: generation)
        // 250 would be older than the 300 queued ahead of it.
        #expect(!Self.admit(&policy, try Self.batch(times: [250]), epoch: 0, mayRefuseSeries: false))
        #expect(Self.admit(&policy, try Self.batch(times: [300]), epoch: 0, mayRefuseSeries: false))
    }

    @Test("a new epoch (a refusal after acknowledgement somewhere) forgets every stream, and older reports teach nothing")
    func epoch() throws {
        var policy = AcknowledgementPolicy()
        let first = try Self.batch(times: [100])
        _ = policy.admit(first, epoch: 0, mayRefuseSeries: false)
        let before = policy.generation
        policy.learn(Self.report(first, newest: 100), generation: before)
        #expect(Self.admit(&policy, try Self.batch(times: [110]), epoch: 0, mayRefuseSeries: false))
        #expect(!Self.admit(&policy, try Self.batch(times: [120]), epoch: 1, mayRefuseSeries: false))
        policy.learn(Self.report(first, newest: 100), generation: before)
        #expect(!Self.admit(&policy, try Self.batch(times: [130]), epoch: 1, mayRefuseSeries: false))
        policy.learn(Self.report(first, newest: 130), generation: policy.generation)
        #expect(Self.admit(&policy, try Self.batch(times: [130]), epoch: 1, mayRefuseSeries: false))
    }
}
