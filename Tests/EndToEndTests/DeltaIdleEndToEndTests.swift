import Foundation
import Testing

/// The Python SDK with delta temporality and idle export intervals (issue 10,
/// item 7): it sends nothing for an interval without measurements, so its
/// next point starts after the last one ended. The totals keep adding up.
@Suite("End to end: delta SDK with idle intervals", .serialized)
struct DeltaIdleEndToEndTests {
    /// add(5); three exports with nothing measured; add(1); add(1) — for a
    /// counter, an explicit histogram and an exponential histogram. After each
    /// export with data it scrapes the collector and prints the lines of those
    /// three series that carry the totals.
    static let client = #"""
        import sys, urllib.request
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
        from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
        from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
        from opentelemetry.sdk.resources import Resource

        receiver, scrape = sys.argv[1], sys.argv[2]
        exporter = OTLPMetricExporter(endpoint=receiver, timeout=10, preferred_temporality={
            Counter: AggregationTemporality.DELTA, Histogram: AggregationTemporality.DELTA})
        reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
        provider = MeterProvider(
            metric_readers=[reader], resource=Resource.create({"service.name": "e2e-idle", "service.instance.id": "sdk-idle"}),
            views=[View(instrument_name="payload.size", aggregation=ExponentialBucketHistogramAggregation())])
        meter = provider.get_meter("e2e.idle")
        jobs = meter.create_counter("jobs")
        latency = meter.create_histogram("latency", unit="s", explicit_bucket_boundaries_advisory=[0.1, 1.0])
        size = meter.create_histogram("payload.size", unit="By")

        def export_and_scrape():
            assert reader.force_flush(), "export failed"
            page = urllib.request.urlopen(scrape).read().decode()
            wanted = ("opensre_jobs_total{", "opensre_latency_seconds_count{", "opensre_latency_seconds_sum{",
                      "opensre_payload_size_bytes_count{", "opensre_payload_size_bytes_sum{")
            print(" | ".join(line for line in page.splitlines() if line.startswith(wanted)), flush=True)

        jobs.add(5)
        for _ in range(5):
            latency.record(0.05)
            size.record(3)
        export_and_scrape()
        for _ in range(3):
            assert reader.force_flush(), "idle export failed"  # nothing measured: nothing sent
        for _ in range(2):
            jobs.add(1)
            latency.record(0.5)
            size.record(3)
            export_and_scrape()
        """#

    @Test("counter, histogram and exponential histogram read 5, 6, 7 across three idle intervals")
    func idleIntervals() async throws {
        let collector = try await RunningCollector.start(batchTimeout: "10s")
        let run = try await ProgramRun.run(
            EndToEndTests.python,
            [
                "-c", Self.client, "http://127.0.0.1:\(collector.receiverPort)/v1/metrics",
                "http://127.0.0.1:\(collector.exporterPort)/metrics",
            ])
        #expect(run.status == 0, "client: \(run.output)")
        let labels = #"instance="sdk-idle",job="e2e-idle",otel_scope_name="e2e.idle""#
        func scrape(_ total: Int, latencySum: String, sizeSum: Int) -> String {
            [
                "opensre_jobs_total{\(labels)} \(total)", "opensre_latency_seconds_sum{\(labels)} \(latencySum)",
                "opensre_latency_seconds_count{\(labels)} \(total)", "opensre_payload_size_bytes_sum{\(labels)} \(sizeSum)",
                "opensre_payload_size_bytes_count{\(labels)} \(total)",
            ].joined(separator: " | ")
        }
        let lines = run.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("opensre_") }
        #expect(
            lines == [
                scrape(5, latencySum: "0.25", sizeSum: 15), scrape(6, latencySum: "0.75", sizeSum: 18),
                scrape(7, latencySum: "1.25", sizeSum: 21),
            ], "client: \(run.output)")
        await collector.stop()
    }
}
