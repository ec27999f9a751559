#!/usr/bin/env bash
# Ingest throughput with the golden signals on and off (wrk, keep-alive, the
# same pre-encoded 1000-point request), as medians of several runs.
# Usage: Benchmarks/golden-signals.sh [runs] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
seconds=${2:-10}
. Benchmarks/wrk-setup.sh
wrk_setup http-1000.pb
run_once() {  # $1 = enabled true|false; prints requests/s
    cat > "$work/config.yaml" <<YAML
receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:14318" } } } }
processors: { batch: { golden_signals: { enabled: $1 } } }
exporters: { prometheus: { endpoint: "127.0.0.1:18889" } }
service: { pipelines: { metrics: { receivers: [otlp], processors: [batch], exporters: [prometheus] } } }
YAML
    .build/release/opensre --config "$work/config.yaml" --log-level error & local pid=$!
    sleep 0.5
    wrk -t2 -c8 -d"${seconds}s" -s "$work/post.lua" http://127.0.0.1:14318/v1/metrics | awk '/Requests\/sec/ {print $2}'
    kill -TERM $pid; wait $pid || true
}
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m}'; }
# Alternate on and off so that drift in the machine's load hits both alike.
on=(); off=()
for _ in $(seq "$runs"); do
    on+=("$(run_once true)")
    off+=("$(run_once false)")
done
echo "golden signals on:  $(printf '%s\n' "${on[@]}" | median) requests/s of 1000 points (runs: ${on[*]})"
echo "golden signals off: $(printf '%s\n' "${off[@]}" | median) requests/s of 1000 points (runs: ${off[*]})"
