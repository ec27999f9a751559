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
  plain, gzip- and zstd-compressed, and a health check request;
- trace requests for span metrics (`traces-*`: a selector byte, then an
  ExportTraceServiceRequest body, see exerciseTraces in the fuzzer): the
  traces fixture's spans, spans with every dimension and many other
  attributes, dimension values nested past the limit (and a non-dimension
  attribute nested so, which is never unpacked), huge span and service
  names, spans ending before they start or without times, kinds and
  status codes outside the enums (-1 among them), short trace IDs, many routes (past the cardinality caps),
  events and links, and the same in OTLP/JSON.

The deep requests are written with a small wire encoder (the Python protobuf
runtime refuses to build messages that deep); the rest with opentelemetry-proto.
Run from anywhere: python3 Tests/Fixtures/make_fuzz_seeds.py
"""
import base64
import gzip
import json
import os
import struct
import subprocess

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2 as m
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1 import trace_pb2 as t

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


# Trace requests (span metrics). The fuzzer reads byte 0 as a selector: bits
# 0-1 the body's coding (0 none, 1 gzip, 2 deflate, 3 zstd), bits 2-4 which
# of its eight span-metrics configurations applies (0 the default, 1 all
# kinds with a cap of 2 series per service, 2 exponential in ms, 3
# exponential of two buckets with a cap of 1, 4 calls only, 5 dimensions with
# defaults, 6 one bound, 7 exponential of 4096 buckets).
SERVER, CLIENT, INTERNAL = t.Span.SPAN_KIND_SERVER, t.Span.SPAN_KIND_CLIENT, t.Span.SPAN_KIND_INTERNAL
MS = 1_000_000


def traces_seed(rules, body, coding=0):
    if coding == 1:
        body = gzip.compress(body, mtime=0)
    elif coding == 3:
        body = subprocess.run(["zstd", "-q", "-c"], input=body, stdout=subprocess.PIPE, check=True).stdout
    return bytes([rules << 2 | coding]) + body


def kv_any(key, value):
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    if isinstance(value, float):
        return KeyValue(key=key, value=AnyValue(double_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def span(index, name, kind, start, duration, attributes=(), status=0, trace_id=bytes(range(1, 17)), **extra):
    return t.Span(trace_id=trace_id, span_id=index.to_bytes(8, "big"), name=name, kind=kind,
                  start_time_unix_nano=start, end_time_unix_nano=start + duration,
                  attributes=[kv_any(k, v) for k, v in attributes], status=t.Status(code=status), **extra)


def traces_request(*resources):
    """resources: (service name or None, [spans]) pairs."""
    return ExportTraceServiceRequest(resource_spans=[
        t.ResourceSpans(
            resource=Resource(attributes=[kv_any("service.name", service)] if service is not None else []),
            scope_spans=[t.ScopeSpans(scope=InstrumentationScope(name="opentelemetry.instrumentation.flask"), spans=spans)])
        for service, spans in resources]).SerializeToString()


route = [("http.request.method", "POST"), ("http.route", "/pay")]
fixture = traces_request(("checkout", [
    span(1, "POST /pay", SERVER, T0, 42 * MS, route + [("http.response.status_code", 200)], status=1),
    span(2, "POST /pay", SERVER, T0 + 1000 * MS, 310 * MS, route + [("http.response.status_code", 500)], status=2),
    span(3, "GET", CLIENT, T0 + 10 * MS, 20 * MS, [("http.request.method", "GET")], parent_span_id=(1).to_bytes(8, "big")),
]))
write("traces-fixture.bin", traces_seed(0, fixture))
write("traces-fixture-gzip.bin", traces_seed(1, fixture, coding=1))
write("traces-fixture-zstd.bin", traces_seed(2, fixture, coding=3))
write("traces-fixture-calls-only.bin", traces_seed(4, fixture))

every_dimension = [("http.route", "/a"), ("http.request.method", "GET"), ("http.method", "GET"),
                   ("http.response.status_code", 200), ("http.status_code", 200), ("rpc.method", "Get"),
                   ("rpc.grpc.status_code", 0), ("k", True), ("zzz", 1.5)]
write("traces-many-attributes.bin", traces_seed(5, traces_request(("many", [
    span(1, "GET /a", SERVER, T0, 5 * MS, every_dimension + [("other.%d" % i, "v" * i) for i in range(200)]),
    span(2, "GET /a", SERVER, T0, 7 * MS, list(reversed(every_dimension))),  # unsorted: the same series
    span(3, "GET /a", SERVER, T0, 9 * MS, every_dimension + every_dimension),  # each twice: the first counts
]))))


def deep_value(depth):
    """An AnyValue of `depth` nested arrays around a string, by hand (see deep_request)."""
    value = field(1, b"/deep")
    for _ in range(depth):
        value = field(5, field(1, value))
    return value


def fixed64(number, value):
    return varint(number << 3 | 1) + struct.pack("<Q", value)


def raw_span(name, attributes, start=T0, end=T0 + MS, kind=2):
    """A Span by hand: name (5), kind (6), times (7, 8), attributes (9: key, AnyValue bytes)."""
    body = field(5, name) + varint(6 << 3) + varint(kind) + fixed64(7, start) + fixed64(8, end)
    for key, value in attributes:
        body += field(9, field(1, key) + field(2, value))
    return body


def raw_traces(*spans):
    resource = field(1, field(1, b"service.name") + field(2, field(1, b"deep")))  # Resource.attributes
    return field(1, field(1, resource) + field(2, b"".join(field(2, s) for s in spans)))


write("traces-deep-route-33.bin", traces_seed(0, raw_traces(raw_span(b"GET", [(b"http.route", deep_value(33))]))))
write("traces-deep-route-32.bin", traces_seed(0, raw_traces(raw_span(b"GET", [(b"http.route", deep_value(32))]))))
write("traces-deep-route-5000.bin", traces_seed(0, raw_traces(raw_span(b"GET", [(b"http.route", deep_value(5000))]))))
write("traces-deep-other-5000.bin", traces_seed(0, raw_traces(raw_span(b"GET", [(b"other", deep_value(5000))]))))
write("traces-deep-default-dimension.bin", traces_seed(5, raw_traces(
    raw_span(b"GET", [(b"nested", deep_value(40)), (b"http.route", field(1, b"/x"))]))))

write("traces-huge-names.bin", traces_seed(1, traces_request(
    ("s" * 17_000, [span(1, "ok", SERVER, T0, MS), span(2, "ok", SERVER, T0, MS)]),
    ("short", [span(3, "x" * 17_000, SERVER, T0, MS, [("http.route", "r" * 17_000)]), span(4, "ok", SERVER, T0, MS)]))))

write("traces-times.bin", traces_seed(2, traces_request(("times", [
    span(1, "backwards", SERVER, T0 + 10, -10),
    span(2, "no start", SERVER, 0, T0),
    span(3, "no end", SERVER, T0, -T0),
    span(4, "zero", SERVER, T0, 0),
    span(5, "longest", SERVER, 1, 2**64 - 2),
    span(6, "one ns", SERVER, T0, 1),
    span(7, "power of two", SERVER, T0, 2**30),
    span(8, "future", SERVER, 2**64 - 10, 9),
]))))
write("traces-times-one-bucket.bin", traces_seed(3, traces_request(("times", [
    span(1, "a", SERVER, T0, 1), span(2, "a", SERVER, T0, 2**63), span(3, "a", SERVER, T0, 3), span(4, "a", SERVER, T0, 0)]))))

odd = t.Span(trace_id=b"\x01" * 15, span_id=b"\x02" * 9, name="odd", kind=9, start_time_unix_nano=T0,
             end_time_unix_nano=T0 + MS, status=t.Status(code=7))
odd_status = t.Span(trace_id=b"", span_id=b"", name="", kind=SERVER, start_time_unix_nano=T0,
                    end_time_unix_nano=T0 + 3 * MS)
with_events = span(3, "events", SERVER, T0, 4 * MS, route,
                   events=[t.Span.Event(time_unix_nano=T0, name="exception", attributes=[kv_any("exception.type", "E")])],
                   links=[t.Span.Link(trace_id=b"\x03" * 16, span_id=b"\x04" * 8)])
write("traces-odd-fields.bin", traces_seed(1, traces_request((None, [odd, odd_status, with_events]), ("", [odd]))))
# Enums outside their values: -1 (ten bytes on the wire, 2^32-1 once read as
# unsigned, which trapped the walker) and Int32.max.
negative = [t.Span(name="neg", kind=-1, start_time_unix_nano=T0, end_time_unix_nano=T0 + MS),
            t.Span(name="neg", kind=SERVER, start_time_unix_nano=T0, end_time_unix_nano=T0 + MS, status=t.Status(code=-1)),
            t.Span(name="big", kind=2**31 - 1, start_time_unix_nano=T0, end_time_unix_nano=T0 + MS)]
write("traces-enums-out-of-range.bin", traces_seed(1, traces_request(("enums", negative))))

routes = [span(i, "GET /r%d" % i, SERVER, T0, i * MS, [("http.route", "/r%d" % i), ("http.response.status_code", 200 + i % 5)],
               status=i % 3) for i in range(1, 301)]
internal = [span(1000 + i, "db", INTERNAL if i % 2 else CLIENT, T0, MS) for i in range(20)]
many = traces_request(("cardinality", routes + internal), ("other", routes[:10]), ("cardinality", routes[:5]))
write("traces-many-routes-capped.bin", traces_seed(1, many))
write("traces-many-routes-capped-1.bin", traces_seed(3, many))
write("traces-many-routes-exponential.bin", traces_seed(7, many))
write("traces-many-routes-one-bound.bin", traces_seed(6, many))


def otlp_json(body):
    """OTLP/JSON of a trace request: json_format's output with IDs in hex, as the spec maps them."""
    message = ExportTraceServiceRequest()
    message.ParseFromString(body)
    document = json_format.MessageToDict(message)
    for resource in document.get("resourceSpans", []):
        for scope in resource.get("scopeSpans", []):
            for item in scope.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in item:
                        item[key] = base64.b64decode(item[key]).hex()
    return json.dumps(document).encode()


write("traces-fixture.json.bin", traces_seed(0, otlp_json(fixture)))
write("traces-times.json.bin", traces_seed(5, otlp_json(traces_request(("times", [
    span(1, "backwards", SERVER, T0 + 10, -10), span(2, "zero", SERVER, T0, 0), span(3, "ok", SERVER, T0, MS, route)])))))
deep_json = '{"stringValue":"/x"}'
for _ in range(40):
    deep_json = '{"arrayValue":{"values":[' + deep_json + ']}}'
write("traces-deep-route.json.bin", traces_seed(0, (
    '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"deep"}}]},'
    '"scopeSpans":[{"spans":[{"name":"GET","kind":2,"startTimeUnixNano":"' + str(T0) + '","endTimeUnixNano":"'
    + str(T0 + MS) + '","attributes":[{"key":"http.route","value":' + deep_json + '}]}]}]}]}').encode()))
print("wrote fuzz seeds to", CORPUS)
