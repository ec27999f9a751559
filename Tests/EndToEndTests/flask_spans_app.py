#!/usr/bin/env python3
"""A Flask service for the span metrics end-to-end tests, meant to run under
`opentelemetry-instrument` (server spans from opentelemetry-instrumentation-flask).

Routes:
  /fast           200 at once
  /slow           200 after 350 ms (over a 300 ms threshold, under 500 ms)
  /fail           500
  /checkout       200, or after `?delay=SECONDS`, or `?status=CODE`
  /r/1 … /r/8     200 at once: eight routes, eight span series
  /flush          exports the spans ended so far, then the metrics; only
                  one of them with `?signal=traces` or `?signal=metrics`.
                  Answers when the exporters have answered. (Run the app with
                  OTEL_PYTHON_FLASK_EXCLUDED_URLS=flush so that this route
                  makes neither a span nor a measurement itself.)

Prints the port it listens on (an ephemeral one) as its first line, then
serves until killed.
"""
import time

from flask import Flask, request
from opentelemetry import metrics, trace
from werkzeug.serving import make_server

app = Flask(__name__)


@app.route("/fast")
def fast():
    return "fast"


@app.route("/slow")
def slow():
    time.sleep(0.35)
    return "slow"


@app.route("/fail")
def fail():
    return "failed", 500


@app.route("/checkout")
def checkout():
    time.sleep(float(request.args.get("delay", "0")))
    return "checkout", int(request.args.get("status", "200"))


def numbered(number):
    def handler():
        return "route %d" % number

    return handler


for number in range(1, 9):
    app.add_url_rule("/r/%d" % number, "r%d" % number, numbered(number))


@app.route("/flush")
def flush():
    signal = request.args.get("signal", "both")
    done = []
    # Spans first: a test that waits for them before the metrics arrive
    # knows which source counted which request.
    if signal in ("both", "traces"):
        done.append("traces=%s" % trace.get_tracer_provider().force_flush())
    if signal in ("both", "metrics"):
        provider = metrics.get_meter_provider()
        done.append("metrics=%s" % (provider.force_flush() if hasattr(provider, "force_flush") else False))
    return " ".join(done)


server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.port, flush=True)
server.serve_forever()
