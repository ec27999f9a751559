#!/usr/bin/env bash
# Ingest with the golden signals on and off (wrk, keep-alive, the same
# pre-encoded 1000-point request), as medians of several runs: requests/s,
# and the collector's CPU time per request (user + system, from /proc), which
# wrk sharing the cores disturbs less.
# Usage: Benchmarks/golden-signals.sh [runs] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
seconds=${2:-10}
. Benchmarks/wrk-setup.sh
wrk_setup http-1000.pb
ticks=$(getconf CLK_TCK)
run_once() {  # $1 = enabled true|false; prints "requests/s cpu-µs-per-request"
    cat > "$work/config.yaml" <<YAML
receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:14318" } } } }
processors: { batch: { golden_signals: { enabled: $1 } } }
exporters: { prometheus: { endpoint: "127.0.0.1:18889" } }
service: { pipelines: { metrics: { receivers: [otlp], processors: [batch], exporters: [prometheus] } } }
YAML
    .build/release/opensre --config "$work/config.yaml" --log-level error & local pid=$!
    sleep 0.5
    local out; out=$(wrk -t2 -c8 -d"${seconds}s" -s "$work/post.lua" http://127.0.0.1:14318/v1/metrics)
    local cpu; cpu=$(awk '{print $14 + $15}' /proc/$pid/stat)
    kill -TERM $pid; wait $pid || true
    awk -v cpu="$cpu" -v ticks="$ticks" '/requests in/ {n=$1} /Requests\/sec/ {r=$2} END {printf "%s %.0f\n", r, cpu * 1e6 / ticks / n}' <<<"$out"
}
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f", m}'; }
# Alternate on and off so that drift in the machine's load hits both alike.
on=(); off=()
for _ in $(seq "$runs"); do
    on+=("$(run_once true)")
    off+=("$(run_once false)")
done
report() {  # $1 = label, rest = "rate cpu" pairs
    local label=$1; shift
    local rates cpus
    rates=$(printf '%s\n' "$@" | awk '{print $1}')
    cpus=$(printf '%s\n' "$@" | awk '{print $2}')
    echo "golden signals $label: $(median <<<"$rates") requests/s, $(median <<<"$cpus") CPU µs per request of 1000 points (runs: $(echo $rates) / $(echo $cpus))"
}
report "on " "${on[@]}"
report "off" "${off[@]}"
