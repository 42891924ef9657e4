#!/usr/bin/env bash
# Throughput of POST /API/orders: the standalone host on SQLite and on PostgreSQL (single orders, batches of 1,000;
# PostgreSQL is a throwaway cluster the script starts with initdb + pg_ctl and stops at exit), the seed design
# (Flask + waitress + one SQLite commit per request) and the same host with a store that writes nothing (the HTTP
# ceiling). Every real-store run is checked against the database: orders/s counts only 2xx answers, and the rows
# written must match them (see docs/benchmarks.md).
#
#   benchmarks/run.sh                         # DURATION=15 s per measurement, RUNS=1
#   RUNS=3 DURATION=15 benchmarks/run.sh      # the issue's medians of 3 runs
#   DURATION=3 WARMUP=1 benchmarks/run.sh     # a smoke run
#   PROFILE=1 ...                             # also print CPU per thread (host, wrk) for the 64-connection runs
#
# Options (environment): RUNS=1, DURATION=15, WARMUP=5 (seconds of wrk before each measurement, not counted),
# SINGLE_CONNECTIONS="16 64", BATCH_CONNECTIONS="4 8", BATCH_SIZE=1000, SEED_THREADS=4 (waitress's default),
# PROFILE=0, KEEP=0 (keep the work directory with the databases, logs and raw wrk outputs),
# ENGINES="sqlite postgres" (the host's stores to measure; the seed and the null store always run, as the baselines),
# CALLERS=0 (1: also single orders on SQLite with a named caller configured and its x-api-key sent: issue 20's cost).
#   ENGINES=postgres DURATION=2 WARMUP=1 benchmarks/run.sh   # PostgreSQL only, smoke
set -euo pipefail

RUNS=${RUNS:-1}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
SINGLE_CONNECTIONS=${SINGLE_CONNECTIONS:-"16 64"}
BATCH_CONNECTIONS=${BATCH_CONNECTIONS:-"4 8"}
BATCH_SIZE=${BATCH_SIZE:-1000}
SEED_THREADS=${SEED_THREADS:-4}
PROFILE=${PROFILE:-0}
KEEP=${KEEP:-0}
ENGINES=${ENGINES:-"sqlite postgres"}

# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_workdir bench
for e in $ENGINES; do
    case $e in sqlite|postgres) ;; *) die "ENGINES: unknown engine '$e' (sqlite, postgres)";; esac
done
engine() { case " $ENGINES " in *" $1 "*) return 0;; esac; return 1; }

ensure_packages wrk python3-flask python3-waitress
build_release
write_batch_body "$WORK/batch.json" "$BATCH_SIZE"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

# measure RUN KIND SCENARIO CONNECTIONS SCRIPT ORDERS_PER_REQUEST DB|- STRICT [-- ARGS]
# KIND groups rows for the ratios: single, batch, pg-single, pg-batch or seed. DB "postgres" counts rows in the
# cluster of start_postgres; "-" skips the row check (the null store writes nothing).
# STRICT=1 fails on any non-2xx or socket error; the seed (STRICT=0) only warns, and its orders/s counts 2xx only.
measure() {
    local run=$1 kind=$2 scenario=$3 conns=$4 script=$5 per=$6 db=$7 strict=$8; shift 8
    local tag="${scenario// /_}-c$conns-r$run"
    wrk_run "$WORK/$tag.warmup.txt" "$conns" "$WARMUP" "$script" "$@"
    local before=0 profiled=0
    [ "$db" != - ] && before=$(settled_rows "$db")
    [ "$PROFILE" = 1 ] && [ "$conns" = 64 ] && [ "$run" = 1 ] && profiled=1
    log "$scenario, $conns connections, ${DURATION}s (run $run/$RUNS)"
    wrk_run "$WORK/$tag.txt" "$conns" "$DURATION" "$script" "$@" &
    local wrk_pid=$!
    if [ "$profiled" = 1 ]; then
        # CPU ticks of every thread between 1 s after the start and 1 s before the end.
        sleep 1
        local wpid; wpid=$(pgrep -P "$wrk_pid" -x wrk || true)
        [ -n "$wpid" ] && thread_ticks "$wpid" >"$WORK/$tag.wrkticks0"
        thread_ticks "$SERVER_PID" >"$WORK/$tag.ticks0"
        head -1 /proc/stat >"$WORK/$tag.cpu0"
        sleep $(( DURATION > 2 ? DURATION - 2 : 1 ))
        [ -n "$wpid" ] && thread_ticks "$wpid" >"$WORK/$tag.wrkticks1"
        thread_ticks "$SERVER_PID" >"$WORK/$tag.ticks1"
        head -1 /proc/stat >"$WORK/$tag.cpu1"
    fi
    wait "$wrk_pid"
    local out="$WORK/$tag.txt"
    local requests non2xx sockerr duration p50 p99
    requests=$(result_field "$out" requests)
    non2xx=$(result_field "$out" non2xx)
    sockerr=$(( $(result_field "$out" connect) + $(result_field "$out" read) + $(result_field "$out" write) + $(result_field "$out" timeout) ))
    duration=$(result_field "$out" duration_us)
    p50=$(result_field "$out" p50_us)
    p99=$(result_field "$out" p99_us)
    local ok=$(( requests - non2xx ))
    if [ "$non2xx" -gt 0 ] || [ "$sockerr" -gt 0 ]; then
        sed -n '1,40p' "$out" >&2
        [ "$strict" = 1 ] && die "$scenario at $conns connections: $non2xx non-2xx answers, $sockerr socket errors/timeouts"
        log "WARNING: $scenario at $conns connections: $non2xx non-2xx answers, $sockerr socket errors/timeouts (only 2xx counted)"
    fi
    local rows=-
    if [ "$db" != - ]; then
        rows=$(( $(settled_rows "$db") - before ))
        # wrk stops with up to one request per connection in flight: the server may commit those after wrk stopped
        # counting, so the rows may exceed the 2xx orders by at most connections x orders per request, never fall short.
        local expected=$(( ok * per )) slack=$(( conns * per ))
        if [ "$rows" -lt "$expected" ] || [ "$rows" -gt $(( expected + slack )) ]; then
            die "$scenario at $conns connections: $rows rows written but wrk saw $ok 2xx answers ($expected orders; allowed up to $slack more in flight)"
        fi
    fi
    local rate
    rate=$("$PY" -c "import sys; print(f'{int(sys.argv[1]) * int(sys.argv[2]) / (int(sys.argv[3]) / 1e6):.1f}')" "$ok" "$per" "$duration")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$kind" "$scenario" "$conns" "$rate" "$p50" "$p99" "$(( ok * per ))" "$rows" >>"$RESULTS"
}

print_profile() { # tag
    local tag=$1
    [ -f "$WORK/$tag.ticks1" ] || return 0
    "$PY" - "$WORK/$tag" "$(getconf CLK_TCK)" <<'PYEOF'
import sys
base, hz = sys.argv[1], int(sys.argv[2])
def ticks(path):
    try:
        return {tid: (name, int(t)) for tid, name, t in (l.split() for l in open(path) if l.strip())}
    except FileNotFoundError:
        return {}
def cpu(path):
    f = open(path).read().split()[1:]
    return sum(map(int, f)), int(f[3]) + int(f[4])
(t0, i0), (t1, i1) = cpu(base + ".cpu0"), cpu(base + ".cpu1")
secs = (t1 - t0) / hz / 2  # two cores
print(f"  {base.rsplit('/', 1)[1]}: whole machine {100 * (1 - (i1 - i0) / (t1 - t0)):.0f}% busy of 2 cores over {secs:.1f}s")
for label, a, b in (("host", ".ticks0", ".ticks1"), ("wrk", ".wrkticks0", ".wrkticks1")):
    before, after = ticks(base + a), ticks(base + b)
    groups = {}
    for tid, (name, t) in after.items():
        d = t - before.get(tid, (name, 0))[1]
        groups.setdefault(name, [0, 0])
        groups[name][0] += d
        groups[name][1] += 1
    total = sum(d for d, _ in groups.values())
    print(f"    {label}: {100 * total / hz / secs:.0f}% of one core in total")
    for name, (d, n) in sorted(groups.items(), key=lambda g: -g[1][0])[:6]:
        if d:
            print(f"      {name:<24} x{n:<3} {100 * d / hz / secs:5.0f}% of one core")
PYEOF
}

log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); work directory $WORK"
if engine postgres; then
    start_postgres
    log "PostgreSQL $(as_postgres pg_ctl --version | awk '{print $3}') on 127.0.0.1:$PG_PORT, synchronous_commit=$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtq -c 'SHOW synchronous_commit')"
fi
for run in $(seq 1 "$RUNS"); do
    if engine sqlite; then
        db="$WORK/orders-r$run.db"
        start_host "host-r$run" "$db"
        for c in $SINGLE_CONNECTIONS; do measure "$run" single "single order (SQLite)" "$c" single.lua 1 "$db" 1; done
        for c in $BATCH_CONNECTIONS; do measure "$run" batch "batch of $BATCH_SIZE (SQLite)" "$c" batch.lua "$BATCH_SIZE" "$db" 1 -- "$WORK/batch.json"; done
        stop_server
        if [ "${CALLERS:-0}" = 1 ]; then
            # The same single orders with named callers configured (issue 20): every request hashes its x-api-key and
            # checks the username against the caller's; the cost must stay under 5% of the line above.
            key="benchmark-caller-key-$run"
            hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
            db="$WORK/orders-callers-r$run.db"
            start_host "host-callers-r$run" "$db" OrderAccess__Callers__0__Name=bench OrderAccess__Callers__0__KeyHashes__0="$hash" \
                OrderAccess__Callers__0__Usernames__0='user*' OrderAccess__Callers__0__Operations__0=write
            for c in $SINGLE_CONNECTIONS; do
                ORDER_CALLER_KEY=$key measure "$run" single-callers "single order (SQLite, callers)" "$c" single.lua 1 "$db" 1
            done
            stop_server
        fi
    fi

    if engine postgres; then
        # Every run starts on an empty table (the host creates it at start; its version table goes too, or the host
        # would find the schema recorded as current and create nothing).
        PGOPTIONS="-c client_min_messages=warning" \
            psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtq -c "DROP TABLE IF EXISTS orders, orders_schema_versions" >/dev/null
        start_host "pg-r$run" "$WORK/unused-r$run.db" OrderStorage__Provider=Postgres ConnectionStrings__Orders="$PG_CONN"
        for c in $SINGLE_CONNECTIONS; do measure "$run" pg-single "single order (PostgreSQL)" "$c" single.lua 1 postgres 1; done
        for c in $BATCH_CONNECTIONS; do measure "$run" pg-batch "batch of $BATCH_SIZE (PostgreSQL)" "$c" batch.lua "$BATCH_SIZE" postgres 1 -- "$WORK/batch.json"; done
        stop_server
        [ ! -e "$WORK/unused-r$run.db" ] || die "the PostgreSQL host created a SQLite file"
        # The same batches through the other bulk insert (OrderStorage:PostgresBulkInsert): the default above is binary
        # COPY; this is one INSERT ... SELECT FROM unnest(...) per commit, on the same server and table.
        start_host "pg-unnest-r$run" "$WORK/unused-r$run.db" OrderStorage__Provider=Postgres ConnectionStrings__Orders="$PG_CONN" \
            OrderStorage__PostgresBulkInsert=Unnest
        for c in $BATCH_CONNECTIONS; do measure "$run" pg-batch-unnest "batch of $BATCH_SIZE (PostgreSQL, unnest)" "$c" batch.lua "$BATCH_SIZE" postgres 1 -- "$WORK/batch.json"; done
        stop_server
    fi

    seed_db="$WORK/seed-r$run.db"
    start_seed "$seed_db"
    for c in $SINGLE_CONNECTIONS; do measure "$run" seed "seed (Flask+SQLite)" "$c" single.lua 1 "$seed_db" 0; done
    stop_server

    start_host "null-r$run" "$WORK/null-r$run.db" Benchmark__NullStore=true
    grep -q "NOTHING IS STORED" "$WORK/null-r$run.log" || die "the null-store host did not announce itself"
    for c in $SINGLE_CONNECTIONS; do measure "$run" single-null "single order (null store)" "$c" single.lua 1 - 1; done
    for c in $BATCH_CONNECTIONS; do measure "$run" batch-null "batch of $BATCH_SIZE (null store)" "$c" batch.lua "$BATCH_SIZE" - 1 -- "$WORK/batch.json"; done
    stop_server
    [ "$(count_rows "$WORK/null-r$run.db")" = 0 ] || die "the null-store host wrote rows"
done

echo
echo "POST /API/orders, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, wrk -t2, ${DURATION}s per run after ${WARMUP}s warm-up, median of $RUNS run(s)"
engine postgres && echo "PostgreSQL: throwaway local cluster, synchronous_commit=on (the default): every 2xx is flushed to its WAL"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$RESULTS" <<'PYEOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
groups = {}
for run, kind, scenario, conns, rate, p50, p99, orders, written in rows:
    groups.setdefault((kind, scenario, int(conns)), []).append((float(rate), int(p50), int(p99)))
med = {k: (statistics.median(r for r, _, _ in v), statistics.median(p for _, p, _ in v), statistics.median(p for _, _, p in v), len(v))
       for k, v in groups.items()}
def find(kind, conns):
    return next((m[0] for (k, _, c), m in med.items() if k == kind and c == conns), None)
ceiling_of = {"single": "single-null", "single-callers": "single-null", "seed": "single-null", "single-null": "single-null", "batch": "batch-null", "batch-null": "batch-null",
              "pg-single": "single-null", "pg-batch": "batch-null", "pg-batch-unnest": "batch-null"}
def ratio(a, b):
    return f"{a / b:.2f}x" if b else "-"
def ms(us):
    return f"{us / 1000:.2f}"
header = ("scenario", "conns", "orders/s", "p50 ms", "p99 ms", "vs seed", "vs ceiling")
table = [header]
order = ["single", "single-callers", "batch", "pg-single", "pg-batch", "pg-batch-unnest", "seed", "single-null", "batch-null"]
for (kind, scenario, conns), (rate, p50, p99, n) in sorted(med.items(), key=lambda i: (order.index(i[0][0]), i[0][2])):
    seed = find("seed", conns)
    ceiling = find(ceiling_of[kind], conns)
    table.append((scenario, str(conns), f"{rate:,.0f}", ms(p50), ms(p99), ratio(rate, seed) if seed else "-", ratio(rate, ceiling) if ceiling else "-"))
widths = [max(len(r[i]) for r in table) for i in range(len(header))]
for i, r in enumerate(table):
    print("| " + " | ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))) + " |")
    if i == 0:
        print("|" + "|".join("-" * (w + 2) if j == 0 else "-" * (w + 1) + ":" for j, w in enumerate(widths)) + "|")
print("p50/p99: per request (a batch request carries all its orders). Ratios: same connections; a batch's ceiling is the null-store batch.")
# The issue's targets, where this run measured the scenario they name.
single64 = next((m for (k, _, c), m in med.items() if k == "single" and c == 64), None)
seed64, ceiling64 = find("seed", 64), find("single-null", 64)
batches = [m[0] for (k, _, _), m in med.items() if k == "batch"]
checks = []
if single64 and seed64:
    checks.append(f"single@64 >= 50x seed: {single64[0] / seed64:.0f}x {'met' if single64[0] >= 50 * seed64 else 'NOT met'}")
if single64 and ceiling64:
    checks.append(f">= 55% of ceiling: {100 * single64[0] / ceiling64:.0f}% {'met' if single64[0] >= 0.55 * ceiling64 else 'NOT met'}")
if single64:
    checks.append(f"p99 <= 10 ms: {single64[2] / 1000:.1f} ms {'met' if single64[2] <= 10_000 else 'NOT met'}")
if batches:
    checks.append(f"batches >= 150,000/s: {max(batches):,.0f} {'met' if max(batches) >= 150_000 else 'NOT met'}")
if checks:
    print("Targets (issue 12): " + "; ".join(checks) + ".")
callers64 = next((m for (k, _, c), m in med.items() if k == "single-callers" and c == 64), None)
if single64 and callers64:
    cost = 100 * (1 - callers64[0] / single64[0])
    print(f"Callers (issue 20): single@64 with a caller's key {callers64[0]:,.0f}/s vs {single64[0]:,.0f}/s open: "
          f"{cost:.1f}% lower ({'met' if cost <= 5 else 'NOT met'}: at most 5%).")
pg64 = next((m for (k, _, c), m in med.items() if k == "pg-single" and c == 64), None)
pg_batches = [m[0] for (k, _, _), m in med.items() if k == "pg-batch"]
pg_checks = []
if pg64 and seed64:
    pg_checks.append(f"PostgreSQL single@64 >= 25x seed: {pg64[0] / seed64:.0f}x {'met' if pg64[0] >= 25 * seed64 else 'NOT met'}")
if pg_batches:
    pg_checks.append(f"PostgreSQL batches >= 100,000/s: {max(pg_batches):,.0f} {'met' if max(pg_batches) >= 100_000 else 'NOT met'}")
pg_unnest = [m[0] for (k, _, _), m in med.items() if k == "pg-batch-unnest"]
if pg_batches and pg_unnest:
    pg_checks.append(f"binary COPY vs unnest, best batch: {max(pg_batches):,.0f} vs {max(pg_unnest):,.0f} orders/s ({max(pg_batches) / max(pg_unnest):.2f}x)")
if pg_checks:
    print("Floors (issue 9): " + "; ".join(pg_checks) + ".")
PYEOF
if [ "$PROFILE" = 1 ]; then
    echo
    echo "CPU per thread during the 64-connection runs (run 1; from 1 s after the start to 1 s before the end):"
    for f in "$WORK"/*-c64-r1.ticks1; do f=${f##*/}; print_profile "${f%.ticks1}"; done
fi
