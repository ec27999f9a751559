import Foundation
import OpenSREPipeline

/// `GET /golden`: per job, request rate, error ratio, latency percentiles
/// and CPU saturation over the last six hours, one point per minute, from
/// the golden-signal history (``GoldenStatus``); then the 14-day hourly
/// baseline that `opensre slo suggest` drafts a first SLO from.
package enum GoldenPage {
    /// Jobs drawn in full without choosing one: the page's work stays
    /// bounded with hundreds of jobs (beyond it, a table links to each).
    static let chartedJobs = 8

    /// Every job in `jobs`, or only the one named `selected` (`?job=`).
    package static func render(_ jobs: [GoldenStatus], selected: String? = nil) -> String {
        var html = HTML()
        html.element("h1", [], "Golden signals")
        if jobs.isEmpty {
            html.element(
                "p", [("class", "empty")],
                "No job has sent request metrics yet (http.server.request.duration, rpc.server.duration…), or golden signals are off.")
        }
        let charted: [GoldenStatus]
        if let selected {
            charted = jobs.filter { $0.job == selected }
            if charted.isEmpty { html.element("p", [("class", "empty")], "No job named \(selected).") }
        } else {
            charted = jobs.count <= chartedJobs ? jobs : []
        }
        if charted.count != jobs.count { table(jobs, into: &html) }
        for job in charted { section(job, into: &html) }
        html.element("p", [("class", "muted")], "Per minute by the collector's clock, UTC. Percentiles are interpolated in the golden latency buckets as histogram_quantile does.")
        return PageLayout.page(title: "Golden signals", body: html.text)
    }

    private static func section(_ job: GoldenStatus, into html: inout HTML) {
        let history = job.history
        let minutes = history.requests.count
        let end = history.start + Int64(max(minutes - 1, 0) * history.step)
        let (requests, errors) = lastHour(history)
        html.open("section", [("class", "job"), ("data-job", job.job)])
        html.element("h2", [], job.job)
        html.raw("<div class=\"facts\">")
        fact("Requests (total)", PageFormat.count(job.requests), key: "requests", into: &html)
        fact("Errors (total)", PageFormat.count(job.errors), key: "errors", into: &html)
        fact("Request rate, last hour", rate(requests, seconds: 3600), key: "rate", into: &html)
        fact("Error ratio, last hour", requests == 0 ? "–" : PageFormat.percent(Double(errors) / Double(requests)), key: "error-ratio", into: &html)
        html.raw("</div><div class=\"charts\">")
        let step = history.step
        func line(_ name: String, _ css: String, _ values: [Double?]) -> SVGChart.Line {
            .init(name: name, cssClass: css, start: history.start, step: step, values: values)
        }
        chart(
            "Request rate (per second)", legend: [("requests/s", "#1565c0")],
            SVGChart(
                title: "Request rate", from: history.start, to: end,
                lines: [line("requests per second", "requests", history.requests.map { Double($0) / Double(step) })],
                yLabel: { SVGChart.number($0) }), into: &html)
        chart(
            "Error ratio", legend: [("errors / requests", "#c62828")],
            SVGChart(
                title: "Error ratio", from: history.start, to: end,
                lines: [line("error ratio", "errors", zip(history.requests, history.errors).map { $0 == 0 ? nil : Double($1) / Double($0) })],
                yLabel: { PageFormat.percent($0, digits: 1) }), into: &html)
        chart(
            "Latency", legend: [("p50", "#2e7d32"), ("p90", "#ef6c00"), ("p99", "#c62828")],
            SVGChart(
                title: "Latency percentiles", from: history.start, to: end,
                lines: [line("p50", "p50", history.p50), line("p90", "p90", history.p90), line("p99", "p99", history.p99)],
                yLabel: { PageFormat.latency($0) }), into: &html)
        if history.saturation.contains(where: { $0 != nil }) {
            chart(
                "CPU saturation", legend: [("highest in the minute (1 = one core busy)", "#6a1b9a")],
                SVGChart(
                    title: "CPU saturation", from: history.start, to: end,
                    lines: [line("cpu saturation", "saturation", history.saturation)],
                    yLabel: { PageFormat.percent($0, digits: 0) }), into: &html)
        } else {
            html.raw("<div class=\"panel\"><h3>CPU saturation</h3>")
            html.element(
                "p", [("class", "muted saturation-missing")],
                "No CPU utilization from this job in six hours (process.cpu.utilization or container.cpu.utilization, e.g. from opentelemetry-instrumentation-system-metrics).")
            html.raw("</div>")
        }
        html.raw("</div>")
        baseline(job, into: &html)
        html.close("section")
    }

    /// One row per job with its last hour, linking to its charts.
    private static func table(_ jobs: [GoldenStatus], into html: inout HTML) {
        html.raw("<table id=\"jobs\"><thead><tr><th>Job</th><th class=\"number\">Requests (total)</th>")
        html.raw("<th class=\"number\">Errors (total)</th><th class=\"number\">Request rate, last hour</th>")
        html.raw("<th class=\"number\">Error ratio, last hour</th></tr></thead><tbody>")
        for job in jobs {
            let (requests, errors) = lastHour(job.history)
            html.open("tr", [("data-job", job.job)])
            html.raw("<td>")
            html.element("a", [("href", "/golden?job=" + (job.job.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))], job.job)
            html.raw("</td>")
            html.element("td", [("class", "number")], PageFormat.count(job.requests))
            html.element("td", [("class", "number")], PageFormat.count(job.errors))
            html.element("td", [("class", "number")], rate(requests, seconds: 3600))
            html.element("td", [("class", "number")], requests == 0 ? "–" : PageFormat.percent(Double(errors) / Double(requests)))
            html.close("tr")
        }
        html.raw("</tbody></table>")
    }

    /// Requests and errors in the last 60 minutes of `history`.
    static func lastHour(_ history: GoldenStatus.History) -> (requests: UInt64, errors: UInt64) {
        let from = max(0, history.requests.count - 60)
        return (history.requests[from...].reduce(0, &+), history.errors[from...].reduce(0, &+))
    }

    /// The 14-day baseline: its summary and hourly traffic and latency.
    private static func baseline(_ job: GoldenStatus, into html: inout HTML) {
        let baseline = job.baseline
        html.open("div", [("class", "baseline")])
        html.element("h3", [], "Baseline, last 14 days (hourly)")
        html.raw("<div class=\"facts\">")
        fact("Days covered", String(format: "%.1f", baseline.days), key: "baseline-days", into: &html)
        fact("Requests", PageFormat.count(baseline.requestsTotal), key: "baseline-requests", into: &html)
        fact("Availability", PageFormat.percent(baseline.availability), key: "baseline-availability", into: &html)
        fact("Latency p50", PageFormat.latency(baseline.latencyP50Seconds), key: "baseline-p50", into: &html)
        fact("Latency p90", PageFormat.latency(baseline.latencyP90Seconds), key: "baseline-p90", into: &html)
        fact("Latency p99", PageFormat.latency(baseline.latencyP99Seconds), key: "baseline-p99", into: &html)
        html.raw("</div>")
        html.raw("<div class=\"charts\">")
        let end = baseline.start + Int64(max(baseline.requests.count - 1, 0) * baseline.step)
        func line(_ name: String, _ css: String, _ values: [Double?]) -> SVGChart.Line {
            .init(name: name, cssClass: css, start: baseline.start, step: baseline.step, values: values)
        }
        chart(
            "Requests and errors per hour", legend: [("requests", "#1565c0"), ("errors", "#c62828")],
            SVGChart(
                title: "Requests and errors per hour", from: baseline.start, to: end,
                lines: [
                    line("requests per hour", "requests", baseline.requests.map { Double($0) }),
                    line("errors per hour", "errors", baseline.errors.map { Double($0) }),
                ],
                yLabel: { SVGChart.number($0) }), into: &html)
        chart(
            "Latency per hour", legend: [("p50", "#2e7d32"), ("p90", "#ef6c00"), ("p99", "#c62828")],
            SVGChart(
                title: "Latency percentiles per hour", from: baseline.start, to: end,
                lines: [line("p50", "p50", baseline.p50), line("p90", "p90", baseline.p90), line("p99", "p99", baseline.p99)],
                yLabel: { PageFormat.latency($0) }), into: &html)
        html.raw("</div>")
        html.open("p", [("class", "muted")])
        html.text("Draft a first SLO from it: ")
        html.element("code", [], "opensre slo suggest --service " + PageFormat.shellWord(job.job))
        html.close("p")
        html.close("div")
    }

    private static func chart(_ heading: String, legend: [(String, String)], _ chart: SVGChart, into html: inout HTML) {
        html.raw("<div class=\"panel\">")
        html.element("h3", [], heading)
        html.raw("<ul class=\"legend\">")
        for (label, colour) in legend { html.element("li", [("style", "--c:\(colour)")], label) }
        html.raw("</ul>")
        html.raw(chart.render())
        html.raw("</div>")
    }

    private static func fact(_ label: String, _ value: String, key: String, into html: inout HTML) {
        html.raw("<div class=\"fact\">")
        html.text(label)
        html.element("b", [("class", key)], value)
        html.raw("</div>")
    }

    /// `12.35/s` over `seconds`.
    static func rate(_ count: UInt64, seconds: Int) -> String {
        String(format: "%.2f/s", Double(count) / Double(seconds))
    }
}
