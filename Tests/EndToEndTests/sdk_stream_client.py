#!/usr/bin/env python3
"""Exports a stream of OpenTelemetry SDK metrics for the Prometheus end-to-end test.

Usage: sdk_stream_client.py http://127.0.0.1:PORT/v1/metrics ROUNDS

Each round (one per second), with opentelemetry-sdk and the OTLP/HTTP exporter:
- service "stream-shop" (instance "s-1"), cumulative, gzip: counter orders.placed
  +10 {payment.method=card}; histogram checkout.duration (s, bounds
  0.1/0.25/0.5/1) records 0.3 four times; up-down counter cart.items +1;
  observable gauge process.memory.usage (By) reads 1048576;
- service "stream-worker" (instance "s-2"), delta: counter events.seen +3.
Exits non-zero if any export is not acknowledged.
"""
import sys
import time

from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.metrics import Observation
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

endpoint, rounds = sys.argv[1], int(sys.argv[2])


def provider(service, instance, **options):
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=endpoint, timeout=10, **options), export_interval_millis=3_600_000)
    resource = Resource.create({"service.name": service, "service.instance.id": instance})
    return MeterProvider(metric_readers=[reader], resource=resource), reader


shop, shop_reader = provider("stream-shop", "s-1", compression=Compression.Gzip)
meter = shop.get_meter("stream.meter", "1.0")
orders = meter.create_counter("orders.placed", unit="{order}", description="Orders placed")
duration = meter.create_histogram(
    "checkout.duration", unit="s", description="Checkout latency",
    explicit_bucket_boundaries_advisory=[0.1, 0.25, 0.5, 1.0])
cart = meter.create_up_down_counter("cart.items", description="Items in carts")
meter.create_observable_gauge(
    "process.memory.usage", unit="By", description="Resident memory",
    callbacks=[lambda options: [Observation(1048576)]])

worker, worker_reader = provider(
    "stream-worker", "s-2",
    preferred_temporality={Counter: AggregationTemporality.DELTA, Histogram: AggregationTemporality.DELTA})
events = worker.get_meter("stream.worker").create_counter("events.seen", description="Events seen")

ok = True
for _ in range(rounds):
    orders.add(10, {"payment.method": "card"})
    for _ in range(4):
        duration.record(0.3)
    cart.add(1)
    events.add(3)
    ok = shop_reader.force_flush() and worker_reader.force_flush() and ok
    time.sleep(1)

print("exported" if ok else "export failed")
sys.exit(0 if ok else 1)
