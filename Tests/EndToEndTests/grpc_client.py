#!/usr/bin/env python3
"""grpcio as a raw OTLP/gRPC client for the end-to-end tests.

Usage: grpc_client.py COMMAND TARGET [ARGS]
  statuses TARGET TOKEN   one call per refusal class; prints "case CODE [detail]"
  unavailable TARGET      one export to a collector whose memory_limiter refuses:
                          prints the code and the RetryInfo delay parsed from
                          grpc-status-details-bin
  health TARGET [SERVICE] grpc.health.v1.Health/Check: prints the serving status
  tls TARGET CA TOKEN     over TLS: an export without and with the token
  sigterm TARGET          four threads export +1 deltas until a call fails;
                          prints "acknowledged N" (calls answered OK)

Messages are built with opentelemetry-proto; calls go through grpcio with
identity serializers (bytes in, bytes out), so every byte is ours to choose.
"""
import sys
import threading
import time

import grpc
from google.rpc import error_details_pb2, status_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.resource.v1 import resource_pb2

EXPORT = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"


def request(name, value, start_ns, end_ns, delta=False, service="grpc-raw", attributes=()):
    """An ExportMetricsServiceRequest with one monotonic sum point."""
    point = metrics_pb2.NumberDataPoint(
        as_int=value, start_time_unix_nano=start_ns, time_unix_nano=end_ns,
        attributes=[common_pb2.KeyValue(key=k, value=common_pb2.AnyValue(string_value=v)) for k, v in attributes])
    temporality = (metrics_pb2.AGGREGATION_TEMPORALITY_DELTA if delta
                   else metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE)
    metric = metrics_pb2.Metric(
        name=name, sum=metrics_pb2.Sum(data_points=[point], aggregation_temporality=temporality, is_monotonic=True))
    resource = resource_pb2.Resource(attributes=[
        common_pb2.KeyValue(key="service.name", value=common_pb2.AnyValue(string_value=service))])
    return metrics_service_pb2.ExportMetricsServiceRequest(resource_metrics=[
        metrics_pb2.ResourceMetrics(resource=resource, scope_metrics=[metrics_pb2.ScopeMetrics(metrics=[metric])])
    ]).SerializeToString()


def call(channel, payload, path=EXPORT, metadata=None, compression=None):
    """(code name, detail) of one raw unary call."""
    method = channel.unary_unary(path)
    try:
        answer = method(payload, metadata=metadata, compression=compression, timeout=10)
        response = metrics_service_pb2.ExportMetricsServiceResponse.FromString(answer)
        rejected = response.partial_success.rejected_data_points if response.HasField("partial_success") else 0
        return "OK", f"rejected={rejected}"
    except grpc.RpcError as error:
        return error.code().name, retry_delay(error)


def retry_delay(error):
    """The RetryInfo delay in grpc-status-details-bin, or 'no-retry-info'."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                info = error_details_pb2.RetryInfo()
                if detail.Unpack(info):
                    delay = info.retry_delay.seconds + info.retry_delay.nanos / 1e9
                    return f"code={status.code} retry={delay}s"
    return "no-retry-info"


def statuses(target, token):
    now = time.time_ns()
    good = request("grpc.raw.calls", 7, now - 1_000_000_000, now)
    auth = [("authorization", f"Bearer {token}")]
    bomb = b"\0" * (8 << 20)
    cases = [
        ("ok", lambda c: call(c, good, metadata=auth)),
        ("ok-gzip", lambda c: call(c, good, metadata=auth, compression=grpc.Compression.Gzip)),
        ("no-token", lambda c: call(c, good)),
        ("wrong-token", lambda c: call(c, good, metadata=[("authorization", "Bearer nope")])),
        ("undecodable", lambda c: call(c, b"\xff\xff\xff", metadata=auth)),
        ("too-large", lambda c: call(c, b"\0" * (2 << 20), metadata=auth)),
        ("unknown-method", lambda c: call(c, good, path="/opentelemetry.proto.collector.metrics.v1.MetricsService/Nope", metadata=auth)),
        ("unknown-service", lambda c: call(c, good, path="/acme.Widgets/Make", metadata=auth)),
        ("traces", lambda c: call(c, b"", path="/opentelemetry.proto.collector.trace.v1.TraceService/Export", metadata=auth)),
    ]
    with grpc.insecure_channel(target) as channel:
        for name, run in cases:
            code, detail = run(channel)
            print(name, code, detail)
        # 8 MiB of zeros, about 8 KiB once grpcio gzips the message.
        print("gzip-bomb", *call(channel, bomb, metadata=auth, compression=grpc.Compression.Gzip))


def unavailable(target):
    now = time.time_ns()
    with grpc.insecure_channel(target) as channel:
        print(*call(channel, request("grpc.raw.refused", 1, now - 1, now)))


def health(target, service=""):
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            answer = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            print(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))
        except grpc.RpcError as error:
            print(error.code().name)


def tls(target, ca, token):
    with open(ca, "rb") as file:
        credentials = grpc.ssl_channel_credentials(root_certificates=file.read())
    now = time.time_ns()
    payload = request("grpc.tls.calls", 3, now - 1_000_000_000, now)
    with grpc.secure_channel(target, credentials) as channel:
        print("no-token", *call(channel, payload))
        print("token", *call(channel, payload, metadata=[("authorization", f"Bearer {token}")]))


def sigterm(target):
    """Exports +1 deltas from four threads until the collector goes away."""
    acknowledged = [0] * 4
    endings = [""] * 4
    started = threading.Event()

    def worker(index):
        with grpc.insecure_channel(target) as channel:
            end = time.time_ns() - 3_600_000_000_000
            while True:
                start, end = end, end + 1_000_000
                payload = request("grpc.sigterm.calls", 1, start, end, delta=True, attributes=[("worker", str(index))])
                code, detail = call(channel, payload)
                if code != "OK":
                    endings[index] = f"{code}:{detail}"
                    return
                acknowledged[index] += 1
                started.set()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(4)]
    for thread in threads:
        thread.start()
    started.wait(10)
    print("started", flush=True)
    for thread in threads:
        thread.join(30)
    print("acknowledged", sum(acknowledged), *acknowledged, *endings, flush=True)


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"statuses": statuses, "unavailable": unavailable, "health": health, "tls": tls, "sigterm": sigterm}[command](*arguments)
