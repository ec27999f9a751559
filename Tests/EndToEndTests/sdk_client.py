#!/usr/bin/env python3
"""A real OpenTelemetry SDK client for the end-to-end tests.

Usage: sdk_client.py http://127.0.0.1:PORT/v1/metrics
       sdk_client.py http://127.0.0.1:PORT grpc

Exports, with opentelemetry-sdk and opentelemetry-exporter-otlp-proto-http
(or, with `grpc`, opentelemetry-exporter-otlp-proto-grpc):
- from service "e2e-shop" (instance "sdk-1"), cumulative temporality, gzip:
  counter orders.placed {order}: card=3, cash=2; up-down counter cart.items = 3;
  histogram checkout.duration (s, bounds 0.1/0.5/1): 0.25, 0.375, 0.375, 2.0;
  gauge inventory.level = 42.5;
- from service "e2e-worker" (instance "sdk-2"), delta temporality, two
  exports of counter events.seen: 4 then 6 (10 in total once accumulated).
Exits non-zero if any export is not acknowledged.
"""
import sys

import grpc
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter as HTTPExporter
from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter as GRPCExporter
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource

endpoint = sys.argv[1]
over_grpc = sys.argv[2:] == ["grpc"]
HOUR = 3_600_000


def provider(service, instance, gzip=False, **exporter_options):
    if over_grpc:
        compression = grpc.Compression.Gzip if gzip else None
        exporter = GRPCExporter(endpoint=endpoint, insecure=True, timeout=10, compression=compression, **exporter_options)
    else:
        compression = Compression.Gzip if gzip else None
        exporter = HTTPExporter(endpoint=endpoint, timeout=10, compression=compression, **exporter_options)
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=HOUR)
    resource = Resource.create({"service.name": service, "service.instance.id": instance})
    return MeterProvider(metric_readers=[reader], resource=resource), reader


shop, shop_reader = provider("e2e-shop", "sdk-1", gzip=True)
meter = shop.get_meter("e2e.meter", "1.0")
orders = meter.create_counter("orders.placed", unit="{order}", description="Orders placed")
orders.add(3, {"payment.method": "card"})
orders.add(2, {"payment.method": "cash"})
cart = meter.create_up_down_counter("cart.items", description="Items in carts")
cart.add(5)
cart.add(-2)
duration = meter.create_histogram(
    "checkout.duration", unit="s", description="Checkout latency",
    explicit_bucket_boundaries_advisory=[0.1, 0.5, 1.0])
for value in (0.25, 0.375, 0.375, 2.0):
    duration.record(value)
inventory = meter.create_gauge("inventory.level", description="Units in stock")
inventory.set(42.5)
ok = shop_reader.force_flush()

worker, worker_reader = provider(
    "e2e-worker", "sdk-2",
    preferred_temporality={Counter: AggregationTemporality.DELTA, Histogram: AggregationTemporality.DELTA})
events = worker.get_meter("e2e.worker", "2.0").create_counter("events.seen", description="Events seen")
events.add(4)
ok = worker_reader.force_flush() and ok
events.add(6)
ok = worker_reader.force_flush() and ok

print("exported" if ok else "export failed")
sys.exit(0 if ok else 1)
