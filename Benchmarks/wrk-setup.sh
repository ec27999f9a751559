# Shared set-up of the wrk scripts (golden-signals.sh, soak.sh): source it
# after `cd` to the repository, then call `wrk_setup PAYLOAD`. It checks for
# wrk, writes the payloads, builds the release collector, and leaves in
# "$work" (removed on exit, background jobs killed) a post.lua that POSTs
# Benchmarks/payloads/PAYLOAD as protobuf.
wrk_setup() {
    command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
    python3 Benchmarks/make_payloads.py >/dev/null
    swift build -c release --product opensre >/dev/null
    work=$(mktemp -d)
    trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
    cat > "$work/post.lua" <<LUA
local f = io.open("$PWD/Benchmarks/payloads/$1", "rb"); local body = f:read("*all"); f:close()
wrk.method = "POST"; wrk.body = body; wrk.headers["Content-Type"] = "application/x-protobuf"
LUA
}
