import Foundation
import OpenSRESLO
import OpenSRETestSupport
import Testing

/// The pages in a real browser: Debian's headless Chromium loads the
/// overview, an SLO's detail and the golden signals from the built
/// executable, fed six hours of SLO history and 14 days of golden baseline
/// through the state files and a known mix of requests by the Python SDK; the DOM after rendering is
/// checked, with JavaScript on and off, and a screenshot of each page is
/// written to `.build/test-output/status-pages/`.
@Suite("Pages in headless Chromium", .serialized)
struct StatusPagesBrowserTests {
    static let output = Fixtures.repositoryRoot.appendingPathComponent(".build/test-output/status-pages")
    static let minute: UInt64 = 60_000_000_000

    /// Six hours before now, per minute: 100 checkout requests; availability
    /// has 2 bad a minute in the third hour (120), latency 10 slow a minute
    /// for ten minutes (100).
    static func writeHistory(definitions: [SLODefinition], into directory: String) throws {
        let now = UInt64(Date().timeIntervalSince1970) / 60 * minute
        let first = now - 360 * minute
        let engine = SLOEngine(definitions: definitions, now: first)
        var totals = [UInt64](repeating: 0, count: definitions.count)
        var selected = totals
        for offset in 0..<360 {
            let time = first + UInt64(offset) * minute
            for (slo, definition) in definitions.enumerated() {
                let availability = definition.name == "checkout-availability"
                let bad: UInt64 = availability ? (120..<180).contains(offset) ? 2 : 0 : (200..<210).contains(offset) ? 10 : 0
                totals[slo] += 100
                selected[slo] += definition.good != nil ? 100 - bad : bad
                engine.observe(slo: slo, role: .total, series: 1, startTime: first, cumulative: totals[slo], now: time)
                engine.observe(slo: slo, role: .selected, series: 2, startTime: first, cumulative: selected[slo], now: time)
            }
        }
        try SLOStateFile(directory: directory).save(engine)
    }

    /// The 334 hours before this one for job `checkout`: 12 busy hours of 1,500
    /// requests and 12 quiet ones of 500, one error an hour, latencies
    /// 60% ≤ 50 ms, 30% ≤ 75 ms, 9% ≤ 100 ms, 0.8% ≤ 250 ms, 0.2% ≤ 500 ms.
    /// 335,000 requests and 334 errors; all inside the 14 days even if the hour turns.
    static func writeBaseline(into directory: String) throws {
        let now = Int64(Date().timeIntervalSince1970) / 3600
        var baseline = GoldenBaseline()
        for index in 0..<334 {
            let requests: UInt64 = index % 24 < 12 ? 1500 : 500
            let buckets = [0, 0, 0, requests * 6 / 10, requests * 3 / 10, requests * 9 / 100, requests * 8 / 1000, requests * 2 / 1000]
            baseline.add(
                GoldenBaseline.Hour(
                    hour: now - 334 + Int64(index), requests: requests, errors: 1,
                    buckets: buckets + Array(repeating: 0, count: GoldenBuckets.count - buckets.count)))
        }
        try GoldenBaselineFile(directory: directory).save([("checkout", baseline)])
    }

    /// Chromium's DOM after rendering `url` (stdout only; its stderr is noise about D-Bus).
    static func dom(_ url: String, javaScript: Bool = true) throws -> String {
        try chromium(["--dump-dom", url], javaScript: javaScript)
    }

    static func screenshot(_ url: String, name: String, height: Int, javaScript: Bool = true) throws {
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let file = output.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: file)
        _ = try chromium(["--screenshot=\(file)", "--window-size=1280,\(height)", "--hide-scrollbars", url], javaScript: javaScript)
        #expect(FileManager.default.fileExists(atPath: file), "no screenshot at \(file)")
    }

    /// Runs headless Chromium on a fresh profile. JavaScript is turned off
    /// through the profile's content settings: `--blink-settings=scriptEnabled=false`
    /// also stops `--dump-dom` and `--screenshot` (they print and write
    /// nothing), and `--disable-javascript` leaves scripts running.
    private static func chromium(_ arguments: [String], javaScript: Bool = true) throws -> String {
        let browser = try #require(
            ["chromium", "chromium-browser"].lazy.compactMap(ProgramRun.which).first, "chromium missing: apt-get install chromium")
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-chromium-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        if !javaScript {
            try FileManager.default.createDirectory(atPath: profile + "/Default", withIntermediateDirectories: true)
            try #"{"profile":{"default_content_setting_values":{"javascript":2}}}"#
                .write(toFile: profile + "/Default/Preferences", atomically: true, encoding: .utf8)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["60", browser, "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)"] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "chromium \(arguments) exited \(process.terminationStatus)")
        return String(decoding: data, as: UTF8.self)
    }

    /// The first element that opens with `prefix`, up to its `</tag>`.
    static func element(_ html: String, _ prefix: String, tag: String) -> String {
        guard let open = html.range(of: prefix), let close = html.range(of: "</\(tag)>", range: open.upperBound..<html.endIndex) else {
            return ""
        }
        return String(html[open.lowerBound..<close.upperBound])
    }

    @Test("overview, detail and golden pages render the collector's numbers, also without JavaScript; screenshots written")
    func pages() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("opensre-pages-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let slos = Fixtures.repositoryRoot.appendingPathComponent("config/slos/checkout.yaml").path
        try Self.writeHistory(definitions: OpenSLOLoader.load(patterns: [slos]), into: state)
        try Self.writeBaseline(into: state)
        let receiver = try ExecutableTests.freePort()
        let exporter = try ExecutableTests.freePort()
        let config = try SLOEndToEndTests.config(receiver: receiver, exporter: exporter, stateDirectory: state)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let collector = try await RunningExecutable.start(config: config, readyPort: exporter)
        defer { collector.kill9() }
        // 985 fast, 10 failing, 5 slow: availability 130 bad of 37,000 (−251.4% of a 99.9% budget, RED);
        // latency 105 slow of 37,000 (71.6% of a 99% budget left, GREEN).
        try await SLOEndToEndTests().sendRequests(port: receiver, fast: 985, errors: 10, slow: 5)
        let base = "http://127.0.0.1:\(exporter)"

        for javaScript in [true, false] {
            let overview = try Self.dom(base + "/", javaScript: javaScript)
            // The page's one script ran (from this listener, under its CSP) only when JavaScript is on.
            #expect(overview.contains(#"<html lang="en" class="js">"#) == javaScript, "JavaScript \(javaScript): \(overview.prefix(200))")
            let availability = Self.element(overview, #"<tr class="slo" data-slo="checkout-availability""#, tag: "tr")
            let latency = Self.element(overview, #"<tr class="slo" data-slo="checkout-latency""#, tag: "tr")
            for fragment in [
                #"data-status="red""#, #"<td class="sli number">99.649%</td>"#, #"<span class="value">-251.4%</span>"#,
                #"<span class="status red">RED</span>"#, "CheckoutAvailabilityErrorBudgetExhausted",
            ] {
                #expect(availability.contains(fragment), "JavaScript \(javaScript): missing \(fragment) in \(availability)")
            }
            for fragment in [
                #"data-status="green""#, #"<td class="sli number">99.716%</td>"#, #"<span class="value">71.6%</span>"#,
                #"<span class="status green">GREEN</span>"#, #"<td class="objective">99.000% latency over 28d</td>"#,
            ] {
                #expect(latency.contains(fragment), "JavaScript \(javaScript): missing \(fragment) in \(latency)")
            }
            // Sorted by remaining budget, the overspent one first.
            #expect(overview.range(of: "checkout-availability")?.lowerBound ?? overview.endIndex
                < overview.range(of: #"data-slo="checkout-latency""#)?.lowerBound ?? overview.startIndex)
        }
        // Filtering is a plain GET: it works without script.
        let red = try Self.dom(base + "/?status=red", javaScript: false)
        #expect(red.contains(#"data-slo="checkout-availability""#) && !red.contains(#"data-slo="checkout-latency""#))

        let detail = try Self.dom(base + "/slo/checkout-availability")
        for fragment in [
            #"<b id="sli">99.649%</b>"#, #"<b id="budget">-251.4%</b>"#, #"<b id="events">37,000</b>"#, #"<b id="bad-events">130</b>"#,
            // The whole history and the SDK's requests (the 6h window's count would move with the minute).
            #"<tr data-window="1d"><td>1d</td><td class="number events">37,000</td><td class="number bad">130</td><td class="number burn">3.51×</td>"#,
            "14.40× critical (1h &amp; 5m)", #"<pre id="definition">apiVersion: openslo/v1"#, "CheckoutAvailabilityBurnRateHigh",
        ] {
            #expect(detail.contains(fragment), "detail: missing \(fragment)")
        }
        #expect(detail.components(separatedBy: "<svg").count == 4, "three charts")
        #expect(detail.contains(#"<path class="line budget""#) && detail.contains(#"<rect class="bad""#))

        let golden = try Self.dom(base + "/golden")
        let checkout = Self.element(golden, #"<section class="job" data-job="checkout""#, tag: "section")
        #expect(checkout.contains(#"<b class="requests">1,000</b>"#) && checkout.contains(#"<b class="errors">10</b>"#), "\(checkout)")
        // The baseline: the injected 14 days and this hour's SDK requests, 344 errors in 336,000.
        for fragment in [
            #"<b class="baseline-days">14.0</b>"#, #"<b class="baseline-requests">336,000</b>"#,
            #"<b class="baseline-availability">99.898%</b>"#, "<code>opensre slo suggest --service checkout</code>",
        ] {
            #expect(checkout.contains(fragment), "golden: missing \(fragment)")
        }

        try Self.screenshot(base + "/", name: "overview.png", height: 520)
        try Self.screenshot(base + "/", name: "overview-without-javascript.png", height: 520, javaScript: false)
        try Self.screenshot(base + "/slo/checkout-availability", name: "slo-detail.png", height: 1500)
        try Self.screenshot(base + "/golden", name: "golden.png", height: 1150)
    }
}
