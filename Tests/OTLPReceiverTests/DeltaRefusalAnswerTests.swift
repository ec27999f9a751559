import Testing

/// Delta points the processor refuses are answered in partial_success, each
/// with its own reason (issue 10, item 7).
extension OTLPHTTPHandlerTests {
    func sendDelta(_ value: Int, start: Int, end: Int) async throws -> String {
        let body = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"jobs","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"asInt":"\#(value)","startTimeUnixNano":"\#(start)","timeUnixNano":"\#(end)"}]}}]}]}]}"#
        return try await send(headers: [("Content-Type", "application/json")], body: Array(body.utf8)).text
    }

    static func refusal(_ message: String) -> String {
        #"{"partialSuccess":{"rejectedDataPoints":"1","errorMessage":"\#(message)"}}"#
    }

    @Test("delta refusals are reported with distinct reasons: out-of-order end, older start, overlap; a gap is accepted")
    func deltaRefusalReasons() async throws {
        let accepted = try await sendDelta(5, start: 100, end: 110)
        #expect(try await sendDelta(5, start: 100, end: 110) == Self.refusal("delta points end at or before the last point of their series (sent twice, or out of order)"))
        #expect(try await sendDelta(1, start: 50, end: 200) == Self.refusal("delta points start before their series' start (two writers of one series?)"))
        #expect(try await sendDelta(1, start: 105, end: 120) == Self.refusal("delta points overlap data already accumulated (start time before the previous point's end)"))
        #expect(try await sendDelta(1, start: 300, end: 400) == accepted)
        #expect(try await scrape().contains("opensre_jobs_total 6\n"))
    }
}
