#!/usr/bin/env bash
# The flood of issue 22 (item 5): CLIENTS concurrent clients each post ONE array of ORDERS orders to
# POST /API/orders/batch, all released at once, against the standalone host on a throwaway store. Prints the answers
# by status, the rows written against the 201s (rows must equal 201s x ORDERS: a 503 writes nothing) and the host's
# peak resident memory (VmHWM of /proc/PID/status), with its RSS at idle before the flood.
#
#   benchmarks/flood.sh                                   # SQLite, 300 clients x 10,000 orders
#   ENGINES="sqlite postgres" benchmarks/flood.sh         # both engines (PostgreSQL: initdb/pg_ctl on PATH)
#   HOST_DLL=/work/main/OrderFunctions.Standalone/bin/Release/net10.0/OrderFunctions.Standalone.dll benchmarks/flood.sh
#                                                         # another build (no build here), e.g. main's, for "before"
#
# Options (environment): ENGINES=sqlite, CLIENTS=300, ORDERS=10000, LIMIT_MB=512, KEEP=0, HOST_DLL (skips the build),
# and any host setting as VAR=value after the options, e.g. `benchmarks/flood.sh OrderStorage__MaxQueuedOrders=50000`.
set -euo pipefail

ENGINES=${ENGINES:-sqlite}
CLIENTS=${CLIENTS:-300}
ORDERS=${ORDERS:-10000}
LIMIT_MB=${LIMIT_MB:-512}
KEEP=${KEEP:-0}
OWN_DLL=${HOST_DLL:-}

# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
for e in $ENGINES; do
    case $e in sqlite|postgres) ;; *) die "ENGINES: unknown engine '$e' (sqlite, postgres)";; esac
done

make_workdir flood
if [ -n "$OWN_DLL" ]; then HOST_DLL=$OWN_DLL; [ -f "$HOST_DLL" ] || die "missing $HOST_DLL"; else build_release; fi

body="$WORK/flood.json"
# No clientOrderId: every client's copy of the same array is stored again, so rows count the 201s exactly.
write_batch_body "$body" "$ORDERS" 2026-12-06T10:00:00

kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$SERVER_PID/status"; }

# flood ENGINE DB: one run against the host already started; prints its figures.
flood() {
    local engine=$1 db=$2 idle
    idle=$(kb VmRSS)
    log "$engine: host pid $SERVER_PID, RSS at idle $(( idle / 1024 )) MB; $CLIENTS clients x $ORDERS orders"
    "$PY" - "$SERVER_URL/batch" "$body" "$CLIENTS" >"$WORK/answers-$engine.txt" <<'PYEOF'
import http.client, sys, threading, time, urllib.parse, collections
url, path, clients = urllib.parse.urlsplit(sys.argv[1]), sys.argv[2], int(sys.argv[3])
body = open(path, "rb").read()
start = threading.Barrier(clients)
answers, lock = collections.Counter(), threading.Lock()
retry_after = collections.Counter()
def post():
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=300)
        conn.connect()
        start.wait()
        conn.request("POST", url.path, body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        status = str(r.status)
        if r.status == 503: retry_after[r.getheader("Retry-After")] += 1
    except Exception as e:
        status = type(e).__name__
    with lock: answers[status] += 1
t0 = time.monotonic()
threads = [threading.Thread(target=post) for _ in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(f"seconds {time.monotonic() - t0:.1f}")
for status, n in sorted(answers.items()): print(f"status {status} {n}")
for value, n in sorted(retry_after.items(), key=str): print(f"retry-after {value} {n}")
PYEOF
    local peak rows created
    peak=$(kb VmHWM)
    rows=$(settled_rows "$db")
    created=$(sed -n 's/^status 201 //p' "$WORK/answers-$engine.txt"); created=${created:-0}
    echo
    echo "Flood ($engine), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$CLIENTS clients x one array of $ORDERS orders to POST /API/orders/batch, all at once; host: $HOST_DLL"
    sed -n 's/^seconds /wall time s: /p' "$WORK/answers-$engine.txt"
    echo "answers: $(sed -n 's/^status //p' "$WORK/answers-$engine.txt" | tr '\n' ' ')"
    grep -q '^retry-after ' "$WORK/answers-$engine.txt" \
        && echo "503s by Retry-After: $(sed -n 's/^retry-after //p' "$WORK/answers-$engine.txt" | tr '\n' ' ')"
    echo "rows: $rows; 201s x $ORDERS: $(( created * ORDERS )); equal: $([ "$rows" -eq $(( created * ORDERS )) ] && echo yes || echo NO)"
    echo "RSS MB: idle $(( idle / 1024 )), peak (VmHWM) $(( peak / 1024 )), after $(( $(kb VmRSS) / 1024 ));" \
        "peak <= $LIMIT_MB MB: $([ $(( peak / 1024 )) -le "$LIMIT_MB" ] && echo yes || echo NO)"
}

for engine in $ENGINES; do
    if [ "$engine" = sqlite ]; then
        start_host "host-sqlite" "$WORK/orders.db" "$@"
        flood sqlite "$WORK/orders.db"
    else
        start_postgres
        start_host "host-postgres" "$WORK/unused.db" OrderStorage__Provider=Postgres ConnectionStrings__Orders="$PG_CONN" "$@"
        flood postgres postgres
    fi
    stop_server
done
