#!/usr/bin/env bash
# Resident memory of the standalone host (real SQLite store) under single-order load: wrk at 64 connections for 60 s,
# VmRSS read from /proc/PID/status every second. Prints min, max, the average of the first and of the last 10 s, and
# whether the issue's target holds (at most 300 MB, and flat: the last 10 s average within 10% of the first).
#
#   benchmarks/memory.sh                                  # CONNECTIONS=64 DURATION=60
#   DURATION=10 benchmarks/memory.sh                      # a smoke run
#
# Options (environment): DURATION=60, CONNECTIONS=64, WARMUP=5, LIMIT_MB=300, KEEP=0.
set -euo pipefail

DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-5}
LIMIT_MB=${LIMIT_MB:-300}
KEEP=${KEEP:-0}

# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_workdir memory

ensure_packages wrk
build_release

db="$WORK/orders.db"
start_host host "$db"
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVER_PID/status"; }
log "host pid $SERVER_PID, RSS at idle $(( $(rss_kb) / 1024 )) MB; warm-up ${WARMUP}s"
wrk_run "$WORK/warmup.txt" "$CONNECTIONS" "$WARMUP" single.lua
before=$(settled_rows "$db")

log "single orders, $CONNECTIONS connections, ${DURATION}s, sampling VmRSS every second"
wrk_run "$WORK/wrk.txt" "$CONNECTIONS" "$DURATION" single.lua &
wrk_pid=$!
: >"$WORK/rss.txt"
while kill -0 "$wrk_pid" 2>/dev/null; do
    rss_kb >>"$WORK/rss.txt"
    sleep 1
done
wait "$wrk_pid"

requests=$(result_field "$WORK/wrk.txt" requests)
non2xx=$(result_field "$WORK/wrk.txt" non2xx)
[ "$non2xx" = 0 ] || { cat "$WORK/wrk.txt" >&2; die "$non2xx non-2xx answers"; }
rows=$(( $(settled_rows "$db") - before ))
if [ "$rows" -lt "$requests" ] || [ "$rows" -gt $(( requests + CONNECTIONS )) ]; then
    die "$rows rows written but wrk saw $requests 2xx answers (allowed up to $CONNECTIONS more in flight)"
fi

echo
echo "Host RSS under load, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, wrk -t2 -c$CONNECTIONS -d${DURATION}s, single orders (SQLite)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E '^(Requests/sec|  [0-9]+ requests)' "$WORK/wrk.txt" | sed 's/^ */wrk: /'
echo "rows written: $rows (2xx answers: $requests)"
"$PY" - "$WORK/rss.txt" "$LIMIT_MB" <<'PYEOF'
import sys
mb = [int(l) / 1024 for l in open(sys.argv[1]) if l.strip()]
limit = float(sys.argv[2])
first, last = mb[:10], mb[-10:]
fa, la = sum(first) / len(first), sum(last) / len(last)
print(f"samples: {len(mb)} (one per second)")
print(f"RSS MB: min {min(mb):.1f}, max {max(mb):.1f}, first-10s avg {fa:.1f}, last-10s avg {la:.1f}")
print("per second: " + " ".join(f"{m:.0f}" for m in mb))
flat = la <= fa * 1.10
print(f"target: max <= {limit:.0f} MB: {'yes' if max(mb) <= limit else 'NO'}; "
      f"flat (last-10s avg within 10% of first-10s avg): {'yes' if flat else 'NO'}")
PYEOF
