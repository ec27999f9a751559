import OpenSRESLO
import Testing

@testable import OpenSREPipeline
@testable import StatusPages

@Suite("Golden-signals page")
struct GoldenPageTests {
    /// One job: 120 requests (6 errors) in the last hour's minutes, a saturation
    /// value in one minute; a baseline of two hours of 1,000 requests with 1 error.
    static func job() -> GoldenStatus {
        let minutes = 360
        var requests = [UInt64](repeating: 0, count: minutes)
        var errors = requests
        requests[minutes - 1] = 120
        errors[minutes - 1] = 6
        var saturation = [Double?](repeating: nil, count: minutes)
        saturation[minutes - 2] = 0.25
        var latency = [Double?](repeating: nil, count: minutes)
        latency[minutes - 1] = 0.0425
        var buckets = [UInt64](repeating: 0, count: GoldenBuckets.count)
        buckets[3] = 1_000  // (0.025, 0.05]
        let hours = (0..<336).map { index in
            GoldenBaseline.Hour(
                hour: 500_000 + Int64(index), requests: index >= 334 ? 1_000 : 0, errors: index >= 334 ? 1 : 0,
                buckets: index >= 334 ? buckets : [UInt64](repeating: 0, count: GoldenBuckets.count))
        }
        return GoldenStatus(
            job: "checkout", requests: 2_120, errors: 8,
            history: GoldenStatus.History(
                start: 1_800_000_000, requests: requests, errors: errors, p50: latency, p90: latency, p99: latency,
                saturation: saturation),
            baseline: GoldenStatus.Baseline(hours: hours))
    }

    @Test("totals, last hour's rate and error ratio, four charts per six hours, the baseline's summary and charts")
    func page() throws {
        let status = Self.job()
        let page = GoldenPage.render([status])
        let section = try #require(PageFixtures.element(page, startingWith: #"<section class="job" data-job="checkout">"#, tag: "section"))
        for fragment in [
            #"<b class="requests">2,120</b>"#, #"<b class="errors">8</b>"#,
            #"<b class="rate">0.03/s</b>"#,  // 120 in the last hour
            #"<b class="error-ratio">5.000%</b>"#,
            // Two hours of 1,000 requests, 1 error each: 1 − 2/2000; all in (25 ms, 50 ms].
            #"<b class="baseline-days">0.1</b>"#, #"<b class="baseline-requests">2,000</b>"#,
            #"<b class="baseline-availability">99.900%</b>"#, #"<b class="baseline-p50">37.5 ms</b>"#,
            #"<b class="baseline-p99">49.8 ms</b>"#, "<code>opensre slo suggest --service checkout</code>",
            #"<g class="series saturation"><title>cpu saturation</title><circle class="dot saturation""#,
        ] {
            #expect(section.contains(fragment), "missing \(fragment)")
        }
        #expect(status.baseline.availability == 0.999 && abs((status.baseline.latencyP50Seconds ?? 0) - 0.0375) < 1e-12)
        #expect(page.components(separatedBy: "<svg").count == 7, "four charts of six hours, two of the baseline")
        // Without any saturation value, a note instead of an empty chart.
        var quiet = status
        quiet.history.saturation = quiet.history.saturation.map { _ in nil }
        let noSaturation = GoldenPage.render([quiet])
        #expect(noSaturation.components(separatedBy: "<svg").count == 6 && noSaturation.contains(#"class="muted saturation-missing""#))
        #expect(GoldenPage.render([]).contains("No job has sent request metrics yet"))
    }

    @Test("more than eight jobs: a table links to each, charts only for the one chosen with ?job=")
    func manyJobs() throws {
        let jobs = (0..<9).map { index in
            var job = Self.job()
            job.job = "job \(index)"
            return job
        }
        let list = GoldenPage.render(jobs)
        #expect(list.components(separatedBy: "<svg").count == 1 && list.components(separatedBy: "<tr data-job=").count == 10)
        #expect(list.contains(#"<tr data-job="job 3"><td><a href="/golden?job=job%203">job 3</a></td><td class="number">2,120</td><td class="number">8</td><td class="number">0.03/s</td><td class="number">5.000%</td></tr>"#))
        let one = GoldenPage.render(jobs, selected: GoldenQuery.job(in: "job=job+3"))
        #expect(one.components(separatedBy: "<section class=").count == 2 && one.contains(#"data-job="job 3">"#))
        #expect(one.contains("<code>opensre slo suggest --service &#39;job 3&#39;</code>"))
        #expect(GoldenPage.render(jobs, selected: "nobody").contains("No job named nobody."))
        #expect(GoldenPage.render(Array(jobs.prefix(8))).components(separatedBy: "<section class=").count == 9, "eight are drawn in full")
    }
}
