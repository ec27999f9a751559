#!/usr/bin/env python3
"""OpenTelemetry SDK traffic for the remote-write end-to-end tests.

Usage: sdk_remote_write_client.py http://127.0.0.1:PORT/v1/metrics once
       sdk_remote_write_client.py http://127.0.0.1:PORT/v1/metrics ticks SECONDS

`once` exports, from service "rw-shop" (cumulative): counter orders.placed
card=3, cash=2; histogram checkout.duration (s, bounds 0.1/0.5/1): 0.25,
0.375, 0.375, 2.0; exponential histogram payload.size (By): 1, 2, 3, 4, 8;
and from service "rw-worker" (delta) counter events.seen: 4, then 6.

`ticks` adds 1 to counter ticks (service "rw-ticker", cumulative) every
0.1 s for SECONDS, exporting every 0.5 s and once more at the end, and
prints the total. Exits non-zero if any export is not acknowledged.
"""
import sys
import time

from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExponentialBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource

endpoint, mode = sys.argv[1], sys.argv[2]
HOUR = 3_600_000


def provider(service, interval=HOUR, views=(), **exporter_options):
    exporter = OTLPMetricExporter(endpoint=endpoint, timeout=10, **exporter_options)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=interval)
    resource = Resource.create({"service.name": service, "service.instance.id": "sdk-1"})
    return MeterProvider(metric_readers=[reader], resource=resource, views=list(views)), reader


if mode == "once":
    exponential = View(instrument_name="payload.size", aggregation=ExponentialBucketHistogramAggregation())
    shop, shop_reader = provider("rw-shop", views=[exponential])
    meter = shop.get_meter("rw.meter", "1.0")
    orders = meter.create_counter("orders.placed", unit="{order}")
    orders.add(3, {"payment.method": "card"})
    orders.add(2, {"payment.method": "cash"})
    duration = meter.create_histogram("checkout.duration", unit="s", explicit_bucket_boundaries_advisory=[0.1, 0.5, 1.0])
    for value in (0.25, 0.375, 0.375, 2.0):
        duration.record(value)
    size = meter.create_histogram("payload.size", unit="By")
    for value in (1, 2, 3, 4, 8):
        size.record(value)
    ok = shop_reader.force_flush()
    worker, worker_reader = provider(
        "rw-worker", preferred_temporality={Counter: AggregationTemporality.DELTA, Histogram: AggregationTemporality.DELTA})
    events = worker.get_meter("rw.worker").create_counter("events.seen")
    events.add(4)
    ok = worker_reader.force_flush() and ok
    events.add(6)
    ok = worker_reader.force_flush() and ok
    print("exported" if ok else "export failed")
    sys.exit(0 if ok else 1)

seconds = float(sys.argv[3])
ticker, reader = provider("rw-ticker", interval=500)
ticks = ticker.get_meter("rw.ticker").create_counter("ticks")
total = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    ticks.add(1)
    total += 1
    time.sleep(0.1)
ok = reader.force_flush()
ticker.shutdown()
print(total)
sys.exit(0 if ok else 1)
