#!/usr/bin/env python3
"""A small Flask service for the end-to-end tests, meant to run under
`opentelemetry-instrument` (HTTP semantic conventions from
opentelemetry-instrumentation-flask).

Routes: /ok answers 200, /fail 500, /slow 200 after 300 ms. Prints the port it
listens on (an ephemeral one) as its first line, then serves until killed.
"""
import time

from flask import Flask
from werkzeug.serving import make_server

app = Flask(__name__)


@app.route("/ok")
def ok():
    return "ok"


@app.route("/fail")
def fail():
    return "failed", 500


@app.route("/slow")
def slow():
    time.sleep(0.3)
    return "slow"


server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.port, flush=True)
server.serve_forever()
