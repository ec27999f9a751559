import Logging
import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import OpenSRETestSupport
import Synchronization
import Testing

@Suite("Pipeline entrance")
struct PipelineEntranceTests {
    func gauge(time: Int) throws -> DecodedBatch {
        let text = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"g","gauge":{"dataPoints":[{"asInt":"1","timeUnixNano":"\#(time)"}]}}]}]}]}"#
        return try Array(text.utf8).withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
    }

    final class Reports: Sendable {
        let received = Mutex<[ApplyReport]>([])
        func add(_ report: ApplyReport) { received.withLock { $0.append(report) } }
        func next(after count: Int) async throws -> ApplyReport {
            for _ in 0..<500 {
                if let report = received.withLock({ $0.count > count ? $0[count] : nil }) { return report }
                try await Task.sleep(for: .milliseconds(10))
            }
            throw CancellationError()
        }
    }

    @Test("new or possibly refused batches wait for their report; known in-order ones are answered at once; a full ring refuses")
    func decisions() async throws {
        let processor = BatchProcessor(
            rings: 1, configuration: BatchingConfiguration(sendBatchSize: 1_000_000, timeout: .seconds(60), ringCapacity: 2),
            settings: ExpositionSettings(), clock: ManualProcessorClock(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        processor.start()
        var entrance = PipelineEntrance(processor: processor, ring: 0)
        let reports = Reports()
        var asked = 0
        func submit(_ time: Int) throws -> PipelineEntrance.Decision {
            try entrance.submit(gauge(time: time)) {
                asked += 1
                return { reports.add($0) }
            }
        }

        // A stream the processor has not reported: wait, then learn from the report.
        guard case .answerAfterApply(let first) = try submit(2_000) else { Issue.record("expected a wait"); return }
        let report = try await reports.next(after: 0)
        #expect(entrance.settle(report, of: first, rejected: RejectedPoints()).count == 0)
        // Known, in order: at once, no completion asked for.
        guard case .answerNow = try submit(3_000) else { Issue.record("expected an answer now"); return }
        #expect(asked == 1)
        // Older than the stream's watermark: waits, and the refusal reaches the answer.
        guard case .answerAfterApply(let older) = try submit(1_000) else { Issue.record("expected a wait"); return }
        let refused = entrance.settle(try await reports.next(after: 1), of: older, rejected: RejectedPoints())
        #expect(refused.count == 1 && refused.message.contains("out of order"))

        // Two answered-now batches fill the ring of 2 (nothing wakes the processor for them).
        guard case .answerNow = try submit(4_000), case .answerNow = try submit(5_000) else {
            Issue.record("expected answers now"); return
        }
        guard case .full = try submit(6_000) else { Issue.record("expected full"); return }
        // A waiting batch that finds the ring full still gets its completion (an empty report).
        guard case .full = try submit(500) else { Issue.record("expected full"); return }
        #expect(try await reports.next(after: 2) == ApplyReport())
        await processor.stop()
        guard case .stopping = try submit(7_000) else { Issue.record("expected stopping"); return }
    }
}
