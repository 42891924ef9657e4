#!/usr/bin/env bash
# Tailing a listing while two instances write (issue 22, item 2): two standalone hosts on one throwaway PostgreSQL
# cluster, one taking arrays of 2,000 orders (POST /API/orders/batch), the other single orders, and a reader tailing
# the first host's GET /API/orders?limit=1000&after=<cursor> as fast as it can. When the writers stop, the reader
# goes on until it has caught up, then every id in the table is compared with what it saw. Prints orders stored,
# seen, missed, duplicated, and the list latency (p50/p99/max of the tail's GETs while the writers ran).
#
#   benchmarks/tail.sh                                   # this checkout, DURATION=20 s of writes (about 500,000+ orders)
#   DURATION=3 MIN_ORDERS=0 benchmarks/tail.sh           # a sanity run
#   TAIL_HOST_DLL=/path/OrderFunctions.Standalone.dll benchmarks/tail.sh   # another build (e.g. main, before the fix)
#
# Options (environment): DURATION=20 (seconds of writes), BATCH_CONNECTIONS=2, SINGLE_CONNECTIONS=32,
# BATCH_SIZE=2000, PAGE=1000 (the tail's limit), MIN_ORDERS=500000 (fewer stored is reported as too short a run),
# CATCH_UP=60 (seconds the tail may take to catch up once the writers stopped), KEEP=0.
set -euo pipefail

DURATION=${DURATION:-20}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-2}
SINGLE_CONNECTIONS=${SINGLE_CONNECTIONS:-32}
BATCH_SIZE=${BATCH_SIZE:-2000}
PAGE=${PAGE:-1000}
MIN_ORDERS=${MIN_ORDERS:-500000}
CATCH_UP=${CATCH_UP:-60}
KEEP=${KEEP:-0}

# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_workdir tail
command -v wrk >/dev/null || ensure_packages wrk
if [ -n "${TAIL_HOST_DLL:-}" ]; then
    HOST_DLL=$TAIL_HOST_DLL
    [ -f "$HOST_DLL" ] || die "TAIL_HOST_DLL: no such file $HOST_DLL"
else
    build_release
fi
log "host build: $HOST_DLL ($(cd "$(dirname "$HOST_DLL")" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"

start_postgres
log "PostgreSQL $(as_postgres pg_ctl --version | awk '{print $3}') on 127.0.0.1:$PG_PORT"
start_host batches "$WORK/unused-a.db" OrderStorage__Provider=Postgres ConnectionStrings__Orders="$PG_CONN"
BATCH_PID=$SERVER_PID BATCH_URL=$SERVER_URL
start_host singles "$WORK/unused-b.db" OrderStorage__Provider=Postgres ConnectionStrings__Orders="$PG_CONN"
SINGLE_PID=$SERVER_PID SINGLE_URL=$SERVER_URL
stop_hosts() {
    kill -TERM "$BATCH_PID" "$SINGLE_PID" 2>/dev/null || true
    wait "$BATCH_PID" "$SINGLE_PID" 2>/dev/null || true
}
trap 'stop_hosts; cleanup' EXIT
SERVER_PID=""
write_batch_body "$WORK/batch.json" "$BATCH_SIZE"

# The tail: one keep-alive connection, the next cursor when the page gives one, else the last id seen (base64url of
# its digits, what PageCursor.Encode writes). It stops once $WORK/stopped holds the table's newest id and it has seen
# a settled page (no items, no next) at or past it, or after CATCH_UP seconds.
"$PY" - "$BATCH_URL" "$PAGE" "$WORK" "$CATCH_UP" >"$WORK/tail.txt" 2>"$WORK/tail.err" <<'PYEOF' &
import base64, http.client, json, os, sys, time, urllib.parse
url, page, work, catch_up = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
seen, latencies, after_stop = [], [], []
cursor, last_id, stopped_at, newest = None, 0, None, None
encode = lambda i: base64.urlsafe_b64encode(str(i).encode()).decode().rstrip("=")
while True:
    if newest is None and os.path.exists(os.path.join(work, "stopped")):
        text = open(os.path.join(work, "stopped")).read().strip()
        if text:
            newest, stopped_at = int(text), time.monotonic()
    path = f"{url.path}?limit={page}" + (f"&after={cursor}" if cursor else "")
    started = time.perf_counter()
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        sys.exit(f"GET {path}: {response.status} {body[:300]!r}")
    (latencies if newest is None else after_stop).append(elapsed)
    answer = json.loads(body)
    ids = [item["id"] for item in answer["items"]]
    seen.extend(ids)
    if ids:
        last_id = ids[-1]
    cursor = answer["next"] or (encode(last_id) if last_id else cursor)
    if newest is not None:
        if not ids and answer["next"] is None and last_id >= newest:
            break
        if time.monotonic() - stopped_at > catch_up:
            print(f"catch-up: gave up after {catch_up:.0f} s at id {last_id} of {newest}", file=sys.stderr)
            break
    if not ids and answer["next"] is None:
        time.sleep(0.001)
with open(os.path.join(work, "seen.txt"), "w") as f:
    f.write("\n".join(map(str, seen)))
def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")
print(f"GETS {len(latencies)} P50 {pct(latencies, 50):.2f} P99 {pct(latencies, 99):.2f} MAX {max(latencies, default=float('nan')):.2f} "
      f"CATCHUP_GETS {len(after_stop)}")
PYEOF
TAIL_PID=$!

log "writing for ${DURATION}s: arrays of $BATCH_SIZE to one host ($BATCH_CONNECTIONS connections)," \
    "single orders to the other ($SINGLE_CONNECTIONS connections), a tail on the first"
wrk --latency -t 1 -c "$BATCH_CONNECTIONS" -d "${DURATION}s" --timeout 30s -s "$BENCH_DIR/wrk/batch.lua" "$BATCH_URL/batch" \
    -- "$WORK/batch.json" >"$WORK/wrk-batch.txt" 2>&1 &
WRK_BATCH=$!
wrk --latency -t 1 -c "$SINGLE_CONNECTIONS" -d "${DURATION}s" --timeout 30s -s "$BENCH_DIR/wrk/single.lua" "$SINGLE_URL" \
    >"$WORK/wrk-single.txt" 2>&1 &
WRK_SINGLE=$!
wait "$WRK_BATCH" || { cat "$WORK/wrk-batch.txt" >&2; die "wrk (batches) failed"; }
wait "$WRK_SINGLE" || { cat "$WORK/wrk-single.txt" >&2; die "wrk (singles) failed"; }
STORED=$(settled_rows postgres)
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtq -c "SELECT COALESCE(MAX(id), 0) FROM orders" >"$WORK/stopped"
log "writers stopped: $STORED orders stored; the tail catches up"
wait "$TAIL_PID" || { cat "$WORK/tail.err" >&2; die "the tail failed"; }
[ -s "$WORK/tail.err" ] && cat "$WORK/tail.err" >&2
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtq -c "SELECT id FROM orders" >"$WORK/stored.txt"

"$PY" - "$WORK" "$DURATION" "$MIN_ORDERS" <<'PYEOF'
import sys
work, duration, minimum = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
stored = {int(line) for line in open(f"{work}/stored.txt") if line.strip()}
seen = [int(line) for line in open(f"{work}/seen.txt") if line.strip()]
distinct = set(seen)
tail = open(f"{work}/tail.txt").read().split()
figures = dict(zip(tail[0::2], tail[1::2]))
def wrk(name):
    line = next(l for l in open(f"{work}/wrk-{name}.txt") if l.startswith("RESULT "))
    fields = dict(f.split("=") for f in line.split()[1:])
    return int(fields["requests"]), int(fields["non2xx"]) + int(fields["timeout"])
for name, what in (("batch", "arrays"), ("single", "single orders")):
    requests, failed = wrk(name)
    print(f"POSTs of {what:<13} {requests:>9,} ({failed:,} not 2xx or timed out)")
print(f"orders stored      {len(stored):>12,}   ({len(stored) / duration:,.0f}/s over {duration:.0f} s of writes)")
print(f"seen by the tail   {len(distinct):>12,}")
print(f"missed             {len(stored - distinct):>12,}")
print(f"duplicated         {len(seen) - len(distinct):>12,}")
print(f"never stored, seen {len(distinct - stored):>12,}")
print(f"list latency       p50 {float(figures['P50']):.2f} ms, p99 {float(figures['P99']):.2f} ms, max {float(figures['MAX']):.2f} ms "
      f"over {int(figures['GETS']):,} GETs of up to the page size while the writers ran ({figures['CATCHUP_GETS']} more to catch up)")
if len(stored) < minimum:
    print(f"NOTE: fewer than {minimum:,} orders stored: too short a run for the issue's figure (raise DURATION)")
PYEOF
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
