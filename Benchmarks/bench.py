#!/usr/bin/env python3
"""End-to-end benchmarks against a running release collector.

Starts a fresh collector (Benchmarks/bench.yaml) for every scenario, drives it
with opensre-loadgen and prints medians of several runs as Markdown, ready for
Benchmarks/RESULTS.md. See Benchmarks/README.md for what each part measures.

Usage: python3 Benchmarks/bench.py [ingest|latency|scrape|memory|all] [--runs N] [--seconds S] [--no-build]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, ".build-bench", "release")
PAYLOADS = os.path.join(ROOT, "Benchmarks", "payloads")
CONFIG = os.path.join(ROOT, "Benchmarks", "bench.yaml")
INGEST_URL = "http://127.0.0.1:24318/v1/metrics"
METRICS_URL = "http://127.0.0.1:28889/metrics"

# name, payload file, extra loadgen arguments
SETS = [
    ("a mixed 1000 points", "mixed-1000.pb", []),
    ("b mixed 1000 points, gzip", "mixed-1000.pb.gz", []),
    ("c mixed 10 points", "mixed-10.pb", []),
    ("d 1M distinct series", "cardinality-1000.pb", ["--vary", "1000"]),
]


def build():
    env = dict(os.environ, OPENSRE_BENCHMARKS="1")
    # Statically linked, as the container image ships it (fewer pages of shared libraries touched at start).
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", os.path.join(ROOT, ".build-bench")],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "make_payloads.py")], check=True,
                   stdout=subprocess.DEVNULL)


class Collector:
    """A fresh collector process for one scenario."""

    def __enter__(self):
        self.process = subprocess.Popen([os.path.join(BUILD, "opensre"), "--config", CONFIG, "--log-level", "error"])
        for _ in range(100):
            if self.process.poll() is not None:
                raise RuntimeError("collector exited with status %d (port in use?)" % self.process.returncode)
            try:
                urllib.request.urlopen(METRICS_URL, timeout=1).read()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("collector did not start")

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=30)

    @property
    def pid(self):
        return self.process.pid

    def rss_bytes(self):
        with open("/proc/%d/status" % self.pid) as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def series(self):
        for line in urllib.request.urlopen(METRICS_URL, timeout=30).read().decode().splitlines():
            if line.startswith("opensre_collector_series "):
                return int(float(line.split()[1]))
        return 0


def loadgen(*arguments):
    output = subprocess.run([os.path.join(BUILD, "opensre-loadgen"), *arguments, "--json"], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)


def ingest(collector, payload, seconds, extra=()):
    return loadgen("ingest", "--url", INGEST_URL, "--payload", os.path.join(PAYLOADS, payload), "--pid",
                   str(collector.pid), "--duration", str(seconds), *extra)


def fill(collector, series):
    """Creates `series` counter series: 1000 new ones per request."""
    requests = series // 1000
    loadgen("ingest", "--url", INGEST_URL, "--payload", os.path.join(PAYLOADS, "counters-1000.pb"), "--vary",
            str(requests), "--requests", str(requests), "--connections", "4")
    time.sleep(1)
    found = collector.series()
    if found < series:
        raise RuntimeError("expected %d series, the collector has %d" % (series, found))


def median(reports, key):
    return statistics.median(report[key] for report in reports)


def run_ingest(args):
    print("### Ingest (closed loop, 8 keep-alive connections, %d s per run, median of %d runs)\n" %
          (args.seconds, args.runs))
    print("| set | points/s | requests/s | points per collector CPU-s | p50 ms | p99 ms | p99.9 ms | RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    rates = {}
    for name, payload, extra in SETS:
        reports = []
        for _ in range(args.runs):
            with Collector() as collector:
                reports.append(ingest(collector, payload, args.seconds, extra))
        rates[payload] = median(reports, "requests_per_second")
        print("| %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f | %.0f |" % (
            name, median(reports, "points_per_second"), rates[payload], median(reports, "points_per_cpu_second"),
            median(reports, "latency_p50_ms"), median(reports, "latency_p99_ms"),
            median(reports, "latency_p999_ms"), median(reports, "collector_rss_mib")), flush=True)
    print()
    return rates


def run_latency(args, rates=None):
    if args.latency_rate:
        half = args.latency_rate
    else:
        # Half of what was measured closed loop (a harsher load than the target's half).
        half = ((rates or {}).get("mixed-1000.pb") or run_closed_rate(args)) / 2
    print("### Latency: payload (a) at %.0f requests/s (%.0f points/s), open loop, %d s, median of %d runs\n"
          % (half, half * 1000, args.seconds, args.runs))
    print("| condition | p50 ms | p99 ms | p99.9 ms | max ms | scrapes | scrape p50 ms | points per collector CPU-s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, scraping in (("no scrapes", False), ("1M-series scrape every 2 s", True)):
        reports = []
        for _ in range(args.runs):
            with Collector() as collector:
                extra = ["--rate", str(half)]
                if scraping:
                    fill(collector, 1_000_000)
                    extra += ["--scrape-url", METRICS_URL, "--scrape-interval", "2"]
                reports.append(ingest(collector, "mixed-1000.pb", args.seconds, extra))
        print("| %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %.0f |" % (
            label, median(reports, "latency_p50_ms"), median(reports, "latency_p99_ms"),
            median(reports, "latency_p999_ms"), median(reports, "latency_max_ms"),
            "%.0f" % median(reports, "scrapes") if scraping else "-",
            "%.0f" % median(reports, "scrape_p50_ms") if scraping else "-",
            median(reports, "points_per_cpu_second")), flush=True)
    print()


def run_closed_rate(args):
    with Collector() as collector:
        return ingest(collector, "mixed-1000.pb", args.seconds)["requests_per_second"]


def run_scrape(args):
    print("### Scrape: full GET /metrics of N counter series (one sample line each), median of 5 scrapes\n")
    print("| series | plain ms | plain MiB | gzip ms | gzip MiB |")
    print("|---:|---:|---:|---:|---:|")
    for series in (10_000, 100_000, 1_000_000):
        with Collector() as collector:
            fill(collector, series)
            plain = loadgen("scrape", "--url", METRICS_URL, "--repeats", "5")
            gzipped = loadgen("scrape", "--url", METRICS_URL, "--repeats", "5", "--gzip")
        print("| %d | %.1f | %.1f | %.1f | %.1f |" % (
            series, plain["median_ms"], plain["bytes"] / 1048576, gzipped["median_ms"], gzipped["bytes"] / 1048576),
            flush=True)
    print()


def run_memory(args):
    print("### Memory: collector RSS (counter series, one sample line each; idle = after start)\n")
    print("| series | RSS MiB | bytes per series above idle |")
    print("|---:|---:|---:|")
    for series in (100_000, 1_000_000):
        samples = []
        for _ in range(args.runs):
            with Collector() as collector:
                time.sleep(1)
                idle = collector.rss_bytes()
                fill(collector, series)
                samples.append((idle, collector.rss_bytes()))
        idle = statistics.median(sample[0] for sample in samples)
        full = statistics.median(sample[1] for sample in samples)
        print("| idle | %.1f | - |" % (idle / 1048576) if series == 100_000 else "", end="\n" if series == 100_000 else "")
        print("| %d | %.1f | %.0f |" % (series, full / 1048576, (full - idle) / series), flush=True)
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", nargs="?", default="all", choices=["ingest", "latency", "scrape", "memory", "all"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--latency-rate", type=float, default=500,
                        help="requests/s of the latency runs: 500 (half the 1M points/s target) by default; "
                             "0 for half the closed-loop rate measured")
    args = parser.parse_args()
    if not args.no_build:
        build()
    print("commit %s, %d cores, %s\n" % (
        subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        os.cpu_count(), time.strftime("%Y-%m-%d")))
    rates = None
    if args.part in ("ingest", "all"):
        rates = run_ingest(args)
    if args.part in ("latency", "all"):
        run_latency(args, rates)
    if args.part in ("scrape", "all"):
        run_scrape(args)
    if args.part in ("memory", "all"):
        run_memory(args)


if __name__ == "__main__":
    main()
