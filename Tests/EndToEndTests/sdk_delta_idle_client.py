#!/usr/bin/env python3
"""The Python SDK with delta temporality and idle export intervals.

Usage: sdk_delta_idle_client.py http://127.0.0.1:RECEIVER/v1/metrics http://127.0.0.1:EXPORTER/metrics

With delta temporality the SDK sends nothing for an interval without
measurements, and its next point starts where that idle interval ended, so
the collector sees a gap between the points of one series. The collector must
add across it. After every export (forced, one per "interval") this client
scrapes the collector and prints one line:

    <step> <counter total> <histogram count> <histogram le="0.5" bucket>

Steps: add(5) and record(0.3); three idle intervals; add(1) and record(0.7);
add(1) and record(0.2); then a "restarted app" (a new MeterProvider, same
resource) adds 2 and records 0.1. Exits non-zero if an export fails.
"""
import re
import sys
import urllib.request

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

receiver, exporter_page = sys.argv[1], sys.argv[2]
DELTA = {Counter: AggregationTemporality.DELTA, Histogram: AggregationTemporality.DELTA}
RESOURCE = Resource.create({"service.name": "idle-app", "service.instance.id": "idle-1"})


def start():
    exporter = OTLPMetricExporter(endpoint=receiver, timeout=10, preferred_temporality=DELTA)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(metric_readers=[reader], resource=RESOURCE)
    meter = provider.get_meter("idle.meter", "1.0")
    jobs = meter.create_counter("jobs.done", description="Jobs done")
    latency = meter.create_histogram(
        "job.duration", unit="s", description="Job latency", explicit_bucket_boundaries_advisory=[0.25, 0.5, 1.0])
    return provider, reader, jobs, latency


def value(page, pattern):
    match = re.search(r"^" + pattern + r" (\S+)$", page, re.MULTILINE)
    return match.group(1) if match else "absent"


def report(step, reader):
    if not reader.force_flush():
        print(f"{step} export failed")
        sys.exit(1)
    page = urllib.request.urlopen(exporter_page, timeout=10).read().decode()
    labels = r'\{instance="idle-1",job="idle-app",otel_scope_name="idle.meter",otel_scope_version="1.0"'
    print(
        step,
        value(page, r"opensre_jobs_done_total" + labels + r"\}"),
        value(page, r"opensre_job_duration_seconds_count" + labels + r"\}"),
        value(page, r"opensre_job_duration_seconds_bucket" + labels + r',le="0.5"\}'),
        flush=True,
    )


provider, reader, jobs, latency = start()
jobs.add(5)
latency.record(0.3)
report("first", reader)
for idle in range(3):
    report(f"idle{idle + 1}", reader)
jobs.add(1)
latency.record(0.7)
report("after-gap", reader)
jobs.add(1)
latency.record(0.2)
report("next", reader)
provider.shutdown()

provider, reader, jobs, latency = start()
jobs.add(2)
latency.record(0.1)
report("restarted", reader)
provider.shutdown()
