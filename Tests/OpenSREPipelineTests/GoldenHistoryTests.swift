import OpenSREModel
import Testing

@testable import OpenSREPipeline

@Suite("Golden signals: the six-hour history per minute (GET /api/v1/golden)")
struct GoldenHistoryTests {
    static let minute: UInt64 = 60_000_000_000
    static let start: UInt64 = 1_700_000_040 * 1_000_000_000  // a minute boundary

    @Test("requests, errors and buckets land in the minute of arrival; quantiles as histogram_quantile interpolates them")
    func minutes() throws {
        let store = SeriesStore()
        func send(_ counts: [Int], at wallClock: UInt64) throws {
            let metric = JSONRequests.histogram(
                "http.server.request.duration", bounds: [0.1, 0.5],
                points: [
                    (JSONRequests.attributes(("http.response.status_code", "200")), counts),
                    (JSONRequests.attributes(("http.response.status_code", "500")), [1, 0, 0]),
                ])
            store.apply(try JSONRequests.batch(JSONRequests.request(service: "api", metric)), wallClock: wallClock)
        }
        try send([8, 2, 0], at: Self.start + 5_000_000_000)
        try send([12, 2, 0], at: Self.start + 2 * Self.minute)  // cumulative: 4 more in minute 2; the 500 series no more
        let status = try #require(store.golden?.statuses(now: Self.start + 2 * Self.minute + 1))
        #expect(status.map(\.job) == ["api"])
        let api = status[0]
        #expect(api.requests == 15 && api.errors == 1)
        #expect(api.history.requests.count == 360 && api.history.step == 60)
        #expect(api.history.start == Int64(Self.start / 1_000_000_000) + 2 * 60 - 359 * 60)
        #expect(Array(api.history.requests.suffix(3)) == [11, 0, 4])
        #expect(Array(api.history.errors.suffix(3)) == [1, 0, 0])
        // Minute 0: 9 in (0.075, 0.1] (8 + the error), 2 in (0.25, 0.5]: the median, rank 5.5, is in the first.
        #expect(api.history.p50.suffix(3).first! == 0.075 + (0.1 - 0.075) * 5.5 / 9)
        #expect(api.history.p50.suffix(3).dropFirst().first! == nil)
        // Minute 2: 4 in (0.075, 0.1]; p99 at rank 3.96.
        #expect(api.history.p99.last! == 0.075 + (0.1 - 0.075) * 3.96 / 4)
        #expect(api.history.requests.dropLast(3).allSatisfy { $0 == 0 })
    }

    @Test("the ring keeps six hours: a slot six hours on is cleared, an older minute is not counted")
    func ring() {
        var history = GoldenHistory()
        let first: Int64 = 28_333_334
        let slot = history.slot(for: first)!
        history.add(slot: slot, requests: 5, errors: 1)
        history.add(slot: slot, bucket: 3, count: 5)
        #expect(history.window(endingAt: first, count: 1) == [
            GoldenHistory.Minute(minute: first, requests: 5, errors: 1, buckets: [0, 0, 0, 5] + Array(repeating: 0, count: 11))
        ])
        let later = history.slot(for: first + 360)!
        #expect(later == slot)
        history.add(slot: later, requests: 2, errors: 0)
        #expect(history.window(endingAt: first + 360, count: 1).first?.requests == 2)
        #expect(history.window(endingAt: first, count: 1).first?.requests == 0, "overwritten six hours on")
        #expect(history.slot(for: first) == nil, "older than the ring")
    }

    @Test("quantiles: interpolated from 0 in the first bucket; +Inf gives the highest bound; none without requests")
    func quantiles() {
        var buckets = [UInt64](repeating: 0, count: 15)
        #expect(GoldenSignals.quantile(0.5, buckets: buckets) == nil)
        buckets[5] = 10  // (0.075, 0.1]
        #expect(GoldenSignals.quantile(0.5, buckets: buckets) == 0.075 + (0.1 - 0.075) * 5 / 10)
        buckets[14] = 90  // +Inf
        #expect(GoldenSignals.quantile(0.99, buckets: buckets) == 10)
        // Counts whose sum wraps (a hostile client's) give some bound, never a trap.
        #expect(GoldenSignals.quantile(0.5, buckets: [1, UInt64.max, 5] + Array(repeating: 0, count: 12)) != nil)
    }
}
