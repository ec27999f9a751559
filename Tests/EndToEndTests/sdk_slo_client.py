#!/usr/bin/env python3
"""HTTP server request histograms from the OpenTelemetry SDK, for the SLO end-to-end test.

Usage: sdk_slo_client.py http://127.0.0.1:PORT/v1/metrics FAST_OK ERRORS SLOW_OK

Records, for service "checkout", http.server.request.duration (s, bounds
0.1/0.25/0.5/1): FAST_OK requests with status 200 taking 0.05 s, ERRORS with
status 500 taking 0.05 s, and SLOW_OK with status 200 taking 0.75 s; then
exports once (cumulative). Exits non-zero unless the export is acknowledged.
"""
import sys

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

endpoint, fast, errors, slow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
reader = PeriodicExportingMetricReader(OTLPMetricExporter(endpoint=endpoint, timeout=10), export_interval_millis=3_600_000)
provider = MeterProvider(metric_readers=[reader], resource=Resource.create({"service.name": "checkout"}))
duration = provider.get_meter("checkout.http").create_histogram(
    "http.server.request.duration", unit="s", explicit_bucket_boundaries_advisory=[0.1, 0.25, 0.5, 1.0])
for _ in range(fast):
    duration.record(0.05, {"http.request.method": "GET", "http.response.status_code": 200})
for _ in range(errors):
    duration.record(0.05, {"http.request.method": "GET", "http.response.status_code": 500})
for _ in range(slow):
    duration.record(0.75, {"http.request.method": "GET", "http.response.status_code": 200})
ok = reader.force_flush()
print("exported" if ok else "export failed")
sys.exit(0 if ok else 1)
