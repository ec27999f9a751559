#!/usr/bin/env python3
"""Writes the pre-encoded ExportMetricsServiceRequests the benchmarks replay
(with the official opentelemetry-proto package) into Benchmarks/payloads/.

- http-1000.pb: 1000 points of http.server.request.duration (15 buckets), 4
  attributes each (route, method, status, region), 5 resource attributes: every
  point feeds the golden signals (their worst case).
- mixed-1000.pb (set a): 1000 points, a third each sum, gauge and histogram (15
  buckets), 4 attributes per point, 5 resource attributes, under names golden
  signals ignore.
- mixed-1000.pb.gz (set b): the same, gzip'd (sent with Content-Encoding: gzip).
- mixed-10.pb (set c): the same shape with 10 points (4 sums, 3 gauges, 3 histograms).
- cardinality-1000.pb (set d): set a with one more attribute, "series", whose
  value holds the marker "~~~~~~": the load generator writes a request number
  there (--vary), so each request brings 1000 new series; 1000 requests make 1M.
- family-1000.pb and family-absent-1000.pb: 1000 gauge points of one metric
  with the marker, the second with every point flagged NO_RECORDED_VALUE: a
  burst of removals over one large family (micro benchmark store.remove.burst).
- counters-1000.pb: 1000 monotonic sum points (10 metrics) with the marker,
  for scrape and memory figures: one exposition line per series.
- traces-1000.pb: an ExportTraceServiceRequest of 1000 spans shaped like what
  the Python Flask instrumentation sends (span metrics, issue 15): the SDK's
  resource (service.name, telemetry.sdk.*, 5 attributes), one scope per
  instrumentation; 677 SERVER spans ("GET /api/orders", the 12 attributes
  instrumentation-flask 0.46b0 writes under the older HTTP conventions:
  http.method, http.route among 20 routes, http.status_code, http.target,
  http.scheme, http.server_name, http.host, net.host.port, http.flavor,
  http.user_agent, net.peer.ip, net.peer.port), 2% with an exception event;
  323 children (a third): CLIENT spans of requests (3 attributes) and CLIENT
  or INTERNAL spans of sqlalchemy (6). 379 KB.
"""
import gzip
import os
import random

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2 as m
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1 import trace_pb2 as t

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "payloads")
T = 1_700_000_000 * 10**9
BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]


def kv(key, value):
    return KeyValue(key=key, value=AnyValue(string_value=value))


RESOURCE = Resource(attributes=[kv("service.name", "bench"), kv("service.instance.id", "i-1"), kv("host.name", "h1"),
                                kv("k8s.pod.name", "bench-1"), kv("deployment.environment", "prod")])


# Values vary (seeded) as real ones do, so gzip compresses them as it would real data.
RANDOM = random.Random(42)


def histogram_point(attributes):
    counts = [RANDOM.randrange(0, 500) for _ in range(15)]
    return m.HistogramDataPoint(attributes=attributes, start_time_unix_nano=T, time_unix_nano=T + 10**9,
                                count=sum(counts), sum=RANDOM.uniform(0, 5000), explicit_bounds=BOUNDS,
                                bucket_counts=counts)


def http_payload():
    points = []
    for route in range(125):
        for status in ("200", "201", "404", "500", "503", "302", "400", "204"):
            points.append(histogram_point([kv("http.route", "/r%d" % route), kv("http.request.method", "GET"),
                                           kv("http.response.status_code", status), kv("region", "eu")]))
    metric = m.Metric(name="http.server.request.duration", unit="s",
                      histogram=m.Histogram(aggregation_temporality=2, data_points=points))
    return metric, len(points)


def mixed_payload(size=1000, marker=False):
    metrics, total = [], 0
    groups = 30 if size >= 30 else 3
    for index in range(groups):
        def attributes(j):
            labels = [kv("route", "/r%d" % j), kv("method", "GET"), kv("status", "200"), kv("region", "eu")]
            return labels + [kv("series", "~~~~~~-%d" % j)] if marker else labels
        count = size // groups + (1 if index < size % groups else 0)
        if index % 3 == 0:
            points = [m.NumberDataPoint(attributes=attributes(j), start_time_unix_nano=T, time_unix_nano=T + 10**9, as_double=RANDOM.randrange(0, 10**6)) for j in range(count)]
            metrics.append(m.Metric(name="bench.sum.%d" % index, sum=m.Sum(aggregation_temporality=2, is_monotonic=True, data_points=points)))
        elif index % 3 == 1:
            points = [m.NumberDataPoint(attributes=attributes(j), time_unix_nano=T + 10**9, as_double=RANDOM.uniform(0, 100)) for j in range(count)]
            metrics.append(m.Metric(name="bench.gauge.%d" % index, gauge=m.Gauge(data_points=points)))
        else:
            points = [histogram_point(attributes(j)) for j in range(count)]
            metrics.append(m.Metric(name="bench.hist.%d" % index, unit="s", histogram=m.Histogram(aggregation_temporality=2, data_points=points)))
        total += count
    return metrics, total


def write(name, metrics):
    request = ExportMetricsServiceRequest(resource_metrics=[m.ResourceMetrics(
        resource=RESOURCE, scope_metrics=[m.ScopeMetrics(scope=InstrumentationScope(name="bench"), metrics=metrics)])])
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(request.SerializeToString())


def counters_payload():
    metrics = []
    for index in range(10):
        points = [m.NumberDataPoint(attributes=[kv("route", "/r%d" % j), kv("method", "GET"), kv("status", "200"),
                                                kv("series", "~~~~~~")],
                                    start_time_unix_nano=T, time_unix_nano=T + 10**9, as_double=j) for j in range(100)]
        metrics.append(m.Metric(name="bench.requests.%d" % index,
                                sum=m.Sum(aggregation_temporality=2, is_monotonic=True, data_points=points)))
    return metrics


def family_payload(absent):
    points = [m.NumberDataPoint(attributes=[kv("route", "/r%d" % j), kv("series", "~~~~~~")], time_unix_nano=T,
                                as_double=j, flags=1 if absent else 0) for j in range(1000)]
    return [m.Metric(name="bench.queue.depth", gauge=m.Gauge(data_points=points))]


def traces_payload(total=1000):
    """Spans as opentelemetry-instrumentation-flask (0.4xb) and its requests and
    sqlalchemy companions write them, in the order a BatchSpanProcessor
    exports them (children end first)."""
    def attr(key, value):
        if isinstance(value, int):
            return KeyValue(key=key, value=AnyValue(int_value=value))
        return kv(key, value)

    def ids():
        return RANDOM.getrandbits(128).to_bytes(16, "big"), RANDOM.getrandbits(64).to_bytes(8, "big")

    routes = ["/api/orders", "/api/orders/<int:order_id>", "/api/cart", "/api/cart/items", "/api/checkout",
              "/api/payments", "/api/users/<int:user_id>", "/api/login", "/api/logout", "/api/search",
              "/api/products", "/api/products/<int:product_id>", "/api/reviews", "/api/inventory", "/api/shipping",
              "/api/coupons", "/health", "/metrics-summary", "/api/recommendations", "/api/notifications"]
    agents = ["python-requests/2.31.0", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/124.0 Safari/537.36", "curl/8.5.0", "Go-http-client/1.1"]
    server_spans, client_spans, internal_spans = [], [], []
    count = 0
    while count < total:
        route = RANDOM.choice(routes)
        method = "POST" if route in ("/api/checkout", "/api/login", "/api/cart/items", "/api/payments") else "GET"
        status = RANDOM.choices([200, 201, 304, 400, 404, 500], weights=[80, 5, 3, 4, 5, 3])[0]
        target = route.replace("<int:order_id>", str(RANDOM.randrange(10**5))).replace(
            "<int:user_id>", str(RANDOM.randrange(10**4))).replace("<int:product_id>", str(RANDOM.randrange(10**3)))
        trace_id, span_id = ids()
        start = T + RANDOM.randrange(10**10)
        duration = int(RANDOM.lognormvariate(-3.5, 1.0) * 10**9)
        events = []
        if RANDOM.random() < 0.02:
            events.append(t.Span.Event(time_unix_nano=start + duration // 2, name="exception", attributes=[
                kv("exception.type", "ValueError"), kv("exception.message", "invalid order id"),
                kv("exception.stacktrace", "Traceback (most recent call last):\n  File \"app.py\", line 42, in order\n"
                   "    raise ValueError(\"invalid order id\")\nValueError: invalid order id"),
                kv("exception.escaped", "False")]))
        server_spans.append(t.Span(
            trace_id=trace_id, span_id=span_id, name="%s %s" % (method, route), kind=t.Span.SPAN_KIND_SERVER,
            start_time_unix_nano=start, end_time_unix_nano=start + duration, flags=0x100,
            attributes=[attr("http.method", method), attr("http.server_name", "0.0.0.0"), attr("http.scheme", "http"),
                        attr("net.host.port", 5000), attr("http.host", "shop.internal:5000"),
                        attr("http.target", target), attr("net.peer.ip", "10.0.%d.%d" % (RANDOM.randrange(4), RANDOM.randrange(256))),
                        attr("http.user_agent", RANDOM.choice(agents)), attr("net.peer.port", RANDOM.randrange(30000, 60000)),
                        attr("http.flavor", "1.1"), attr("http.route", route), attr("http.status_code", status)],
            events=events, status=t.Status(code=t.Status.STATUS_CODE_ERROR if status >= 500 else t.Status.STATUS_CODE_UNSET)))
        count += 1
        if count < total and RANDOM.random() < 0.5:
            child_id = RANDOM.getrandbits(64).to_bytes(8, "big")
            child_start = start + duration // 10
            child_duration = duration // 2
            if RANDOM.random() < 0.5:
                client_spans.append(t.Span(
                    trace_id=trace_id, span_id=child_id, parent_span_id=span_id, name="GET", kind=t.Span.SPAN_KIND_CLIENT,
                    start_time_unix_nano=child_start, end_time_unix_nano=child_start + child_duration, flags=0x100,
                    attributes=[attr("http.method", "GET"), attr("http.url", "http://inventory.internal:8080/stock/%d" % RANDOM.randrange(1000)),
                                attr("http.status_code", 200)]))
            else:
                internal_spans.append(t.Span(
                    trace_id=trace_id, span_id=child_id, parent_span_id=span_id, name="SELECT shop",
                    kind=t.Span.SPAN_KIND_CLIENT if RANDOM.random() < 0.5 else t.Span.SPAN_KIND_INTERNAL,
                    start_time_unix_nano=child_start, end_time_unix_nano=child_start + child_duration, flags=0x100,
                    attributes=[attr("db.system", "postgresql"), attr("db.name", "shop"), attr("db.user", "shop"),
                                attr("db.statement", "SELECT orders.id, orders.total FROM orders WHERE orders.user_id = %(user_id)s"),
                                attr("net.peer.name", "db.internal"), attr("net.peer.port", 5432)]))
            count += 1
    resource = Resource(attributes=[
        kv("telemetry.sdk.language", "python"), kv("telemetry.sdk.name", "opentelemetry"),
        kv("telemetry.sdk.version", "1.25.0"), kv("service.name", "shop"), kv("telemetry.auto.version", "0.46b0")])
    scopes = [t.ScopeSpans(scope=InstrumentationScope(name=name, version="0.46b0"), spans=spans) for name, spans in (
        ("opentelemetry.instrumentation.requests", client_spans),
        ("opentelemetry.instrumentation.sqlalchemy", internal_spans),
        ("opentelemetry.instrumentation.flask", server_spans)) if spans]
    request = ExportTraceServiceRequest(resource_spans=[t.ResourceSpans(resource=resource, scope_spans=scopes)])
    return request, len(server_spans), len(client_spans) + len(internal_spans)


if __name__ == "__main__":
    metric, count = http_payload()
    write("http-1000.pb", [metric])
    write("mixed-1000.pb", mixed_payload()[0])
    with open(os.path.join(OUT, "mixed-1000.pb"), "rb") as f, open(os.path.join(OUT, "mixed-1000.pb.gz"), "wb") as g:
        g.write(gzip.compress(f.read(), compresslevel=6))
    write("mixed-10.pb", mixed_payload(10)[0])
    write("cardinality-1000.pb", mixed_payload(marker=True)[0])
    write("counters-1000.pb", counters_payload())
    write("family-1000.pb", family_payload(absent=False))
    write("family-absent-1000.pb", family_payload(absent=True))
    traces, servers, children = traces_payload()
    with open(os.path.join(OUT, "traces-1000.pb"), "wb") as f:
        f.write(traces.SerializeToString())
    print("wrote payloads:", ", ".join(sorted(os.listdir(OUT))))
