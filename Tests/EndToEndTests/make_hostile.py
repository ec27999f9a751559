#!/usr/bin/env python3
"""Writes hostile OTLP requests (with the official opentelemetry-proto package)
for the hardening tests. Usage: make_hostile.py KIND OUT_FILE

KIND: bad-utf8 | nan-inf | huge-value | many-attributes | million-attributes
"""
import math
import sys

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2 as m
from opentelemetry.proto.resource.v1.resource_pb2 import Resource


def kv(key, value):
    return KeyValue(key=key, value=AnyValue(string_value=value))


def request(*metrics):
    return ExportMetricsServiceRequest(resource_metrics=[m.ResourceMetrics(
        resource=Resource(attributes=[kv("service.name", "hostile")]),
        scope_metrics=[m.ScopeMetrics(metrics=list(metrics))])])


def gauge(name, values, attributes=()):
    return m.Metric(name=name, gauge=m.Gauge(data_points=[
        m.NumberDataPoint(as_double=value, time_unix_nano=1, attributes=list(attributes)) for value in values]))


kind, out = sys.argv[1], sys.argv[2]
if kind == "bad-utf8":
    data = request(gauge("utf8.test", [1.0], [kv("name", "MARKER-OK")])).SerializeToString()
    data = data.replace(b"MARKER", b"\xff\xfe\xc3\x28\xa0\xa1")  # invalid UTF-8, same length
elif kind == "nan-inf":
    data = request(
        gauge("special.values", [0.0], [kv("v", "nan")]),
        gauge("special.values", [0.0], [kv("v", "x")])).SerializeToString()
    message = request(m.Metric(name="special.values", gauge=m.Gauge(data_points=[
        m.NumberDataPoint(as_double=math.nan, time_unix_nano=1, attributes=[kv("v", "nan")]),
        m.NumberDataPoint(as_double=math.inf, time_unix_nano=1, attributes=[kv("v", "inf")]),
        m.NumberDataPoint(as_double=-math.inf, time_unix_nano=1, attributes=[kv("v", "-inf")])])))
    data = message.SerializeToString()
elif kind == "huge-value":
    data = request(gauge("huge.value", [1.0], [kv("blob", "x" * 100_000)]), gauge("small.value", [2.0])).SerializeToString()
elif kind == "many-attributes":
    data = request(gauge("many.attributes", [1.0], [kv("k%d" % i, "v") for i in range(200)]), gauge("small.value", [3.0])).SerializeToString()
elif kind == "million-attributes":
    data = request(gauge("million.attributes", [1.0], [kv("k%d" % i, "v") for i in range(1_000_000)])).SerializeToString()
else:
    sys.exit("unknown kind " + kind)
open(out, "wb").write(data)
