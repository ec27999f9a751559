#!/usr/bin/env python3
"""Writes hostile OTLP requests (issue 10) that the official protobuf package
cannot or will not build: attribute values nested 5,000 levels deep, NUL bytes
in strings, extreme timestamps. The wire format is written by hand (field
numbers from the OTLP specification), with the standard library only.

Writes deep-nesting-5000.pb.gz here (a test fixture) and seeds into
fuzz-corpus/. Run from anywhere: python3 Tests/Fixtures/make_hostile_fixtures.py
"""
import gzip
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "fuzz-corpus")
NOW = 1_700_000_000 * 1_000_000_000


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def field(number, payload):
    """A length-delimited field."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def fixed64(number, value):
    return varint(number << 3 | 1) + struct.pack("<Q", value)


def double(number, value):
    return varint(number << 3 | 1) + struct.pack("<d", value)


def string_value(text):
    return field(1, text)


def key_value(key, any_value):
    return field(1, key) + field(2, any_value)


def nested(depth, arrays=False):
    """An AnyValue nesting `depth` maps (or arrays) around the string "leaf"."""
    value = string_value(b"leaf")
    for _ in range(depth):
        if arrays:
            value = field(5, field(1, value))
        else:
            value = field(6, field(1, key_value(b"k", value)))
    return value


def number_point(value, start=0, time=1000, attributes=()):
    return fixed64(2, start) + fixed64(3, time) + double(4, value) + b"".join(field(7, a) for a in attributes)


def gauge(name, points):
    return field(1, name) + field(5, b"".join(field(1, p) for p in points))


def sum_metric(name, points, temporality=2):
    body = b"".join(field(1, p) for p in points) + varint(2 << 3) + varint(temporality) + varint(3 << 3) + varint(1)
    return field(1, name) + field(7, body)


def request(metrics, scope=b"lib"):
    resource = field(1, key_value(b"service.name", string_value(b"svc")))
    scope_metrics = field(1, field(1, scope)) + b"".join(field(2, m) for m in metrics)
    return field(1, field(1, resource) + field(2, scope_metrics))


def json_request(metrics):
    return json.dumps({"resourceMetrics": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
        "scopeMetrics": [{"scope": {"name": "lib"}, "metrics": metrics}]}]}).encode()


def json_nested(depth):
    value = {"stringValue": "leaf"}
    for _ in range(depth):
        value = {"kvlistValue": {"values": [{"key": "k", "value": value}]}}
    return value


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    deep = request([gauge(b"g", [number_point(1, attributes=[key_value(b"deep", nested(5000))])])])
    compressed = gzip.compress(deep, mtime=0)
    write(os.path.join(HERE, "deep-nesting-5000.pb.gz"), compressed)
    # As arrays (8 bytes a level) the body stays under the fuzzer's -max_len of 64 KiB.
    write(os.path.join(CORPUS, "deep-arrays-5000.pb"),
          request([gauge(b"g", [number_point(1, attributes=[key_value(b"deep", nested(5000, arrays=True))])])]))
    write(os.path.join(CORPUS, "deep-nesting-5000.pb.gz"), compressed)
    write(os.path.join(CORPUS, "deep-arrays-33.pb"),
          request([gauge(b"g", [number_point(1, attributes=[key_value(b"deep", nested(33, arrays=True))])])]))
    write(os.path.join(CORPUS, "deep-nesting-33.json"), json_request([{"name": "g", "gauge": {"dataPoints": [
        {"asDouble": 1, "timeUnixNano": "1000", "attributes": [{"key": "deep", "value": json_nested(33)}]}]}}]))

    nul_points = [number_point(1, attributes=[key_value(b"user", string_value(b"alice\0admin"))]),
                  number_point(2, attributes=[key_value(b"user", string_value(b"alice\0guest"))]),
                  number_point(3, attributes=[key_value(b"\0x", string_value(b"v"))])]
    write(os.path.join(CORPUS, "nul-bytes.pb"), request([gauge(b"a\0b", nul_points)], scope=b"lib\0x"))
    write(os.path.join(CORPUS, "nul-bytes.json"), json_request([{"name": "a\u0000b", "gauge": {"dataPoints": [
        {"asDouble": 1, "timeUnixNano": "1000", "attributes": [{"key": "user", "value": {"stringValue": "alice\u0000admin"}}]},
        {"asDouble": 2, "timeUnixNano": "1000", "attributes": [{"key": "\u0000x", "value": {"stringValue": "v"}}]}]}}]))

    top = 2**64 - 1
    write(os.path.join(CORPUS, "extreme-timestamps.pb"), request([
        gauge(b"g", [number_point(1, time=top), number_point(2, start=top, time=NOW), number_point(3, time=0)]),
        sum_metric(b"d", [number_point(1, start=NOW, time=NOW - 1), number_point(2, start=top, time=top)], temporality=1)]))
    write(os.path.join(CORPUS, "extreme-timestamps.json"), json_request([
        {"name": "g", "gauge": {"dataPoints": [{"asDouble": 1, "timeUnixNano": str(top)},
                                                {"asDouble": 2, "startTimeUnixNano": str(top), "timeUnixNano": str(NOW)}]}},
        {"name": "d", "sum": {"aggregationTemporality": 1, "isMonotonic": True, "dataPoints": [
            {"asInt": "1", "startTimeUnixNano": str(NOW), "timeUnixNano": str(NOW - 1)}]}}]))


if __name__ == "__main__":
    main()
