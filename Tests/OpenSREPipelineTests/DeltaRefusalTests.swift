import OTLPDecoding
import OpenSREModel
import OpenSREPipeline
import Testing

/// What a delta point cannot be added to: each case refused, with its own
/// outcome, counter, self-metric reason and ApplyReport field (issue 10, item 7).
@Suite("Delta refusals: older start, out-of-order end, overlap")
struct DeltaRefusalTests {
    /// A series that began at 100 and was last added to at 110.
    static func series() -> SeriesState {
        var state = SeriesState()
        _ = state.applyDelta(value: 5, startTime: 100, time: 110, isNew: true)
        return state
    }

    @Test(
        "each refusal has its own outcome and leaves the total alone",
        arguments: [
            (50, 200, SeriesState.Outcome.rejectedOlderStart),  // starts before the series' start
            (100, 110, .rejectedOutOfOrderEnd),  // the last point, sent again
            (100, 105, .rejectedOutOfOrderEnd),  // ends before the last end
            (110, 110, .rejectedOutOfOrderEnd),  // empty window at the last end
            (105, 120, .rejectedOverlap),  // starts inside the last window (the Collector would add it)
            (0, 110, .rejectedOutOfOrderEnd),  // no start time: only its end is checked
            (0, 120, .applied),
            (110, 120, .applied),  // contiguous
            (300, 400, .applied),  // after a gap, or a restart
        ] as [(UInt64, UInt64, SeriesState.Outcome)])
    func refusals(start: UInt64, end: UInt64, expected: SeriesState.Outcome) {
        var state = Self.series()
        #expect(state.applyDelta(value: 1, startTime: start, time: end, isNew: false) == expected)
        #expect(state.value == (expected == .applied ? 6 : 5))
        #expect(state.startTime == 100 && state.lastTime == (expected == .applied ? end : 110))
    }

    @Test("histograms are refused by the same rules; new bounds start over from the point")
    func histogramRules() {
        let bounds: [Double] = [1]
        func point(_ start: UInt64, _ end: UInt64) -> DecodedPoint {
            DecodedPoint(attributesHash: 0, attributes: .empty, startTime: start, time: end, value: 1, count: 1, hasSum: true)
        }
        var state = SeriesState()
        _ = state.applyHistogram(point(100, 110), bounds: bounds[...], counts: [1, 0][...], delta: true, isNew: true)
        #expect(state.applyHistogram(point(50, 200), bounds: bounds[...], counts: [1, 0][...], delta: true, isNew: false) == .rejectedOlderStart)
        #expect(state.applyHistogram(point(100, 110), bounds: bounds[...], counts: [1, 0][...], delta: true, isNew: false) == .rejectedOutOfOrderEnd)
        #expect(state.applyHistogram(point(105, 120), bounds: bounds[...], counts: [1, 0][...], delta: true, isNew: false) == .rejectedOverlap)
        #expect(state.buckets == [1, 0] && state.count == 1)
        // Bounds that change start over (counts, sum and start time), as the Collector does.
        #expect(state.applyHistogram(point(200, 210), bounds: [2][...], counts: [0, 1][...], delta: true, isNew: false) == .applied)
        #expect(state.bounds == [2] && state.buckets == [0, 1] && state.count == 1 && state.startTime == 200)

        var exponential = SeriesState()
        let buckets = ExponentialState(
            scale: 0, zeroCount: 0, zeroThreshold: 0, positive: .init(offset: 0, counts: [1]), negative: .init(offset: 0, counts: []))
        _ = exponential.applyExponential(point(100, 110), buckets: buckets, delta: true, isNew: true)
        #expect(exponential.applyExponential(point(50, 200), buckets: buckets, delta: true, isNew: false) == .rejectedOlderStart)
        #expect(exponential.applyExponential(point(100, 110), buckets: buckets, delta: true, isNew: false) == .rejectedOutOfOrderEnd)
        #expect(exponential.applyExponential(point(105, 120), buckets: buckets, delta: true, isNew: false) == .rejectedOverlap)
        #expect(exponential.count == 1 && exponential.exponential?.positive.counts == [1])
    }

    static func batch(_ value: Int, _ start: Int, _ end: Int) throws -> DecodedBatch {
        let request = #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"jobs","sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{"asInt":"\#(value)","startTimeUnixNano":"\#(start)","timeUnixNano":"\#(end)"}]}}]}]}]}"#
        let bytes = Array(request.utf8)
        return try bytes.withUnsafeBytes { try OTLPJSONDecoder().decode($0) }.batch
    }

    @Test("the store counts each refusal under its own reason and reports it for partial_success")
    func storeReports() throws {
        let store = SeriesStore()
        store.apply(try Self.batch(5, 100, 110))
        var expected = ApplyReport()
        expected.refused[.deltaOlderStart] = 1
        #expect(store.apply(try Self.batch(1, 50, 200)) == expected)
        expected = ApplyReport()
        expected.refused[.deltaOutOfOrder] = 1
        #expect(store.apply(try Self.batch(5, 100, 110)) == expected)
        expected = ApplyReport()
        expected.refused[.deltaOverlap] = 1
        #expect(store.apply(try Self.batch(1, 105, 120)) == expected)
        #expect(store.apply(try Self.batch(1, 300, 400)).refused.total == 0)
        let statistics = store.statistics
        #expect(statistics.refused[.deltaOlderStart] == 1 && statistics.refused[.deltaOutOfOrder] == 1 && statistics.refused[.deltaOverlap] == 1)
        #expect(statistics.rejectedPoints == 3 && statistics.acceptedPoints == 2)
        let page = String(decoding: ScrapeSources.render(store, counters: CollectorCounters()), as: UTF8.self)
        for line in [
            #"opensre_collector_points_refused_total{reason="delta_older_start",stage="processor"} 1"#,
            #"opensre_collector_points_refused_total{reason="delta_out_of_order",stage="processor"} 1"#,
            #"opensre_collector_points_refused_total{reason="delta_overlap",stage="processor"} 1"#,
            "opensre_jobs_total 6",
        ] {
            #expect(page.contains(line + "\n"), "missing: \(line)")
        }
    }
}

@Suite("Refusal reasons")
struct RefusalReasonTests {
    @Test("every reason has its own lane, label and message; stages split where declared")
    func distinct() {
        let all = RefusalReason.allCases
        #expect(all.count <= 32, "RefusalCounts has 32 lanes: widen it before adding a reason")
        #expect(Set(all.map(\.label)).count == all.count)
        let processor = RefusalReason.all(in: .processor)
        #expect(Set(processor.compactMap { $0.message() }).count == processor.count)
        #expect(RefusalReason.all(in: .receiver).allSatisfy { $0.message() == nil })
        #expect(RefusalReason.all(in: .receiver).map(\.label) == [
            "missing_temporality", "missing_value", "invalid_histogram", "invalid_exponential_histogram",
            "attributes_too_large", "metadata_too_long", "future_timestamp", "invalid_label_name", "invalid_span",
        ])
        #expect(RefusalReason.all(in: .processor).map(\.label) == [
            "delta_overlap", "delta_older_start", "delta_out_of_order", "type_conflict", "invalid_name",
            "cardinality_limit", "series_bytes_limit", "out_of_order",
        ])
        var counts = RefusalCounts()
        for reason in all { counts[reason] += reason.rawValue + 1 }
        #expect(counts.total == 153 && (counts - RefusalCounts()) == counts)
        #expect(counts.nonZero.count == 17 && counts.nonZero[3].reason == .invalidExponentialHistogram && counts.nonZero[3].count == 4)
        #expect((counts + counts).total == 306)
        #expect(RefusalReason.typeConflict.message(conflictingFamily: "opensre_x")
            == "metric opensre_x conflicts with the type of the existing family of that name")
    }
}
