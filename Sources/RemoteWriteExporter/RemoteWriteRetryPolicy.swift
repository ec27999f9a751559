import OpenSREModel

/// What the exporter does with a request after an attempt, and how long it
/// waits before the next one: the remote-write 1.0 rules, with the
/// Collector's `retry_on_failure` keys.
///
/// - `2xx`: sent.
/// - `5xx`, `429`, no answer (connection refused or reset, `timeout`): tried
///   again. The spec requires retrying 5xx and allows 429; the Collector
///   retries 429 only behind a feature gate and loses the data otherwise.
/// - Any other `4xx`: dropped at once, counted and logged. The receiver says
///   the request can never succeed (Prometheus answers 400 for out-of-order
///   and duplicate samples), and retrying it would hold up everything behind it.
///
/// Waits grow from `initial_interval` by 1.5x per attempt up to
/// `max_interval`, each randomized by ±50% (the Collector's defaults) so a
/// fleet of collectors does not retry in step. A `Retry-After` header (in
/// seconds or as an HTTP date) replaces the computed wait, up to
/// `max_interval`. Past `max_elapsed_time` since the first attempt the
/// request is dropped (counted as `retries_exhausted`); with
/// `retry_on_failure.enabled: false` a failed request is dropped at once.
package struct RemoteWriteRetryPolicy: Sendable, Equatable {
    /// `retry_on_failure.enabled`, default true.
    package var enabled = true
    /// `retry_on_failure.initial_interval`, default 50ms.
    package var initialInterval: Duration = .milliseconds(50)
    /// `retry_on_failure.max_interval`, default 30s.
    package var maxInterval: Duration = .seconds(30)
    /// `retry_on_failure.max_elapsed_time`, default 5m; zero: retry forever.
    package var maxElapsedTime: Duration = .seconds(300)

    static let multiplier = 1.5
    static let randomization = 0.5

    package init() {}

    /// How an attempt ended.
    package enum Answer: Equatable, Sendable {
        /// An HTTP status, with the `Retry-After` header's value if any.
        case status(Int, retryAfter: String?)
        /// No answer: the connection failed or `timeout` passed.
        case noAnswer(String)
    }

    /// What to do next.
    package enum Decision: Equatable, Sendable {
        case sent
        /// Try again after this long.
        case retry(after: Duration)
        /// Give the request up, for this reason (a self-metric label).
        case drop(DropReason)
    }

    /// Why a request was given up.
    package enum DropReason: String, Sendable, CaseIterable {
        /// A `4xx` other than 429: the receiver will never take it.
        case rejected
        /// Still failing after `max_elapsed_time`, or retries are disabled.
        case retriesExhausted = "retries_exhausted"
    }

    /// The decision after attempt number `attempt` (1 for the first) that
    /// ended `elapsed` after the first began, at `wallClock` (Unix ns, for a
    /// `Retry-After` date). `random` is in [0, 1).
    package func decide(_ answer: Answer, attempt: Int, elapsed: Duration, wallClock: UInt64, random: Double) -> Decision {
        var retryAfter: Duration?
        switch answer {
        case .status(let code, _) where (200..<300).contains(code):
            return .sent
        case .status(let code, let header) where code == 429 || (500..<600).contains(code):
            retryAfter = header.flatMap { Self.parseRetryAfter($0, wallClock: wallClock) }
        case .status:
            return .drop(.rejected)
        case .noAnswer:
            break
        }
        guard enabled else { return .drop(.retriesExhausted) }
        let wait = min(retryAfter ?? backoff(attempt: attempt, random: random), maxInterval)
        if maxElapsedTime > .zero, elapsed + wait > maxElapsedTime { return .drop(.retriesExhausted) }
        return .retry(after: wait)
    }

    /// The randomized exponential wait after attempt `attempt`.
    func backoff(attempt: Int, random: Double) -> Duration {
        // In nanoseconds as doubles: the defaults' products stay exact.
        let cap = Double(maxInterval.nanoseconds)
        var interval = Double(initialInterval.nanoseconds)
        for _ in 1..<max(attempt, 1) {
            interval = min(interval * Self.multiplier, cap)
        }
        let spread = interval * Self.randomization
        return .nanoseconds(Int64(min(interval - spread + 2 * spread * random, cap)))
    }

    /// `Retry-After` as seconds (`120`) or an HTTP date
    /// (`Wed, 21 Oct 2015 07:28:00 GMT`); nil when neither, or a date passed.
    static func parseRetryAfter(_ text: String, wallClock: UInt64) -> Duration? {
        let trimmed = text.trimming { $0 == " " || $0 == "\t" }
        if let seconds = Int(trimmed) { return seconds >= 0 ? .seconds(seconds) : nil }
        guard let date = HTTPDate.unixSeconds(trimmed) else { return nil }
        let now = Int64(wallClock / 1_000_000_000)
        return date > now ? .seconds(date - now) : nil
    }
}

/// The IMF-fixdate form of an HTTP date (RFC 9110 §5.6.7), the one senders
/// must produce: `Sun, 06 Nov 1994 08:49:37 GMT`.
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func unixSeconds(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", parts[0].hasSuffix(","),
            let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])), let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0..<24).contains(clock[0]), (0..<60).contains(clock[1]),
            (0..<61).contains(clock[2])
        else { return nil }
        return daysFromCivil(year: year, month: month + 1, day: day) * 86_400
            + Int64(clock[0] * 3600 + clock[1] * 60 + clock[2])
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shifted = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * shifted + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
