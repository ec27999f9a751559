#!/usr/bin/env python3
"""Resident memory of the collector under the hostile inputs of issue 10,
each against a fresh collector (release build) on free ports.

  far-apart  two delta exponential-histogram requests of some 65 bytes whose
             buckets are 2^26 (scale 0), 2^26 or 2^31-1 (scale 20) apart (item 3);
  bodies     16 connections send their heads while memory is low, then 60 MiB
             (and then 16 MiB) bodies, against a 200 MiB memory_limiter (item 4);
  wide       20,000 series whose one label value is 15,000 characters, with
             the default settings (item 5);
  grpc-bomb  16 concurrent OTLP/gRPC calls (h2load, from Debian's
             nghttp2-client), each one gzip message of ~1 MiB that inflates
             to 1 GiB, against a 200 MiB memory_limiter (issue 11).

Usage: python3 Benchmarks/hostile_memory.py [--binary PATH] [far-apart|bodies|wide ...]
(default binary: .build/release/opensre, built if missing). Prints RSS before
and after (VmRSS, and VmHWM for the peak) and what the senders were answered.
"""
import argparse
import os
import random
import socket
import string
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def fixed64(number, value):
    return varint(number << 3 | 1) + struct.pack("<Q", value)


class Collector:
    def __init__(self, binary, processors="batch: {}", pipeline="[batch]"):
        self.receiver, self.exporter = free_port(), free_port()
        self.directory = tempfile.mkdtemp()
        config = os.path.join(self.directory, "opensre.yaml")
        with open(config, "w") as out:
            out.write(f"""receivers: {{ otlp: {{ protocols: {{ http: {{ endpoint: "127.0.0.1:{self.receiver}" }} }} }} }}
processors: {{ {processors} }}
exporters: {{ prometheus: {{ endpoint: "127.0.0.1:{self.exporter}" }} }}
service: {{ pipelines: {{ metrics: {{ receivers: [otlp], processors: {pipeline}, exporters: [prometheus] }} }} }}
""")
        self.process = subprocess.Popen([binary, "--config", config, "--log-level", "error"], cwd=self.directory)
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.exporter}/readyz", timeout=1)
                break
            except Exception:
                time.sleep(0.05)
        time.sleep(0.5)

    def memory(self, field_name="VmRSS"):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024

    def post(self, body, content_type="application/x-protobuf"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.receiver}/v1/metrics", data=body, headers={"Content-Type": content_type})
        try:
            with urllib.request.urlopen(request, timeout=300) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def scrape(self):
        return urllib.request.urlopen(f"http://127.0.0.1:{self.exporter}/metrics", timeout=60).read().decode()

    def stop(self):
        self.process.terminate()
        self.process.wait()


def mib(value):
    return f"{value / 2**20:.1f} MiB"


def far_apart(binary):
    def zigzag(value):
        return value << 1 if value >= 0 else (-value << 1) - 1

    def request(scale, offset, start, end):
        # ExponentialHistogramDataPoint: start 2, time 3, count 4, sum 5, scale 6 (sint32), positive 8
        positive = varint(1 << 3) + varint(zigzag(offset)) + field(2, varint(1))
        point = fixed64(2, start) + fixed64(3, end) + fixed64(4, 1) + varint(5 << 3 | 1) + struct.pack("<d", 1.0)
        point += varint(6 << 3) + varint(zigzag(scale)) + field(8, positive)
        histogram = field(1, point) + varint(2 << 3) + varint(1)  # data_points, temporality DELTA
        metric = field(1, b"size") + field(10, histogram)
        return field(1, field(2, field(2, metric)))

    for scale, a, b in ((0, 0, 2**26), (20, -(2**25), 2**25), (20, -(2**30), 2**30 - 1)):
        collector = Collector(binary)
        try:
            before = collector.memory()
            answers = []
            for offset, (start, end) in ((a, (100, 110)), (b, (110, 120))):
                body = request(scale, offset, start, end)
                started = time.time()
                status, answer = collector.post(body)
                answers.append(f"{len(body)} B -> {status} in {time.time() - started:.3f} s"
                               + (" (partial_success)" if len(answer) > 2 else ""))
            lines = [line for line in collector.scrape().splitlines() if line.startswith("opensre_size")]
            print(f"far-apart scale {scale}, offsets {a} and {b}: RSS {mib(before)} -> {mib(collector.memory())}; "
                  f"{'; '.join(answers)}; {len(lines)} exposition lines")
        finally:
            collector.stop()


def bodies(binary, connections=16, size=60 << 20):
    padding = b"p" * (8 << 10)

    def body(connection):
        attributes = field(7, field(1, b"connection") + field(2, field(1, str(connection).encode())))
        attributes += field(7, field(1, b"padding") + field(2, field(1, padding)))
        points = bytearray()
        count = 0
        while len(points) < size:
            count += 1
            points += field(1, attributes + fixed64(3, 1_000 + count) + fixed64(6, count))
        metric = field(1, b"large") + field(5, bytes(points))
        resource = field(1, field(1, b"service.name") + field(2, field(1, b"large")))
        return field(1, field(1, resource) + field(2, field(2, metric)))

    payloads = [body(index) for index in range(connections)]
    collector = Collector(binary, "memory_limiter: { check_interval: 100ms, limit_mib: 200 }, batch: {}",
                          "[memory_limiter, batch]")
    try:
        before = collector.memory()
        sockets = []
        for payload in payloads:
            connection = socket.create_connection(("127.0.0.1", collector.receiver))
            connection.sendall(b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                               + f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode())
            sockets.append(connection)
        time.sleep(0.2)
        statuses = [None] * connections

        def send(index):
            try:
                sockets[index].sendall(payloads[index])
            except OSError:
                pass  # answered and closed early
            answer = b""
            while True:
                chunk = sockets[index].recv(65536)
                if not chunk:
                    break
                answer += chunk
            statuses[index] = answer.split(b" ", 2)[1].decode() if answer.startswith(b"HTTP/1.1") else "none"

        threads = [threading.Thread(target=send, args=(index,)) for index in range(connections)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"bodies: {connections} x {size >> 20} MiB against limit_mib 200: RSS before {mib(before)}, "
              f"peak {mib(collector.memory('VmHWM'))}, after {mib(collector.memory())}; answers "
              + ", ".join(f"{status}: {statuses.count(status)}" for status in sorted(set(statuses))))
    finally:
        collector.stop()


def wide(binary, total=20_000):
    collector = Collector(binary)
    try:
        before = collector.memory()
        rng = random.Random(1)
        refused = 0
        sent = 0
        while sent < total:
            points = b""
            for _ in range(min(50, total - sent)):
                value = "".join(rng.choices(string.ascii_letters, k=15_000)).encode()
                points += field(1, field(7, field(1, b"v") + field(2, field(1, value))) + fixed64(3, 1) + fixed64(6, 1))
                sent += 1
            metric = field(1, b"wide") + field(5, points)
            resource = field(1, field(1, b"service.name") + field(2, field(1, b"wide")))
            status, _ = collector.post(field(1, field(1, resource) + field(2, field(2, metric))))
            assert status == 200, status
        page = collector.scrape()
        after = collector.memory()
        refused_line = [line for line in page.splitlines() if 'reason="series_bytes_limit"' in line]
        series = [line for line in page.splitlines() if line.startswith("opensre_collector_series ")]
        print(f"wide: {sent} series with 15,000-character values: RSS {mib(before)} -> {mib(after)}, "
              f"{(after - before) / max(1, sent):.0f} B per series; {series[0] if series else ''}; "
              f"{refused_line[0] if refused_line else ''}")
    finally:
        collector.stop()


def grpc_bomb(binary, calls=16):
    import re
    import zlib
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    chunk = bytes(1 << 20)
    message = b"".join(deflater.compress(chunk) for _ in range(1024)) + deflater.flush()
    collector = Collector(
        binary, processors="memory_limiter: { check_interval: 100ms, limit_mib: 200 }, batch: {}",
        pipeline="[memory_limiter, batch]")
    try:
        body = os.path.join(collector.directory, "bomb.bin")
        with open(body, "wb") as out:
            out.write(b"\x01" + struct.pack(">I", len(message)) + message)
        before = collector.memory()
        started = time.time()
        subprocess.run(
            ["h2load", "-n", str(calls), "-c", str(calls), "-m", "1", "-d", body,
             "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", "grpc-encoding: gzip",
             f"http://127.0.0.1:{collector.receiver}/opentelemetry.proto.collector.metrics.v1.MetricsService/Export"],
            check=True, stdout=subprocess.DEVNULL)
        took = time.time() - started
        page = collector.scrape()
        answers = re.findall(r'opensre_collector_requests_total\{code="(\w+)",transport="grpc"\} (\d+)', page)
        print(f"grpc-bomb: {calls} calls of {len(message) >> 10} KiB inflating to 1 GiB each, answered in {took:.1f} s: "
              f"{answers}; RSS {mib(before)} before, {mib(collector.memory())} after, peak {mib(collector.memory('VmHWM'))}")
    finally:
        collector.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build/release/opensre"))
    parser.add_argument("cases", nargs="*", default=["far-apart", "bodies", "wide"])
    arguments = parser.parse_args()
    if not os.path.exists(arguments.binary):
        subprocess.run(["swift", "build", "-c", "release", "--product", "opensre"], cwd=ROOT, check=True)
    for case in arguments.cases:
        if case == "bodies":
            for size in (60 << 20, 16 << 20):
                bodies(arguments.binary, size=size)
        else:
            {"far-apart": far_apart, "wide": wide, "grpc-bomb": grpc_bomb}[case](arguments.binary)


if __name__ == "__main__":
    sys.exit(main())
