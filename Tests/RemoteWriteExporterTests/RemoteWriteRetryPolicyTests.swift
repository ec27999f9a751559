@testable import RemoteWriteExporter
import Testing

@Suite("Remote write: retry rules")
struct RemoteWriteRetryPolicyTests {
    let policy = RemoteWriteRetryPolicy()
    /// 2015-10-21 07:28:00 UTC.
    static let wallClock: UInt64 = 1_445_412_480 * 1_000_000_000

    func decide(_ answer: RemoteWriteRetryPolicy.Answer, attempt: Int = 1, elapsed: Duration = .zero, random: Double = 0.5)
        -> RemoteWriteRetryPolicy.Decision
    {
        policy.decide(answer, attempt: attempt, elapsed: elapsed, wallClock: Self.wallClock, random: random)
    }

    @Test("2xx is sent; 5xx, 429 and no answer are retried; other 4xx are dropped at once as rejected")
    func classes() {
        for code in [200, 204] { #expect(decide(.status(code, retryAfter: nil)) == .sent) }
        for code in [500, 502, 503, 504, 429] {
            #expect(decide(.status(code, retryAfter: nil)) == .retry(after: .milliseconds(50)), "\(code)")
        }
        #expect(decide(.noAnswer("connection refused")) == .retry(after: .milliseconds(50)))
        for code in [400, 401, 403, 404, 409, 413, 422] {
            #expect(decide(.status(code, retryAfter: nil)) == .drop(.rejected), "\(code)")
        }
        // Redirects and informational answers are not success either.
        #expect(decide(.status(301, retryAfter: nil)) == .drop(.rejected))
    }

    @Test("waits grow 1.5x from initial_interval to max_interval, randomized by ±50%")
    func backoff() {
        // random 0.5 is the middle of the spread: the plain exponential series.
        let waits = (1...6).map { decide(.status(503, retryAfter: nil), attempt: $0) }
        #expect(waits == [50, 75, 112.5, 168.75, 253.125, 379.6875].map { .retry(after: .nanoseconds(Int64($0 * 1_000_000))) })
        #expect(decide(.status(503, retryAfter: nil), attempt: 1, random: 0) == .retry(after: .milliseconds(25)))
        #expect(decide(.status(503, retryAfter: nil), attempt: 1, random: 0.999_999) == .retry(after: .nanoseconds(74_999_950)))
        // Capped at max_interval (30s), also after the randomization.
        #expect(decide(.status(503, retryAfter: nil), attempt: 40) == .retry(after: .seconds(30)))
        #expect(decide(.status(503, retryAfter: nil), attempt: 40, random: 0.99) == .retry(after: .seconds(30)))
    }

    @Test("Retry-After in seconds or as an HTTP date replaces the wait, capped at max_interval; a bad or past one is ignored")
    func retryAfter() {
        #expect(decide(.status(429, retryAfter: "7")) == .retry(after: .seconds(7)))
        #expect(decide(.status(503, retryAfter: " 2 ")) == .retry(after: .seconds(2)))
        #expect(decide(.status(503, retryAfter: "Wed, 21 Oct 2015 07:28:09 GMT")) == .retry(after: .seconds(9)))
        #expect(decide(.status(503, retryAfter: "3600")) == .retry(after: .seconds(30)))
        for ignored in ["soon", "-5", "Wed, 21 Oct 2015 07:27:00 GMT", "21 Oct 2015 07:28:09"] {
            #expect(decide(.status(503, retryAfter: ignored)) == .retry(after: .milliseconds(50)), "\(ignored)")
        }
    }

    @Test("past max_elapsed_time the request is dropped; zero retries forever; disabled drops at the first failure")
    func giveUp() {
        #expect(decide(.status(503, retryAfter: nil), attempt: 30, elapsed: .seconds(280)) == .drop(.retriesExhausted))
        #expect(decide(.status(503, retryAfter: "10"), elapsed: .seconds(289)) == .retry(after: .seconds(10)))
        #expect(decide(.status(503, retryAfter: "10"), elapsed: .seconds(291)) == .drop(.retriesExhausted))
        var forever = policy
        forever.maxElapsedTime = .zero
        #expect(
            forever.decide(.status(503, retryAfter: "10"), attempt: 1000, elapsed: .seconds(86_400), wallClock: 0, random: 0.5)
                == .retry(after: .seconds(10)))
        var disabled = policy
        disabled.enabled = false
        #expect(disabled.decide(.status(503, retryAfter: nil), attempt: 1, elapsed: .zero, wallClock: 0, random: 0.5) == .drop(.retriesExhausted))
        #expect(disabled.decide(.status(400, retryAfter: nil), attempt: 1, elapsed: .zero, wallClock: 0, random: 0.5) == .drop(.rejected))
        #expect(disabled.decide(.status(204, retryAfter: nil), attempt: 1, elapsed: .zero, wallClock: 0, random: 0.5) == .sent)
    }

    @Test("HTTP dates: the IMF-fixdate form only")
    func dates() {
        #expect(HTTPDate.unixSeconds("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777)
        #expect(HTTPDate.unixSeconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.unixSeconds("Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)
        #expect(HTTPDate.unixSeconds("Sunday, 06-Nov-94 08:49:37 GMT") == nil)
        #expect(HTTPDate.unixSeconds("Sun Nov  6 08:49:37 1994") == nil)
    }
}
