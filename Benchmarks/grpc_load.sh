#!/usr/bin/env bash
# Closed-loop OTLP/gRPC load on a server's MetricsService/Export with h2load over h2c.
#
#   Benchmarks/grpc_load.sh PORT PID PAYLOAD_FILE [seconds=10] [connections=8] [streams=1] [points_per_request]
#
# PAYLOAD_FILE is an ExportMetricsServiceRequest (Benchmarks/payloads/*.pb); the
# body sent is the gRPC 5-byte prefix (0, big-endian length) and the message.
# PID is the server's process: its utime+stime from /proc/PID/stat is read before
# and after the load. points_per_request is counted from the payload when not
# given (needs the opentelemetry-proto wheel).
#
# h2load counts HTTP statuses only, and a gRPC error is an HTTP 200 with a
# non-zero grpc-status trailer; so before the load one call goes through python
# grpcio (when installed) and the script stops unless its grpc-status is 0
# (GRPC_LOAD_SKIP_CHECK=1 skips it). Servers that count their calls (the
# baseline prints them on SIGTERM) give a second check.
#
# Prints one line per figure and a final `RESULT key=value ...` line.
set -euo pipefail

if [ $# -lt 3 ]; then
    sed -n '4p' "$0" | sed 's/^# *//' >&2
    exit 2
fi
port=$1 pid=$2 payload=$3 seconds=${4:-10} connections=${5:-8} streams=${6:-1} points=${7:-}
path=/opentelemetry.proto.collector.metrics.v1.MetricsService/Export

command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 1; }
[ -r "/proc/$pid/stat" ] || { echo "no process $pid" >&2; exit 1; }

body=$(mktemp /tmp/grpc_load.XXXXXX)
out=$(mktemp /tmp/grpc_load_out.XXXXXX)
trap 'rm -f "$body" "$out"' EXIT
python3 - "$payload" "$body" <<'EOF'
import struct, sys
message = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b"\0" + struct.pack(">I", len(message)) + message)
EOF

if [ -z "$points" ]; then
    points=$(python3 - "$payload" <<'EOF'
import sys
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
request = metrics_service_pb2.ExportMetricsServiceRequest()
request.ParseFromString(open(sys.argv[1], "rb").read())
print(sum(len(getattr(m, m.WhichOneof("data")).data_points)
          for rm in request.resource_metrics for sm in rm.scope_metrics for m in sm.metrics))
EOF
)
fi

if [ "${GRPC_LOAD_SKIP_CHECK:-0}" != 1 ] && python3 -c 'import grpc' 2>/dev/null; then
    python3 - "$port" "$payload" "$path" <<'EOF'
import sys, grpc
port, payload, path = sys.argv[1:4]
with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
    export = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
    response, call = export.with_call(open(payload, "rb").read(), timeout=10)
    if call.code() != grpc.StatusCode.OK:
        sys.exit(f"spot check: grpc-status {call.code()}")
    print(f"spot check (grpcio): grpc-status {call.code().value[0]} (OK), response {len(response)} bytes")
EOF
fi

cpu_ticks() { # utime + stime, in clock ticks; fields after the ")" that ends comm
    local rest
    rest=$(sed 's/.*) //' "/proc/$1/stat")
    awk '{ print $12 + $13 }' <<<"$rest"
}
hz=$(getconf CLK_TCK)

before=$(cpu_ticks "$pid")
h2load -D "$seconds" -c "$connections" -m "$streams" -t 1 -d "$body" \
    -H 'content-type: application/grpc' -H 'te: trailers' \
    "http://127.0.0.1:$port$path" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
after=$(cpu_ticks "$pid")

# requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout
# status codes: N 2xx, N 3xx, N 4xx, N 5xx
# finished in 10.00s, 1234.56 req/s, ...
succeeded=$(awk '/^requests:/ { print $8 }' "$out")
failed=$(awk '/^requests:/ { print $10 }' "$out")
ok=$(awk '/^status codes:/ { print $3 }' "$out")
elapsed=$(awk '/^finished in/ { sub(/s,$/, "", $3); print $3 }' "$out")

awk -v n="$ok" -v failed="$failed" -v succeeded="$succeeded" -v t="$elapsed" -v ticks=$((after - before)) \
    -v hz="$hz" -v points="$points" -v c="$connections" -v m="$streams" -v s="$seconds" '
BEGIN {
    cpu = ticks / hz
    rps = n / t
    us = n > 0 ? cpu * 1e6 / n : 0
    pcs = cpu > 0 ? n * points / cpu : 0
    printf "connections x streams:         %d x %d, %s s\n", c, m, s
    printf "requests completed (HTTP 200): %d (h2load: %d succeeded, %d failed)\n", n, succeeded, failed
    printf "requests/s:                    %.0f\n", rps
    printf "collector CPU:                 %.2f s (%.0f%% of one core)\n", cpu, cpu * 100 / t
    printf "collector CPU per request:     %.1f us\n", us
    printf "points per collector CPU-s:    %.0f (%d points per request)\n", pcs, points
    printf "RESULT requests=%d failed=%d rps=%.1f cpu_s=%.2f us_per_request=%.2f points_per_cpu_s=%.0f\n", n, failed, rps, cpu, us, pcs
}'
