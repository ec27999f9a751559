#!/usr/bin/env bash
# Soak: a steady load for a few minutes while the collector's resident memory
# is sampled from its own self-metrics. Prints a CSV (seconds, RSS MiB,
# requests/s of the last interval) and a summary.
# Usage: Benchmarks/soak.sh [minutes] [sample-seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-5}
step=${2:-10}
. Benchmarks/wrk-setup.sh
wrk_setup mixed-1000.pb
cat > "$work/config.yaml" <<YAML
receivers: { otlp: { protocols: { http: { endpoint: "127.0.0.1:14318" } } } }
processors:
  memory_limiter: { limit_mib: 512, spike_limit_mib: 128 }
  batch:
exporters: { prometheus: { endpoint: "127.0.0.1:18889" } }
service: { pipelines: { metrics: { receivers: [otlp], processors: [memory_limiter, batch], exporters: [prometheus] } } }
YAML
.build/release/opensre --config "$work/config.yaml" --log-level error &
sleep 0.5
rss() { curl -s http://127.0.0.1:18889/metrics | awk '/^opensre_collector_process_resident_memory_bytes / {printf "%.1f", $2/1048576}'; }
echo "seconds,rss_mib,requests_per_second"
echo "0,$(rss),0"
for elapsed in $(seq "$step" "$step" $((minutes * 60))); do
    rps=$(wrk -t2 -c8 -d"${step}s" -s "$work/post.lua" http://127.0.0.1:14318/v1/metrics | awk '/Requests\/sec/ {printf "%.0f", $2}')
    echo "$elapsed,$(rss),$rps"
done
