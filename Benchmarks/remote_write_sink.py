#!/usr/bin/env python3
"""A remote-write receiver that only counts: for the end-to-end benchmarks.

Accepts `POST` on any path (the collector sends to /api/v1/write), reads the
whole body (Content-Length or chunked), answers 204 at once, and counts
requests and body bytes. `GET /stats` returns the counts as JSON:
{"requests", "bytes", "bad_requests"} (a bad request lacks the remote-write
headers: Content-Encoding: snappy, X-Prometheus-Remote-Write-Version).
Keep-alive HTTP/1.1, a thread per connection, so the collector's shards send in
parallel as they would to Prometheus; nothing is decoded, so the sink costs
little CPU beside the collector.

Usage: python3 Benchmarks/remote_write_sink.py [--port 29201]
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

lock = threading.Lock()
counts = {"requests": 0, "bytes": 0, "bad_requests": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = self.headers.get("Content-Length")
        if length is not None:
            remaining = int(length)
            size = remaining
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
        else:  # chunked
            size = 0
            while True:
                line = self.rfile.readline()
                chunk_size = int(line.split(b";")[0].strip() or b"0", 16)
                if chunk_size == 0:
                    self.rfile.readline()
                    break
                self.rfile.read(chunk_size)
                self.rfile.readline()
                size += chunk_size
        good = (self.headers.get("Content-Encoding") == "snappy"
                and self.headers.get("X-Prometheus-Remote-Write-Version") is not None)
        with lock:
            counts["requests"] += 1
            counts["bytes"] += size
            counts["bad_requests"] += 0 if good else 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        with lock:
            body = json.dumps(counts).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=29201)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
