#!/usr/bin/env python3
"""Writes the OTLP request fixtures in this folder with the official
`opentelemetry-proto` Python package (pip install opentelemetry-proto), so that
the decoder is tested against payloads our own code did not encode.

Run from anywhere: python3 Tests/Fixtures/make_fixtures.py
"""
import gzip
import os
import subprocess
import zlib

from google.protobuf import json_format

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, ArrayValue, KeyValue, KeyValueList, InstrumentationScope
from opentelemetry.proto.metrics.v1 import metrics_pb2 as m
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1 import trace_pb2 as t

HERE = os.path.dirname(os.path.abspath(__file__))
SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND
CUMULATIVE = m.AGGREGATION_TEMPORALITY_CUMULATIVE
DELTA = m.AGGREGATION_TEMPORALITY_DELTA


def kv(key, value):
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    if isinstance(value, bytes):
        return KeyValue(key=key, value=AnyValue(bytes_value=value))
    if isinstance(value, list):
        return KeyValue(key=key, value=AnyValue(array_value=ArrayValue(values=[kv("", v).value for v in value])))
    if isinstance(value, dict):
        return KeyValue(key=key, value=AnyValue(kvlist_value=KeyValueList(values=[kv(k, v) for k, v in value.items()])))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def attrs(pairs):
    return [kv(k, v) for k, v in pairs]


def request(metrics, resource=None, scope=("fixture.meter", "0.1.0")):
    resource = resource if resource is not None else [
        ("service.name", "checkout"), ("service.namespace", "shop"),
        ("service.instance.id", "pod-1"), ("host.name", "node-a")]
    return ExportMetricsServiceRequest(resource_metrics=[m.ResourceMetrics(
        resource=Resource(attributes=attrs(resource)),
        scope_metrics=[m.ScopeMetrics(
            scope=InstrumentationScope(name=scope[0], version=scope[1]),
            metrics=metrics)])])


def number(value, attributes=(), start=T0, time=T0 + 60 * SECOND, flags=0):
    point = m.NumberDataPoint(attributes=attrs(attributes), start_time_unix_nano=start, time_unix_nano=time, flags=flags)
    if isinstance(value, int):
        point.as_int = value
    elif value is not None:
        point.as_double = value
    return point


def mixed():
    return request([
        m.Metric(name="http.server.requests", unit="{request}", description="Requests served",
                 sum=m.Sum(aggregation_temporality=CUMULATIVE, is_monotonic=True, data_points=[
                     # Deliberately not sorted by key: identity must not depend on order.
                     number(42, [("http.response.status_code", 200), ("http.request.method", "GET")]),
                     number(3, [("http.request.method", "POST"), ("http.response.status_code", 500)]),
                 ])),
        m.Metric(name="process.memory.usage", unit="By", description="Resident memory",
                 gauge=m.Gauge(data_points=[number(123456789.0)])),
        m.Metric(name="system.cpu.utilization", unit="1", description="CPU busy share",
                 gauge=m.Gauge(data_points=[number(0.25, [("cpu.state", "user")])])),
        m.Metric(name="http.server.active_requests", unit="{request}", description="In-flight requests",
                 sum=m.Sum(aggregation_temporality=CUMULATIVE, is_monotonic=False, data_points=[number(7)])),
        m.Metric(name="http.server.request.duration", unit="s", description="Request latency",
                 histogram=m.Histogram(aggregation_temporality=CUMULATIVE, data_points=[m.HistogramDataPoint(
                     attributes=attrs([("http.route", "/cart")]),
                     start_time_unix_nano=T0, time_unix_nano=T0 + 60 * SECOND,
                     count=45, sum=12.5, explicit_bounds=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
                     bucket_counts=[1, 2, 3, 4, 5, 6, 7, 8, 9])])),
        m.Metric(name="legacy.latency", unit="ms", description="Latency quantiles",
                 summary=m.Summary(data_points=[m.SummaryDataPoint(
                     start_time_unix_nano=T0, time_unix_nano=T0 + 60 * SECOND, count=100, sum=1500.0,
                     quantile_values=[m.SummaryDataPoint.ValueAtQuantile(quantile=0.5, value=12.5),
                                      m.SummaryDataPoint.ValueAtQuantile(quantile=0.99, value=80.0)])])),
        m.Metric(name="feature.flags", unit="", description="Line one\nwith a back\\slash",
                 gauge=m.Gauge(data_points=[number(1, [
                     ("quote", 'say "hi"\nbye\\'), ("enabled", True), ("ratio", 0.5),
                     ("tags", ["a", 1, True]), ("a.b", "dot"), ("a_b", "underscore"), ("job", "batch"),
                     ("2xx", "digit"), ("raw", b"\x00\xff")])])),
    ])


def delta(value, start, time):
    return request([m.Metric(name="jobs.processed", unit="1", description="Jobs done",
                             sum=m.Sum(aggregation_temporality=DELTA, is_monotonic=True,
                                       data_points=[number(value, [("queue", "emails")], start=start, time=time)]))])


def unsupported():
    return request([
        m.Metric(name="queue.depth", gauge=m.Gauge(data_points=[number(4)])),
        m.Metric(name="payload.size", unit="By", exponential_histogram=m.ExponentialHistogram(
            aggregation_temporality=CUMULATIVE, data_points=[m.ExponentialHistogramDataPoint(
                count=2, sum=3.0, scale=1, positive=m.ExponentialHistogramDataPoint.Buckets(offset=0, bucket_counts=[1, 1]))])),
        m.Metric(name="bad.sum", sum=m.Sum(is_monotonic=True, data_points=[number(1)])),
        m.Metric(name="bad.exponential", exponential_histogram=m.ExponentialHistogram(
            aggregation_temporality=CUMULATIVE, data_points=[m.ExponentialHistogramDataPoint(
                count=1, scale=0, positive=m.ExponentialHistogramDataPoint.Buckets(offset=0, bucket_counts=[1]))])),
        m.Metric(name="bad.histogram", histogram=m.Histogram(aggregation_temporality=CUMULATIVE, data_points=[
            m.HistogramDataPoint(count=5, explicit_bounds=[1, 2], bucket_counts=[1, 1])])),
    ])


def traces():
    """Three spans of service checkout: a fast OK server span on /pay, a failing
    server span (status ERROR, 500), and a client span under the first."""
    trace_id = bytes(range(1, 17))
    def span(index, name, kind, start, duration_ms, attributes, status=None, parent=b""):
        return t.Span(trace_id=trace_id, span_id=bytes([index] * 8), parent_span_id=parent, name=name, kind=kind,
                      flags=0x101, start_time_unix_nano=start, end_time_unix_nano=start + duration_ms * 1_000_000,
                      attributes=[kv(k, v) for k, v in attributes], status=status or t.Status())
    server = [("http.request.method", "POST"), ("http.route", "/pay")]
    return ExportTraceServiceRequest(resource_spans=[t.ResourceSpans(
        resource=Resource(attributes=[kv("service.name", "checkout"), kv("service.instance.id", "pod-1")]),
        scope_spans=[t.ScopeSpans(scope=InstrumentationScope(name="opentelemetry.instrumentation.flask", version="0.66b1"), spans=[
            span(1, "POST /pay", t.Span.SPAN_KIND_SERVER, T0, 42, server + [("http.response.status_code", 200)],
                 t.Status(code=t.Status.STATUS_CODE_OK)),
            span(2, "POST /pay", t.Span.SPAN_KIND_SERVER, T0 + SECOND, 310, server + [("http.response.status_code", 500)],
                 t.Status(code=t.Status.STATUS_CODE_ERROR, message="card declined")),
            span(3, "GET", t.Span.SPAN_KIND_CLIENT, T0 + 10 * 1_000_000, 20, [("http.request.method", "GET")],
                 parent=bytes([1] * 8)),
        ])])])


def write(name, message):
    data = message.SerializeToString()
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    return data


if __name__ == "__main__":
    data = write("mixed.pb", mixed())
    # The same request in the proto3 JSON mapping, written by protobuf's own encoder.
    with open(os.path.join(HERE, "mixed.json"), "w") as f:
        f.write(json_format.MessageToJson(mixed()))
    with open(os.path.join(HERE, "mixed.pb.gz"), "wb") as f:
        f.write(gzip.compress(data, mtime=0))
    with open(os.path.join(HERE, "mixed.pb.deflate"), "wb") as f:
        f.write(zlib.compress(data))  # HTTP deflate: zlib-wrapped
    raw = zlib.compressobj(wbits=-15)
    with open(os.path.join(HERE, "mixed.pb.rawdeflate"), "wb") as f:
        f.write(raw.compress(data) + raw.flush())  # what some clients send as deflate
    # zstd frames, written by the zstd command-line tool (Debian's zstd package).
    subprocess.run(["zstd", "-q", "-f", "-19", os.path.join(HERE, "mixed.pb"), "-o", os.path.join(HERE, "mixed.pb.zst")], check=True)
    write("delta-1.pb", delta(5, T0, T0 + 10 * SECOND))
    write("delta-2.pb", delta(7, T0 + 10 * SECOND, T0 + 20 * SECOND))
    write("delta-overlap.pb", delta(100, T0 + 15 * SECOND, T0 + 25 * SECOND))
    write("delta-gap.pb", delta(9, T0 + 40 * SECOND, T0 + 50 * SECOND))
    write("unsupported.pb", unsupported())
    spans = write("traces.pb", traces())
    # The same compressions as mixed.pb's, for /v1/traces and TraceService/Export.
    with open(os.path.join(HERE, "traces.pb.gz"), "wb") as f:
        f.write(gzip.compress(spans, mtime=0))
    with open(os.path.join(HERE, "traces.pb.deflate"), "wb") as f:
        f.write(zlib.compress(spans))
    subprocess.run(["zstd", "-q", "-f", "-19", os.path.join(HERE, "traces.pb"), "-o", os.path.join(HERE, "traces.pb.zst")], check=True)
    with open(os.path.join(HERE, "malformed.bin"), "wb") as f:
        f.write(b"\x0a\xff\xff\xff\xff\x0f" + data[:40])  # a field length far past the end
    write("stale.pb", request([m.Metric(name="queue.depth", gauge=m.Gauge(data_points=[number(None, flags=1)]))]))
    # Twenty contiguous delta exports of 1, 2, ..., 20 (read-your-writes test).
    for index in range(20):
        write("sequence-%02d.pb" % index,
              delta(index + 1, T0 + index * SECOND, T0 + (index + 1) * SECOND))
    with open(os.path.join(HERE, "zeros-1mib.gz"), "wb") as f:
        f.write(gzip.compress(bytes(1 << 20), mtime=0))  # a small "gzip bomb"
    zeros = os.path.join(HERE, "zeros-1mib")
    with open(zeros, "wb") as f:
        f.write(bytes(1 << 20))
    subprocess.run(["zstd", "-q", "-f", "-19", zeros, "-o", zeros + ".zst"], check=True)
    os.remove(zeros)
    print("fixtures written to", HERE)
