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
"""
import gzip
import os
import random

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.metrics.v1 import metrics_pb2 as m
from opentelemetry.proto.resource.v1.resource_pb2 import Resource

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
    print("wrote payloads:", ", ".join(sorted(os.listdir(OUT))))
