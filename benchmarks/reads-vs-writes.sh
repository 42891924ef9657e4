#!/usr/bin/env bash
# Reads versus writes (issue 11 item 5): the latency of single POSTs while READERS clients loop on statistics and
# listings. Fills a fresh SQLite database with ORDERS orders (lib.sh's fill_orders: 50 markets, 1,000 users), serves
# it with the standalone host (Release), then measures single POSTs from one connection at RATE requests/s with the
# client's `load` command (HdrHistogram percentiles): first with no reader, then while READERS wrk connections loop
# on GET /API/orders/stats and listings (wrk/reads.lua). Prints both, the readers' own figures, and the load average.
# Target (issue 11): POST p99 at most 50 ms with 32 readers over 142,000 orders.
#   benchmarks/reads-vs-writes.sh                                   # ORDERS=142000 READERS=32 DURATION=30 RATE=20
#   ORDERS=20000 DURATION=5 benchmarks/reads-vs-writes.sh           # a smoke run
#   MAX_READS=4 benchmarks/reads-vs-writes.sh                       # the host with OrderStorage__MaxConcurrentReads=4
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ORDERS=${ORDERS:-142000}
READERS=${READERS:-32}
DURATION=${DURATION:-30}
RATE=${RATE:-20}
MAX_READS=${MAX_READS:-}

make_workdir reads-vs-writes
ensure_packages wrk
build_release
build_client

db="$WORK/orders.db"
host_settings=()
[ -n "$MAX_READS" ] && host_settings+=("OrderStorage__MaxConcurrentReads=$MAX_READS")
start_host host "$db" "${host_settings[@]}"
log "filling $ORDERS orders"
fill_orders "$db" "$ORDERS"

# post_latency LABEL: single POSTs from one connection for DURATION seconds; prints one line of the summary.
post_latency() {
    dotnet "$CLIENT_DLL" load --per-request --url "$SERVER_URL" --connections 1 --rate "$RATE" --duration "${DURATION}s" --json \
        >"$WORK/post-$1.json" || die "load failed: $(cat "$WORK/post-$1.json")"
    "$PY" - "$1" "$WORK/post-$1.json" <<'PYEOF'
import json, sys
label, r = sys.argv[1], json.load(open(sys.argv[2]))
l = r["latencyMs"]
print(f"POST, {label:<22} {r['requests']:6d} sent {r['acceptedRequests']:6d} accepted  "
      f"p50 {l['p50']:8.2f} ms  p99 {l['p99']:8.2f} ms  max {l['max']:8.2f} ms  statuses {r['statusCodes']}")
PYEOF
}

echo "orders: $(count_rows "$db"), readers: $READERS, POST rate: $RATE/s for ${DURATION}s${MAX_READS:+, MaxConcurrentReads=$MAX_READS}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$CLIENT_DLL" load --per-request --url "$SERVER_URL" --connections 1 --duration 2s >/dev/null || die "warm-up failed" # JIT, pools
post_latency "no readers"

log "$READERS readers on stats and listings, POSTs measured after 3 s of them"
wrk_run "$WORK/readers.txt" "$READERS" "$((DURATION + 6))" reads.lua &
readers=$!
sleep 3
post_latency "$READERS readers"
echo "load average with readers: $(cut -d' ' -f1-3 /proc/loadavg)"
wait "$readers"
reads=$(result_field "$WORK/readers.txt" requests)
seconds=$(( $(result_field "$WORK/readers.txt" duration_us) / 1000000 ))
echo "readers: $reads reads in ${seconds}s ($(( reads / (seconds > 0 ? seconds : 1) ))/s), non-2xx $(result_field "$WORK/readers.txt" non2xx)," \
     "read p50 $(( $(result_field "$WORK/readers.txt" p50_us) / 1000 )) ms, p99 $(( $(result_field "$WORK/readers.txt" p99_us) / 1000 )) ms"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
