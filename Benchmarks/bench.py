#!/usr/bin/env python3
"""End-to-end benchmarks against a running release collector.

Starts a fresh collector (Benchmarks/bench.yaml) for every scenario, drives it
with opensre-loadgen and prints medians of several runs as Markdown, ready for
Benchmarks/RESULTS.md. See Benchmarks/README.md for what each part measures.

Usage: python3 Benchmarks/bench.py [ingest|latency|scrape|memory|remote-write-memory|spans|all]... [--runs N] [--seconds S]
       [--no-build] [--transport http|grpc|both] [--sets a,c] [--latency-sets a] [--latency-rate R]
       [--quiet-latency-only] [--remote-write] [--sink-port P]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = os.path.join(ROOT, ".build-bench")  # --scratch-path
BUILD = os.path.join(SCRATCH, "release")
PAYLOADS = os.path.join(ROOT, "Benchmarks", "payloads")
CONFIG = os.path.join(ROOT, "Benchmarks", "bench.yaml")
INGEST_URL = "http://127.0.0.1:24318/v1/metrics"
GRPC_URL = "grpc://127.0.0.1:24317"  # receivers.otlp.protocols.grpc in bench.yaml
URLS = {"http": INGEST_URL, "grpc": GRPC_URL}
METRICS_URL = "http://127.0.0.1:28889/metrics"
SINK = os.path.join(ROOT, "Benchmarks", "remote_write_sink.py")
SINK_PORT = 29201  # --sink-port: where the remote-write exporter sends (remote_write_sink.py)

# name, payload file, extra loadgen arguments; the name's first letter selects it (--sets)
SETS = [
    ("a mixed 1000 points", "mixed-1000.pb", []),
    ("b mixed 1000 points, gzip", "mixed-1000.pb.gz", []),
    ("c mixed 10 points", "mixed-10.pb", []),
    ("d 1M distinct series", "cardinality-1000.pb", ["--vary", "1000"]),
]


def build():
    env = dict(os.environ, OPENSRE_BENCHMARKS="1")
    # Statically linked, as the container image ships it (fewer pages of shared libraries touched at start).
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", SCRATCH],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, os.path.join(ROOT, "Benchmarks", "make_payloads.py")], check=True,
                   stdout=subprocess.DEVNULL)


class Collector:
    """A fresh collector process for one scenario."""

    def __init__(self, config=None):
        self.config = config or CONFIG

    def __enter__(self):
        self.process = subprocess.Popen([os.path.join(BUILD, "opensre"), "--config", self.config, "--log-level", "error"])
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

    def remote_write(self):
        """The collector's opensre_collector_remote_write_* figures, without the prefix (label sets summed)."""
        prefix = "opensre_collector_remote_write_"
        figures = {}
        for line in urllib.request.urlopen(METRICS_URL, timeout=60).read().decode().splitlines():
            if line.startswith(prefix):
                name = line[len(prefix):].split("{")[0].split()[0]
                figures[name] = figures.get(name, 0) + float(line.split()[-1])
        return figures


TRACES_PAYLOAD = "traces-1000.pb"  # make_payloads.py: 1000 Flask-shaped spans, 677 of them SERVER


def spans_config():
    """bench.yaml (with --ports applied) plus a traces pipeline exporting into a spanmetrics connector (its
    defaults) that the metrics pipeline receives from: the shape of issue 15's example."""
    with open(CONFIG) as file:
        text = file.read()
    text = text.replace("\nservice:", "\nconnectors:\n  spanmetrics:\nservice:", 1)
    text = text.replace("  pipelines:\n", "  pipelines:\n    traces:\n      receivers: [otlp]\n"
                        "      exporters: [spanmetrics]\n", 1)
    text = text.replace("      receivers: [otlp]\n      processors: [batch]",
                        "      receivers: [otlp, spanmetrics]\n      processors: [batch]", 1)
    path = os.path.join(tempfile.mkdtemp(prefix="opensre-bench-spans-"), "bench.yaml")
    with open(path, "w") as file:
        file.write(text)
    return path


def span_calls(collector):
    """The sum of opensre_traces_span_metrics_calls_total over its series (spans counted since start)."""
    total = 0.0
    for line in urllib.request.urlopen(METRICS_URL, timeout=30).read().decode().splitlines():
        if line.startswith("opensre_traces_span_metrics_calls_total{"):
            total += float(line.split()[-1])
    return total


def run_spans(args):
    """Span metrics (issue 15): traces-1000.pb posted to /v1/traces (or TraceService/Export) closed loop."""
    print("### Span metrics ingest: %s (1000 spans, 677 SERVER), closed loop, 8 keep-alive connections, "
          "%g s per run, median of %d runs\n" % (TRACES_PAYLOAD, args.seconds, args.runs))
    print("| transport | spans/s | requests/s | spans per collector CPU-s | collector CPU µs/request | p50 ms "
          "| p99 ms | p99.9 ms | RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    config = spans_config()
    urls = {"http": INGEST_URL.replace("/v1/metrics", "/v1/traces"), "grpc": GRPC_URL}
    runs = {transport: [] for transport in transports(args)}
    counted = {transport: [] for transport in transports(args)}
    for _ in range(args.runs):
        for transport in runs:
            with Collector(config) as collector:
                report = loadgen("ingest", "--url", urls[transport], "--payload", os.path.join(PAYLOADS, TRACES_PAYLOAD),
                                 "--signal", "traces", "--pid", str(collector.pid), "--duration", str(args.seconds))
                runs[transport].append(report)
                counted[transport].append(span_calls(collector))
    for transport, reports in runs.items():
        print("| %s | %.0f | %.0f | %.0f | %.1f | %.2f | %.2f | %.2f | %.0f |" % (
            transport, median(reports, "points_per_second"), median(reports, "requests_per_second"),
            median(reports, "points_per_cpu_second"), statistics.median(map(cpu_us_per_request, reports)),
            median(reports, "latency_p50_ms"), median(reports, "latency_p99_ms"), median(reports, "latency_p999_ms"),
            median(reports, "collector_rss_mib")), flush=True)
        if args.raw:
            print_raw("spans %s" % transport, reports, RAW_KEYS)
        # Warm-up requests count too: SERVER spans counted per request, as a check (677 expected).
        for calls in counted[transport]:
            print("<!-- spans %s: %.0f calls counted by the collector in all -->" % (transport, calls))
    print()


def remote_write_config(endpoint, interval="1s", extra=""):
    """bench.yaml (with --ports applied) plus a prometheusremotewrite exporter beside prometheus."""
    with open(CONFIG) as file:
        text = file.read()
    exporter = ('  prometheusremotewrite:\n    endpoint: "%s"\n    export_interval: %s\n%s'
                % (endpoint, interval, extra))
    text = text.replace("\nservice:", "\n" + exporter + "service:", 1)
    text = text.replace("exporters: [prometheus]", "exporters: [prometheus, prometheusremotewrite]")
    path = os.path.join(tempfile.mkdtemp(prefix="opensre-bench-rw-"), "bench.yaml")
    with open(path, "w") as file:
        file.write(text)
    return path


class Sink:
    """Benchmarks/remote_write_sink.py on SINK_PORT: answers 204 to every remote-write POST and counts them."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, SINK, "--port", str(SINK_PORT)])
        for _ in range(100):
            if self.process.poll() is not None:
                raise RuntimeError("the sink exited with status %d (port %d in use?)" % (self.process.returncode,
                                                                                       SINK_PORT))
            try:
                self.stats()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the sink did not start")

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=30)

    def stats(self):
        return json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % SINK_PORT, timeout=5).read())


def use_ports(http, grpc, metrics):
    """Runs the collector on other ports: a copy of bench.yaml with them."""
    global CONFIG, INGEST_URL, GRPC_URL, METRICS_URL
    with open(CONFIG) as file:
        text = file.read()
    for old, new in (("24318", http), ("24317", grpc), ("28889", metrics)):
        text = text.replace('"127.0.0.1:%s"' % old, '"127.0.0.1:%s"' % new)
    CONFIG = os.path.join(tempfile.mkdtemp(prefix="opensre-bench-"), "bench.yaml")
    with open(CONFIG, "w") as file:
        file.write(text)
    INGEST_URL = "http://127.0.0.1:%s/v1/metrics" % http
    GRPC_URL = "grpc://127.0.0.1:%s" % grpc
    URLS.update(http=INGEST_URL, grpc=GRPC_URL)
    METRICS_URL = "http://127.0.0.1:%s/metrics" % metrics


def loadgen(*arguments):
    output = subprocess.run([os.path.join(BUILD, "opensre-loadgen"), *arguments, "--json"], check=True,
                            capture_output=True, text=True).stdout
    return json.loads(output)


def ingest(collector, payload, seconds, extra=(), transport="http"):
    return loadgen("ingest", "--url", URLS[transport], "--payload", os.path.join(PAYLOADS, payload), "--pid",
                   str(collector.pid), "--duration", str(seconds), *extra)


def transports(args):
    return ["http", "grpc"] if args.transport == "both" else [args.transport]


def chosen(letters):
    """The SETS entries whose letters are listed ("a,c")."""
    wanted = [letter.strip() for letter in letters.split(",") if letter.strip()]
    unknown = [letter for letter in wanted if letter not in [entry[0][0] for entry in SETS]]
    if unknown:
        raise SystemExit("unknown set(s): %s (a, b, c or d)" % ", ".join(unknown))
    return [entry for entry in SETS if entry[0][0] in wanted]


def cpu_us_per_request(report):
    """Collector CPU per request answered, in microseconds."""
    if not report["points_per_cpu_second"]:  # nothing answered in the run (a stalled collector)
        return float("inf")
    return 1e6 * report["points_per_request"] / report["points_per_cpu_second"]


def print_raw(label, reports, keys):
    """One line per run, for RESULTS.md's raw figures."""
    for index, report in enumerate(reports):
        print("<!-- raw %s run %d: %s -->" % (label, index + 1, ", ".join(
            "%s=%s" % (key, report.get(key)) for key in keys)))


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


RAW_KEYS = ("points_per_second", "points_per_cpu_second", "collector_cpu_seconds", "requests_ok",
            "latency_p50_ms", "latency_p99_ms", "latency_p999_ms", "latency_max_ms", "loadgen_cpu_seconds", "statuses")


def run_ingest(args):
    """Closed loop per set and transport; returns requests/s by (transport, payload)."""
    print("### Ingest (closed loop, 8 keep-alive connections, %g s per run, median of %d runs)\n" %
          (args.seconds, args.runs))
    if args.remote_write:
        print("Remote write \"on\": a prometheusremotewrite exporter beside prometheus, export_interval 1s, "
              "default queue (5 shards), sending to remote_write_sink.py on port %d; runs alternate off, on, "
              "off, on, ...\n" % SINK_PORT)
    print("| set | transport |%s points/s | requests/s | points per collector CPU-s | collector CPU µs/request "
          "| p50 ms | p99 ms | p99.9 ms | RSS MiB |" % (" remote write |" if args.remote_write else ""))
    print("|---|---|%s---:|---:|---:|---:|---:|---:|---:|---:|" % ("---|" if args.remote_write else ""))
    rates = {}
    sink = Sink().__enter__() if args.remote_write else None
    config = remote_write_config("http://127.0.0.1:%d/api/v1/write" % SINK_PORT) if args.remote_write else None
    remote = {}  # (transport, payload) -> per "on" run: (sink requests, sink bytes, bad requests, collector figures)
    summary = []
    try:
        for name, payload, extra in chosen(args.sets):
            # Variants alternate run by run, so a change in the machine's load hits all alike.
            variants = [(transport, on) for transport in transports(args)
                        for on in ((False, True) if args.remote_write else (False,))]
            runs = {variant: [] for variant in variants}
            for _ in range(args.runs):
                for transport, on in variants:
                    with Collector(config if on else None) as collector:
                        before = sink.stats() if on else None
                        runs[transport, on].append(ingest(collector, payload, args.seconds, extra, transport))
                        if on:
                            time.sleep(1.5)  # one more export, and time for it to be delivered
                            figures = collector.remote_write()
                            after = sink.stats()
                            remote.setdefault((transport, payload), []).append(
                                (after["requests"] - before["requests"], after["bytes"] - before["bytes"],
                                 after["bad_requests"] - before["bad_requests"], figures))
            for (transport, on), reports in runs.items():
                if not on:
                    rates[transport, payload] = median(reports, "requests_per_second")
                print("| %s | %s |%s %.0f | %.0f | %.0f | %.1f | %.2f | %.2f | %.2f | %.0f |" % (
                    name, transport, (" %s |" % ("on" if on else "off")) if args.remote_write else "",
                    median(reports, "points_per_second"), median(reports, "requests_per_second"),
                    median(reports, "points_per_cpu_second"), statistics.median(map(cpu_us_per_request, reports)),
                    median(reports, "latency_p50_ms"), median(reports, "latency_p99_ms"),
                    median(reports, "latency_p999_ms"), median(reports, "collector_rss_mib")), flush=True)
                if args.raw:
                    print_raw("%s %s%s" % (name.split()[0], transport, " rw " + ("on" if on else "off")
                                           if args.remote_write else ""), reports, RAW_KEYS)
            for transport in transports(args) if args.remote_write else ():
                summary.append((name, transport, runs[transport, False], runs[transport, True],
                                remote[transport, payload]))
        if args.remote_write:
            print_remote_write_summary(summary, args.raw)
    finally:
        if sink:
            sink.__exit__()
    print()
    return rates


def print_remote_write_summary(summary, raw):
    """Ingest with remote write on against off (medians), and what reached the sink per run."""
    print("\n| set | transport | points/s on/off | points per collector CPU-s on/off | sink requests per run "
          "| sink MB per run | samples sent per run (collector) | exports per run | samples dropped (max of runs) "
          "| samples failed (max of runs) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, transport, off, on, remote in summary:
        bad = sum(run[2] for run in remote)
        print("| %s | %s | %.3f | %.3f | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f |%s" % (
            name, transport, median(on, "points_per_second") / median(off, "points_per_second"),
            median(on, "points_per_cpu_second") / median(off, "points_per_cpu_second"),
            statistics.median(run[0] for run in remote), statistics.median(run[1] for run in remote) / 1e6,
            statistics.median(run[3].get("samples_sent_total", 0) for run in remote),
            statistics.median(run[3].get("exports_total", 0) for run in remote),
            max(run[3].get("samples_dropped_total", 0) for run in remote),
            max(run[3].get("samples_failed_total", 0) for run in remote),
            " (%d requests without the remote-write headers!)" % bad if bad else ""), flush=True)
        if raw:
            for index, run in enumerate(remote):
                print("<!-- raw %s %s rw run %d: sink requests=%d bytes=%d, collector %s -->" % (
                    name.split()[0], transport, index + 1, run[0], run[1], json.dumps(run[3], sort_keys=True)))


def run_remote_write_memory(args):
    """Queue memory while the remote-write endpoint is down: 1M counter series, export_interval 5s, default
    queue (in memory, then with a WAL); RSS before the first export and after each of N exports queued; then
    the endpoint comes up (the sink starts on its port) and RSS is read again once the queue has drained."""
    print("### Remote write: queue memory at 1M series while the endpoint is down (export_interval 5s)\n")
    print("| queue | exports queued | queue requests | queue samples | RSS MiB | WAL MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    endpoint = "http://127.0.0.1:%d/api/v1/write" % SINK_PORT
    slopes = []
    for label in ("memory", "wal"):
        wal_directory = tempfile.mkdtemp(prefix="opensre-bench-wal-") if label == "wal" else None
        extra = "    wal:\n      directory: \"%s\"\n" % wal_directory if wal_directory else ""
        try:
            with Collector(remote_write_config(endpoint, "5s", extra)) as collector:
                fill(collector, 1_000_000)
                figures = collector.remote_write()
                rows = [(figures.get("exports_total", 0), figures.get("queue_requests", 0),
                         figures.get("queue_samples", 0), collector.rss_bytes(), figures.get("wal_bytes", 0))]
                while rows[-1][0] < args.exports:
                    time.sleep(0.5)
                    figures = collector.remote_write()
                    if figures.get("exports_total", 0) > rows[-1][0]:
                        time.sleep(1)  # the export's requests are queued after it is counted: let them settle
                        figures = collector.remote_write()
                        rows.append((figures.get("exports_total", 0), figures.get("queue_requests", 0),
                                     figures.get("queue_samples", 0), collector.rss_bytes(),
                                     figures.get("wal_bytes", 0)))
                for exports, requests, samples, rss, wal in rows:
                    print("| %s | %d | %d | %d | %.1f | %.1f |" % (label, exports, requests, samples, rss / 1048576,
                                                                  wal / 1048576), flush=True)
                dropped = figures.get("samples_dropped_total", 0)
                first, last = rows[1] if rows[0][0] == 0 else rows[0], rows[-1]
                slopes.append((label, rows[0], first, last, dropped))
                # The endpoint comes up: the queue drains (retries back off up to 30 s ±50%).
                with Sink() as sink:
                    deadline = time.time() + 120
                    while time.time() < deadline:
                        time.sleep(2)
                        figures = collector.remote_write()
                        if figures.get("queue_requests", 0) == 0:
                            break
                    time.sleep(2)
                    figures = collector.remote_write()
                    print("| %s, endpoint up again, queue drained | %d | %d | %d | %.1f | %.1f |" % (
                        label, figures.get("exports_total", 0), figures.get("queue_requests", 0),
                        figures.get("queue_samples", 0), collector.rss_bytes() / 1048576,
                        figures.get("wal_bytes", 0) / 1048576), flush=True)
                    delivered = sink.stats()
                    print("<!-- %s: sink got %d requests, %d bytes; collector %s -->" % (
                        label, delivered["requests"], delivered["bytes"], json.dumps(figures, sort_keys=True)))
        finally:
            if wal_directory:
                shutil.rmtree(wal_directory, ignore_errors=True)
    print()
    print("| queue | RSS before the first export MiB | bytes RSS per queued sample | bytes RSS per queued export "
          "| WAL bytes per queued sample | samples dropped |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, before, first, last, dropped in slopes:
        # Between the first and the last export queued: the queue's growth, not the snapshot machinery's first use.
        samples = last[2] - first[2]
        exports = last[0] - first[0]
        print("| %s | %s | %.1f | %.0f | %.1f | %d |" % (
            label, "%.1f" % (before[3] / 1048576) if before[0] == 0 else "- (exported during the fill)",
            (last[3] - first[3]) / samples if samples else float("nan"),
            (last[3] - first[3]) / exports if exports else float("nan"),
            (last[4] - first[4]) / samples if samples else float("nan"), dropped), flush=True)
    print()


def run_latency(args, rates=None):
    rates = rates or {}
    if args.latency_rate:
        print("### Latency: open loop at %.0f requests/s, %g s, median of %d runs\n"
              % (args.latency_rate, args.seconds, args.runs))
    else:
        # Half of what was measured closed loop (a harsher load than the target's half).
        print("### Latency: open loop at half the closed-loop rate of the set and transport, %g s, median of %d runs\n"
              % (args.seconds, args.runs))
    print("| set | transport | condition | requests/s | points/s | p50 ms | p99 ms | p99.9 ms | max ms | scrapes "
          "| scrape p50 ms | points per collector CPU-s | collector CPU µs/request |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    conditions = [("no scrapes", False)]
    if not args.quiet_latency_only:
        conditions.append(("1M-series scrape every 2 s", True))
    for name, payload, extra in chosen(args.latency_sets):
        halves = {transport: args.latency_rate or (rates.get((transport, payload)) or
                                                   run_closed_rate(args, payload, extra, transport)) / 2
                  for transport in transports(args)}
        for label, scraping in conditions:
            runs = {transport: [] for transport in halves}
            for _ in range(args.runs):
                for transport, half in halves.items():
                    with Collector() as collector:
                        arguments = list(extra) + ["--rate", str(half)]
                        if scraping:
                            fill(collector, 1_000_000)
                            arguments += ["--scrape-url", METRICS_URL, "--scrape-interval", "2"]
                        runs[transport].append(ingest(collector, payload, args.seconds, arguments, transport))
            for transport, reports in runs.items():
                half = halves[transport]
                print("| %s | %s | %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f | %s | %s | %.0f | %.1f |" % (
                    name, transport, label, half, half * reports[0]["points_per_request"],
                    median(reports, "latency_p50_ms"), median(reports, "latency_p99_ms"),
                    median(reports, "latency_p999_ms"), median(reports, "latency_max_ms"),
                    "%.0f" % median(reports, "scrapes") if scraping else "-",
                    "%.0f" % median(reports, "scrape_p50_ms") if scraping else "-",
                    median(reports, "points_per_cpu_second"), statistics.median(map(cpu_us_per_request, reports))),
                    flush=True)
                if args.raw:
                    print_raw("%s %s %s" % (name.split()[0], transport, label), reports, RAW_KEYS)
    print()


def run_closed_rate(args, payload="mixed-1000.pb", extra=(), transport="http"):
    with Collector() as collector:
        return ingest(collector, payload, args.seconds, extra, transport)["requests_per_second"]


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
    global SCRATCH, BUILD, SINK_PORT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", nargs="*", help="ingest, latency, scrape, memory, spans or all (default); several may "
                                                "be given (remote-write-memory and spans run only when named)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--latency-rate", type=float, default=500,
                        help="requests/s of the latency runs: 500 (half the 1M points/s target) by default; "
                             "0 for half the closed-loop rate measured (per set and transport)")
    parser.add_argument("--transport", default="http", choices=["http", "grpc", "both"],
                        help="OTLP/HTTP posts, OTLP/gRPC calls (port 24317), or both, for ingest and latency")
    parser.add_argument("--sets", default="a,b,c,d", help="ingest sets, by letter (default a,b,c,d)")
    parser.add_argument("--latency-sets", default="a", help="latency sets, by letter (default a)")
    parser.add_argument("--quiet-latency-only", action="store_true",
                        help="latency without the 1M-series scrape condition")
    parser.add_argument("--raw", action="store_true", help="also print every run's figures (as HTML comments)")
    parser.add_argument("--ports", help="HTTP,GRPC,METRICS ports instead of bench.yaml's 24318,24317,28889 "
                                         "(to run beside another benchmark on the same machine)")
    parser.add_argument("--remote-write", action="store_true",
                        help="ingest: also run every set with a prometheusremotewrite exporter (export_interval 1s) "
                             "sending to Benchmarks/remote_write_sink.py, alternating off and on, and compare")
    parser.add_argument("--sink-port", type=int, default=SINK_PORT,
                        help="port of the remote-write sink (default %d); remote-write-memory leaves it "
                             "closed to queue" % SINK_PORT)
    parser.add_argument("--exports", type=int, default=6,
                        help="remote-write-memory: exports queued during the outage (default 6, 5 s apart)")
    parser.add_argument("--scratch-path", default=SCRATCH, help="SwiftPM scratch path of the build (default .build-bench)")
    args = parser.parse_args()
    args.part = args.part or ["all"]
    for part in args.part:
        if part not in ("ingest", "latency", "scrape", "memory", "remote-write-memory", "spans", "all"):
            parser.error("unknown part %r (ingest, latency, scrape, memory, remote-write-memory, spans, all)" % part)
    SINK_PORT = args.sink_port
    SCRATCH = os.path.abspath(args.scratch_path)
    BUILD = os.path.join(SCRATCH, "release")
    if args.ports:
        use_ports(*args.ports.split(","))
    if not args.no_build:
        build()
    print("commit %s, %d cores, %s, load average %.1f at start\n" % (
        subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        os.cpu_count(), time.strftime("%Y-%m-%d %H:%M"), os.getloadavg()[0]))
    rates = None
    if {"ingest", "all"} & set(args.part):
        rates = run_ingest(args)
    if {"latency", "all"} & set(args.part):
        run_latency(args, rates)
    if {"scrape", "all"} & set(args.part):
        run_scrape(args)
    if {"memory", "all"} & set(args.part):
        run_memory(args)
    if "remote-write-memory" in args.part:
        run_remote_write_memory(args)
    if "spans" in args.part:
        run_spans(args)


if __name__ == "__main__":
    main()
