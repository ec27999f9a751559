#!/usr/bin/env python3
"""Writes seeds for the pipeline fuzzer (Tests/Fuzz) into fuzz-corpus/: the
classes of hostile input issue 10 found by hand, so that the fuzzer starts
next to them instead of having to discover them.

- attribute values nested 5,000 levels deep (arrays and key-value lists);
- exponential histograms at the Int32 offset edges and delta points far apart;
- NUL bytes in keys, values and names;
- extreme timestamps (2^64-1, 0, start after end);
- a long metric name;
- the same deep nesting in OTLP/JSON;
- OTLP/gRPC request bodies (a selector byte, then the length-prefixed message):
  plain, gzip- and zstd-compressed, and a health check request.

The deep requests are written with a small wire encoder (the Python protobuf
runtime refuses to build messages that deep); the rest with opentelemetry-proto.
Run from anywhere: python3 Tests/Fixtures/make_fuzz_seeds.py
"""
import gzip
import os
import struct
import subprocess

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2 as m
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz-corpus")
T0 = 1_700_000_000 * 1_000_000_000
DELTA = m.AGGREGATION_TEMPORALITY_DELTA
CUMULATIVE = m.AGGREGATION_TEMPORALITY_CUMULATIVE


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    """A length-delimited field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def deep_request(depth, container):
    value = field(1, b"x")  # AnyValue.string_value
    for _ in range(depth):
        if container == "array":
            value = field(5, field(1, value))  # AnyValue.array_value = ArrayValue{values: [value]}
        else:  # AnyValue.kvlist_value = KeyValueList{values: [KeyValue{key: "k", value}]}
            value = field(6, field(1, field(1, b"k") + field(2, value)))
    point = field(7, field(1, b"nested") + field(2, value))  # NumberDataPoint.attributes
    point += varint(3 << 3 | 1) + struct.pack("<Q", T0)  # time_unix_nano
    point += varint(4 << 3 | 1) + struct.pack("<d", 1.0)  # as_double
    metric = field(1, b"deep.gauge") + field(5, field(1, point))  # Metric{name, gauge{data_points}}
    return field(1, field(2, field(2, metric)))  # request{resource_metrics{scope_metrics{metrics}}}


def request(*metrics, resource=None):
    return ExportMetricsServiceRequest(
        resource_metrics=[
            m.ResourceMetrics(
                resource=resource or Resource(attributes=[KeyValue(key="service.name", value=AnyValue(string_value="fuzz"))]),
                scope_metrics=[m.ScopeMetrics(metrics=list(metrics))],
            )
        ]
    ).SerializeToString()


def exponential(name, temporality, *points):
    return m.Metric(name=name, exponential_histogram=m.ExponentialHistogram(aggregation_temporality=temporality, data_points=list(points)))


def exponential_point(offset, counts, start, time, scale=0):
    return m.ExponentialHistogramDataPoint(
        start_time_unix_nano=start, time_unix_nano=time, count=sum(counts), sum=1.0, scale=scale,
        positive=m.ExponentialHistogramDataPoint.Buckets(offset=offset, bucket_counts=counts))


def gauge(name, time, start=0, attributes=(), value=1.0):
    point = m.NumberDataPoint(start_time_unix_nano=start, time_unix_nano=time, as_double=value,
                              attributes=[KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in attributes])
    return m.Metric(name=name, gauge=m.Gauge(data_points=[point]))


def write(name, data):
    with open(os.path.join(CORPUS, name), "wb") as out:
        out.write(data)


write("deep-array-5000.pb", deep_request(5000, "array"))
write("deep-kvlist-4500.pb", deep_request(4500, "kvlist"))
write("deep-kvlist-20.pb", deep_request(20, "kvlist"))
write("exp-offset-max.pb", request(exponential("exp.edge", CUMULATIVE, exponential_point(2**31 - 1, [1, 1], T0, T0 + 1))))
write("exp-delta-edges.pb", request(exponential(
    "exp.edge", DELTA, exponential_point(-2**31, [1], T0, T0 + 1), exponential_point(2**31 - 3, [1], T0 + 1, T0 + 2))))
write("exp-delta-far.pb", request(exponential(
    "exp.far", DELTA, exponential_point(0, [1], T0, T0 + 1), exponential_point(2**26, [1], T0 + 1, T0 + 2))))
write("exp-scale-extremes.pb", request(exponential(
    "exp.scale", DELTA, exponential_point(-5, [1, 2, 3], T0, T0 + 1, scale=20),
    exponential_point(7, [4], T0 + 1, T0 + 2, scale=-10))))
write("nul-bytes.pb", request(
    gauge("nul.gauge", T0, attributes=[("user", "alice\0admin")]),
    gauge("nul.gauge", T0, attributes=[("user", "alice\0guest")]),
    gauge("nul\0name", T0, attributes=[("\0x", "v")])))
write("timestamps.pb", request(
    gauge("time.gauge", 2**64 - 1), gauge("time.gauge", T0), gauge("time.zero", 0),
    gauge("time.backwards", T0, start=T0 + 10)))
write("long-name.pb", request(gauge("n" * 20_000, T0)))
nested = '{"stringValue":"x"}'
for _ in range(1500):
    nested = '{"arrayValue":{"values":[' + nested + ']}}'
write("deep-array-1500.json", (
    '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"deep.gauge","gauge":{"dataPoints":[{"asDouble":1,'
    '"timeUnixNano":"' + str(T0) + '","attributes":[{"key":"nested","value":' + nested + '}]}]}}]}]}]}').encode())


def grpc_body(selector, message, compressed=False):
    """The fuzzer's gRPC input: a byte choosing the grpc-encoding (0 gzip,
    1 deflate, 2 zstd), then the 5-byte prefix and the message."""
    return bytes([selector, 1 if compressed else 0]) + struct.pack(">I", len(message)) + message


plain = request(gauge("grpc.gauge", T0, attributes=[("route", "/checkout")]))
write("grpc-plain.bin", grpc_body(0, plain))
write("grpc-gzip.bin", grpc_body(0, gzip.compress(plain), compressed=True))
zstd = subprocess.run(["zstd", "-q", "-c"], input=plain, stdout=subprocess.PIPE, check=True).stdout
write("grpc-zstd.bin", grpc_body(2, zstd, compressed=True))
write("grpc-health.bin", grpc_body(0, field(1, b"opentelemetry.proto.collector.metrics.v1.MetricsService")))
print("wrote fuzz seeds to", CORPUS)
