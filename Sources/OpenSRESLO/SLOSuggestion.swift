import Foundation
import Yams

/// A first pair of SLOs (availability and latency) drafted from a service's
/// 14-day golden baseline (``GoldenBaseline``): `opensre slo suggest`.
///
/// The rules, so that the draft is one the service already keeps with room
/// to spare (an SLO it would have missed is an alert on day one):
///
/// - **Availability**: the highest target of the ladder 99.99, 99.95, 99.9,
///   99.5, 99, 98, 95, 90 % whose error budget the last `days` days would have
///   used at most half of (errors ≤ ½ × (1 − target) × requests). A baseline
///   that fails even 90 % gets 90 %, and the comment says it is over budget.
/// - **Latency**: 99 % of requests within the smallest golden bucket bound
///   (``GoldenBuckets``, 5 ms to 10 s) at which at most half the budget was
///   used (slower requests ≤ ½ × 1 % of requests); if no bound up to 10 s
///   does, 95 %, then 90 %; failing all, 90 % within 10 s, over budget. The
///   bounds are the semantic-convention buckets, so the app's histogram has
///   the `le` the SLO counts by.
/// - At least ``minimumRequests`` requests in the window: fewer say too little
///   about a target as tight as 99.9 %.
///
/// Both objectives are rolling 28 days (about four weeks of the traffic the
/// baseline saw). Counts are exact integers; percentages in the comments are
/// rounded to two decimals (four for the observed availability).
package struct SLOSuggestion: Sendable, Equatable {
    /// The availability ladder, in hundredths of a percent.
    package static let availabilityLadder = [9999, 9995, 9990, 9950, 9900, 9800, 9500, 9000]
    /// Latency targets tried in order, in hundredths of a percent.
    package static let latencyTargets = [9900, 9500, 9000]
    /// Fewer requests in the window than this make no suggestion.
    package static let minimumRequests: UInt64 = 1000
    /// The rolling window of the suggested SLOs.
    package static let windowDays = 28

    /// Why no suggestion was made.
    package enum Problem: Error, Equatable, CustomStringConvertible {
        case days(Int)
        case noBaselines(file: String)
        case unknownService(String, known: [String])
        case tooFewRequests(String, requests: UInt64, days: Int)

        package var description: String {
            switch self {
            case .days(let days): return "--days must be 1...\(GoldenBaseline.days), got \(days)"
            case .noBaselines(let file):
                return "no golden baseline in \(file): is the collector's slo processor listed (it persists the baseline in its state_dir)?"
            case .unknownService(let service, let known):
                return "no baseline for service \(service); services with a baseline: \(known.joined(separator: ", "))"
            case .tooFewRequests(let service, let requests, let days):
                return "too few requests for service \(service) in the last \(days) days: \(requests), at least \(SLOSuggestion.minimumRequests) are needed"
            }
        }
    }

    package var service: String
    package var days: Int
    /// Unix hours: the first and last hour of the window.
    package var firstHour: Int64
    package var lastHour: Int64
    package var requests: UInt64
    package var errors: UInt64
    /// Requests with a latency (bucket counts; exponential histograms count in `+Inf`).
    package var timed: UInt64
    /// Summed golden buckets of the window.
    package var buckets: [UInt64]
    /// Hundredths of a percent.
    package var availabilityTarget: Int
    /// An index in ``GoldenBuckets/boundaries``.
    package var latencyBound: Int
    /// Hundredths of a percent.
    package var latencyTarget: Int
    /// Timed requests slower than the latency bound.
    package var slow: UInt64

    /// The suggestion for `service` from the baselines by job, over the
    /// `days` days ending with the hour of `now` (Unix seconds).
    package static func suggest(
        service: String, baselines: [String: GoldenBaseline], days: Int, now: Int64, file: String = "the state directory"
    ) throws(Problem) -> SLOSuggestion {
        guard (1...GoldenBaseline.days).contains(days) else { throw .days(days) }
        guard !baselines.isEmpty else { throw .noBaselines(file: file) }
        guard let baseline = baselines[service] else { throw .unknownService(service, known: baselines.keys.sorted()) }
        let lastHour = now >= 0 ? now / 3600 : (now - 3599) / 3600
        let hours = baseline.window(endingAt: lastHour, count: days * 24)
        var buckets = [UInt64](repeating: 0, count: GoldenBuckets.count)
        var requests: UInt64 = 0
        var errors: UInt64 = 0
        for hour in hours {
            requests &+= hour.requests
            errors &+= hour.errors
            for index in buckets.indices { buckets[index] &+= hour.buckets[index] }
        }
        guard requests >= minimumRequests else { throw .tooFewRequests(service, requests: requests, days: days) }
        let timed = buckets.reduce(0, &+)
        let availability =
            availabilityLadder.first { Self.halfBudget(bad: errors, total: requests, target: $0) } ?? availabilityLadder.last!
        var choice: (bound: Int, target: Int)?
        for target in latencyTargets where choice == nil {
            var slow = timed
            for bound in GoldenBuckets.boundaries.indices {
                slow &-= buckets[bound]
                if Self.halfBudget(bad: slow, total: timed, target: target) {
                    choice = (bound, target)
                    break
                }
            }
        }
        let (bound, target) = choice ?? (GoldenBuckets.boundaries.count - 1, latencyTargets.last!)
        return SLOSuggestion(
            service: service, days: days, firstHour: lastHour - Int64(days * 24 - 1), lastHour: lastHour,
            requests: requests, errors: errors, timed: timed, buckets: buckets, availabilityTarget: availability,
            latencyBound: bound, latencyTarget: target, slow: timed &- buckets[...bound].reduce(0, &+))
    }

    /// Whether `bad` of `total` events use at most half the budget of `target` (hundredths of a percent).
    static func halfBudget(bad: UInt64, total: UInt64, target: Int) -> Bool {
        // bad / total ≤ ½ (10000 − target) / 10000, in integers (no overflow below 10^14 events).
        let (left, leftOverflow) = bad.multipliedReportingOverflow(by: 20_000)
        let (right, rightOverflow) = total.multipliedReportingOverflow(by: UInt64(10_000 - target))
        if leftOverflow || rightOverflow {
            return Double(bad) * 20_000 <= Double(total) * Double(10_000 - target)
        }
        return left <= right
    }

    /// The share of the error budget of `target` that `bad` of `total` events used, in percent.
    static func budgetUsed(bad: UInt64, total: UInt64, target: Int) -> Double {
        total == 0 ? 0 : Double(bad) * 10_000 / (Double(total) * Double(10_000 - target)) * 100
    }

    /// The availability objective's share of its budget used, in percent.
    package var availabilityBudgetUsed: Double { Self.budgetUsed(bad: errors, total: requests, target: availabilityTarget) }
    /// The latency objective's share of its budget used, in percent.
    package var latencyBudgetUsed: Double { Self.budgetUsed(bad: slow, total: timed, target: latencyTarget) }
    /// The latency bound in seconds.
    package var latencyBoundSeconds: Double { GoldenBuckets.boundaries[latencyBound] }

    // MARK: - OpenSLO

    /// The two OpenSLO v1 `SLO` documents, `---` separated, each after a
    /// comment with the observed figures, the choice and the budget the window used.
    package func yaml() throws -> String {
        let name = Self.dnsName(service)
        let window = "\(Self.windowDays)d"
        let from = Self.timestamp(firstHour * 3600)
        let to = Self.timestamp((lastHour + 1) * 3600)
        let ladder = Self.availabilityLadder.map { Self.percent($0) }.joined(separator: ", ")
        let availabilityPercent = Self.percent(availabilityTarget)
        let latencyPercent = Self.percent(latencyTarget)
        let bound = Self.duration(latencyBoundSeconds)
        let observedAvailability = String(format: "%.4f", (1 - Double(errors) / Double(requests)) * 100)
        let within = String(format: "%.2f", Double(timed - slow) / Double(max(timed, 1)) * 100)
        func quantile(_ q: Double) -> String {
            GoldenBuckets.quantile(q, buckets: buckets).map { Self.duration($0) } ?? "none"
        }
        let overAvailability = availabilityBudgetUsed > 50 ? " (more than half: the service misses even this target; fix errors first)" : ""
        let overLatency = latencyBudgetUsed > 50 ? " (more than half: no bound up to 10 s keeps 90% within half the budget)" : ""

        let span = days == 1 ? "day" : "\(days) days"
        let availabilityComment = [
            "Drafted by `opensre slo suggest` from the golden baseline of \(service) over the last",
            "\(span) (\(from) to \(to)): \(Self.grouped(requests)) requests, \(Self.grouped(errors)) errors.",
            "Availability: observed \(observedAvailability)%. Target \(availabilityPercent)%: the highest of \(ladder)%",
            "whose error budget the window used at most half of. It used \(Self.two(availabilityBudgetUsed))% of it\(overAvailability).",
            "(Errors here are the golden signals': 5xx, error.type, non-OK gRPC; this SLO counts 5xx.)",
        ].map { "# " + $0 }
        let latencyComment = [
            "Latency: observed p50 \(quantile(0.5)), p90 \(quantile(0.9)), p99 \(quantile(0.99)); \(within)% of \(Self.grouped(timed))",
            "requests within \(bound). Target \(latencyPercent)% within \(bound) (le: \(Self.number(latencyBoundSeconds))): the smallest golden",
            "bucket bound at which the window used at most half the budget of 99% (else 95%, then 90%).",
            "\(Self.grouped(slow)) requests were slower: \(Self.two(latencyBudgetUsed))% of the budget\(overLatency).",
        ].map { "# " + $0 }

        let match: [(String, Node)] = Self.serviceMatch(service)
        func source(_ extra: [(String, Node)] = [], le: Double? = nil) -> Node {
            var spec: [(String, Node)] = [
                ("metric", Self.text("http.server.request.duration")), ("match", Self.mapping(match + extra)),
            ]
            if let le { spec.append(("le", Node(Self.number(le), Tag(.float), .plain))) }
            return Self.mapping([("metricSource", Self.mapping([("type", Self.text("opensre")), ("spec", Self.mapping(spec))]))])
        }
        func document(
            suffix: String, display: String, description: String, objective: [(String, Node)], indicator: String,
            ratio: [(String, Node)]
        ) -> Node {
            Self.mapping([
                ("apiVersion", Self.text("openslo/v1")),
                ("kind", Self.text("SLO")),
                ("metadata", Self.mapping([("name", Self.text("\(name)-\(suffix)")), ("displayName", Self.text(display))])),
                (
                    "spec",
                    Self.mapping([
                        ("description", Self.text(description)),
                        ("service", Self.text(service)),
                        ("budgetingMethod", Self.text("Occurrences")),
                        ("timeWindow", Self.sequence([Self.mapping([("duration", Self.text(window)), ("isRolling", Node("true", Tag(.bool), .plain))])])),
                        ("objectives", Self.sequence([Self.mapping(objective)])),
                        (
                            "indicator",
                            Self.mapping([
                                ("metadata", Self.mapping([("name", Self.text("\(name)-\(indicator)"))])),
                                ("spec", Self.mapping([("ratioMetric", Self.mapping([("counter", Node("true", Tag(.bool), .plain))] + ratio))])),
                            ])
                        ),
                    ])
                ),
            ])
        }
        let availability = document(
            suffix: "availability", display: "\(service) availability",
            description: "\(availabilityPercent)% of \(service) requests succeed (no 5xx) over \(Self.windowDays) days.",
            objective: [
                ("displayName", Self.text("Requests without server errors")),
                ("target", Node(Self.ratio(availabilityTarget), Tag(.float), .plain)),
            ],
            indicator: "server-errors",
            ratio: [
                ("bad", source([("http.response.status_code", Node("5..", .implicit, .doubleQuoted))])),
                ("total", source()),
            ])
        let latency = document(
            suffix: "latency", display: "\(service) latency",
            description: "\(latencyPercent)% of \(service) requests complete within \(bound) over \(Self.windowDays) days.",
            objective: [("target", Node(Self.ratio(latencyTarget), Tag(.float), .plain))],
            indicator: "fast-requests",
            ratio: [("good", source(le: latencyBoundSeconds)), ("total", source())])
        let first = try Yams.serialize(node: availability, indent: 2, width: -1, allowUnicode: true)
        let second = try Yams.serialize(node: latency, indent: 2, width: -1, allowUnicode: true)
        return availabilityComment.joined(separator: "\n") + "\n" + first + "---\n" + latencyComment.joined(separator: "\n")
            + "\n" + second
    }

    /// `service.name` (and `service.namespace` for a `namespace/name` job).
    private static func serviceMatch(_ job: String) -> [(String, Node)] {
        guard let slash = job.firstIndex(of: "/") else { return [("service.name", text(job))] }
        return [
            ("service.namespace", text(String(job[..<slash]))),
            ("service.name", text(String(job[job.index(after: slash)...]))),
        ]
    }

    /// A DNS label for `metadata.name`: lowercase, other characters as `-`, at most 50 characters.
    static func dnsName(_ service: String) -> String {
        var name = String(service.lowercased().unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "-"
        })
        name = String(name.prefix(50))
        while name.hasPrefix("-") { name.removeFirst() }
        while name.hasSuffix("-") { name.removeLast() }
        return name.isEmpty ? "service" : name
    }

    /// Hundredths of a percent as a percentage: 9995 → "99.95", 9000 → "90".
    static func percent(_ hundredths: Int) -> String {
        hundredths % 100 == 0 ? "\(hundredths / 100)" : trimmed(String(format: "%d.%02d", hundredths / 100, hundredths % 100))
    }

    /// Hundredths of a percent as a ratio: 9995 → "0.9995", 9000 → "0.9".
    static func ratio(_ hundredths: Int) -> String {
        trimmed(String(format: "0.%04d", hundredths))
    }

    private static func trimmed(_ text: String) -> String {
        var text = text
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A bound as YAML writes it: 0.5, 1, 2.5.
    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : "\(value)"
    }

    /// Seconds for people: "500 ms" below a second, "2.5 s" from it (milliseconds to three decimals).
    static func duration(_ seconds: Double) -> String {
        seconds < 1 ? trimmed(String(format: "%.3f", seconds * 1000)) + " ms" : trimmed(String(format: "%.3f", seconds)) + " s"
    }

    static func two(_ value: Double) -> String { String(format: "%.2f", value) }

    /// A count with thousands separators: 1,234,567.
    static func grouped(_ value: UInt64) -> String {
        var digits = Array(String(value))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits)
    }

    /// Unix seconds as `2026-12-03T18:00Z`.
    static func timestamp(_ seconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm'Z'"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    private static func text(_ string: String) -> Node { Node(string, .implicit, .any) }
    private static func mapping(_ pairs: [(String, Node)]) -> Node { Node(pairs.map { (text($0.0), $0.1) }, .implicit, .block) }
    private static func sequence(_ nodes: [Node]) -> Node { Node(nodes, .implicit, .block) }
}
