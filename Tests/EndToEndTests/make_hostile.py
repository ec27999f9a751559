#!/usr/bin/env python3
"""Writes hostile OTLP requests (with the official opentelemetry-proto package)
for the hardening tests. Usage: make_hostile.py KIND OUT_FILE

KIND: bad-utf8 | nan-inf | huge-value | many-attributes | million-attributes
    | million-spans | deep-route | deep-other-attribute | huge-span-name | backwards-span
    | enums-out-of-range | many-resources | traces-fixture
(the last eight are ExportTraceServiceRequests, for span metrics)
"""
import math
import sys

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2 as m
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1 import trace_pb2 as t


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def kv(key, value):
    return KeyValue(key=key, value=AnyValue(string_value=value))


def request(*metrics):
    return ExportMetricsServiceRequest(resource_metrics=[m.ResourceMetrics(
        resource=Resource(attributes=[kv("service.name", "hostile")]),
        scope_metrics=[m.ScopeMetrics(metrics=list(metrics))])])


def gauge(name, values, attributes=()):
    return m.Metric(name=name, gauge=m.Gauge(data_points=[
        m.NumberDataPoint(as_double=value, time_unix_nano=1, attributes=list(attributes)) for value in values]))


T0 = 1_700_000_000 * 1_000_000_000
MS = 1_000_000


def span(name, start=T0, duration=MS, attributes=()):
    return t.Span(name=name, kind=t.Span.SPAN_KIND_SERVER, start_time_unix_nano=start,
                  end_time_unix_nano=start + duration, attributes=list(attributes))


def traces(*spans):
    return ExportTraceServiceRequest(resource_spans=[t.ResourceSpans(
        resource=Resource(attributes=[kv("service.name", "hostile")]),
        scope_spans=[t.ScopeSpans(spans=list(spans))])])


def nested_arrays(depth):
    """An AnyValue of `depth` arrays, one inside the other, around the string "/deep"."""
    value = AnyValue(string_value="/deep")
    for _ in range(depth):
        value = AnyValue(array_value=ArrayValue(values=[value]))
    return value


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
elif kind == "million-spans":
    # One series: about the smallest span that counts (a name, the SERVER kind
    # and its times: 37 bytes on the wire), a million times, 37 MB in all.
    one = traces(span("GET /checkout"))
    data = one.SerializeToString()
    scope = one.resource_spans[0].scope_spans[0]
    packed = scope.SerializeToString()  # ScopeSpans{spans: [the span]}
    # The repeated field written a million times: what SerializeToString of
    # a million equal spans gives, without building a million messages.
    spans = packed * 1_000_000
    resource = one.resource_spans[0]
    resource_bytes = resource.resource.SerializeToString()
    body = b"\x0a" + varint(len(resource_bytes)) + resource_bytes + b"\x12" + varint(len(spans)) + spans
    data = b"\x0a" + varint(len(body)) + body
    check = ExportTraceServiceRequest()
    check.ParseFromString(data)
    assert sum(len(s.spans) for s in check.resource_spans[0].scope_spans) == 1_000_000
elif kind == "deep-route":
    # 33 nested arrays in the http.route dimension: one past the limit of 32.
    data = traces(span("GET", attributes=[KeyValue(key="http.route", value=nested_arrays(33))])).SerializeToString()
elif kind == "deep-other-attribute":
    # The same nesting in an attribute that is not a dimension.
    data = traces(span("GET", attributes=[KeyValue(key="http.route", value=AnyValue(string_value="/ok")),
                                          KeyValue(key="payload", value=nested_arrays(33))])).SerializeToString()
elif kind == "huge-span-name":
    data = traces(span("GET /ok"), span("x" * (1 << 20)), span("GET /ok")).SerializeToString()
elif kind == "backwards-span":
    data = traces(span("GET /ok"), span("GET /ok", start=T0 + 5 * MS, duration=-MS), span("GET /ok")).SerializeToString()
elif kind == "enums-out-of-range":
    # -1 as span kind and as status code: ten bytes each on the wire, read back
    # as 2^32-1 by a 32-bit unsigned reader.
    data = traces(t.Span(name="GET /nope", kind=-1, start_time_unix_nano=T0, end_time_unix_nano=T0 + MS),
                  t.Span(name="GET /ok", kind=t.Span.SPAN_KIND_SERVER, start_time_unix_nano=T0,
                         end_time_unix_nano=T0 + MS, status=t.Status(code=-1))).SerializeToString()
elif kind == "many-resources":
    # 10,000 ResourceSpans, each its own resource (service.instance.id) with one span.
    data = ExportTraceServiceRequest(resource_spans=[t.ResourceSpans(
        resource=Resource(attributes=[kv("service.name", "hostile"), kv("service.instance.id", "i-%05d" % index)]),
        scope_spans=[t.ScopeSpans(spans=[span("GET /many")])]) for index in range(10_000)]).SerializeToString()
elif kind == "traces-fixture":
    data = traces(span("GET /ok")).SerializeToString()
else:
    sys.exit("unknown kind " + kind)
open(out, "wb").write(data)
