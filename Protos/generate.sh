#!/usr/bin/env bash
# Regenerates the protobuf-c code in Sources/COTLP from the .proto files here.
# Needs Debian's protobuf-c-compiler (protoc-c 1.4). The output is committed;
# `Protos/generate.sh --check` (run by CI) fails when it is out of date.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
target="$root/Sources/COTLP"
protos=(
  opentelemetry/proto/common/v1/common.proto
  opentelemetry/proto/resource/v1/resource.proto
  opentelemetry/proto/metrics/v1/metrics.proto
  opentelemetry/proto/collector/metrics/v1/metrics_service.proto
  opentelemetry/proto/trace/v1/trace.proto
  opentelemetry/proto/collector/trace/v1/trace_service.proto
  google/rpc/status.proto
  google/rpc/retry_info.proto
  grpc/health/v1/health.proto
  prometheus/remote_write.proto
)
command -v protoc-c >/dev/null || { echo "protoc-c not found: apt-get install protobuf-c-compiler" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$here" && protoc-c --c_out="$out" "${protos[@]}")
# Headers go under include/ (the module's search path), sources under generated/.
mkdir -p "$out/tree/include" "$out/tree/generated"
(cd "$out" && find . -path ./tree -prune -o -name '*.pb-c.h' -print | while read -r f; do
  mkdir -p "tree/include/$(dirname "$f")"; mv "$f" "tree/include/$f"; done)
(cd "$out" && find . -path ./tree -prune -o -name '*.pb-c.c' -print | while read -r f; do
  mkdir -p "tree/generated/$(dirname "$f")"; mv "$f" "tree/generated/$f"; done)
if [ "${1:-}" = "--check" ]; then
  status=0
  diff -r "$out/tree/generated" "$target/generated" || status=1
  for h in $(cd "$out/tree/include" && find . -name '*.pb-c.h'); do
    diff "$out/tree/include/$h" "$target/include/$h" || status=1
  done
  [ $status -eq 0 ] && echo "generated protobuf-c code is current" || echo "generated code is stale: run Protos/generate.sh" >&2
  exit $status
fi
rm -rf "$target/generated"
find "$target/include" -name '*.pb-c.h' -delete
cp -R "$out/tree/generated" "$target/generated"
cp -R "$out/tree/include/." "$target/include/"
echo "regenerated protobuf-c code in $target"
