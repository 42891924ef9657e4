#!/usr/bin/env bash
# Context switches and CPU time of the host per request, with perf stat, for single orders on the real SQLite store
# and on the null store (the same host writing nothing). Both are counts of work per request, which a busy shared
# machine disturbs far less than requests per second: the figures to compare before and after a change of the write
# path's hand-offs (docs/benchmarks.md). At 1 connection every request is its own commit (the whole chain of hops);
# at 64 the commits group.
#
#   benchmarks/hops.sh                            # CONNECTIONS="1 64", DURATION=10
#   CONNECTIONS=64 DURATION=5 benchmarks/hops.sh
#
#   HOST_ENV="DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0" benchmarks/hops.sh   # extra environment for the host
#
# Options (environment): CONNECTIONS="1 64", DURATION=10, WARMUP=3, HOST_ENV="", KEEP=0.
set -euo pipefail

CONNECTIONS=${CONNECTIONS:-"1 64"}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
HOST_ENV=${HOST_ENV:-}
KEEP=${KEEP:-0}

# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_workdir hops

ensure_packages wrk linux-perf
perf stat -e context-switches,task-clock true >/dev/null 2>&1 || die "perf stat cannot count context-switches here (perf_event_paranoid?)"
build_release
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

# Voluntary switches (a thread blocked: futex, epoll, fsync) summed over the live threads of PID; the rest of perf's
# count are preemptions, which grow with other load on the machine.
voluntary_switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null | awk '$1 == "voluntary_ctxt_switches:" { n += $2 } END { print n + 0 }'
}

# measure STORE CONNECTIONS DB|-: perf stat on the host for exactly as long as wrk runs.
measure() {
    local store=$1 conns=$2 db=$3 tag="${1// /_}-c$2"
    local threads=$(( conns < 2 ? 1 : 2 )) # wrk wants at least one connection per thread
    wrk -t "$threads" -c "$conns" -d "${WARMUP}s" -s "$BENCH_DIR/wrk/single.lua" "$SERVER_URL" >"$WORK/$tag.warmup.txt" 2>&1 \
        || { cat "$WORK/$tag.warmup.txt" >&2; die "wrk failed"; }
    local before=0
    [ "$db" != - ] && before=$(settled_rows "$db")
    local vol0; vol0=$(voluntary_switches "$SERVER_PID")
    log "$store, $conns connections, ${DURATION}s under perf stat"
    perf stat -x, -e context-switches,task-clock -p "$SERVER_PID" -o "$WORK/$tag.perf" -- \
        wrk --latency -t "$threads" -c "$conns" -d "${DURATION}s" --timeout 10s -s "$BENCH_DIR/wrk/single.lua" "$SERVER_URL" \
        >"$WORK/$tag.txt" 2>&1 || { cat "$WORK/$tag.txt" "$WORK/$tag.perf" >&2; die "perf stat / wrk failed"; }
    local vol1; vol1=$(voluntary_switches "$SERVER_PID")
    local requests non2xx
    requests=$(result_field "$WORK/$tag.txt" requests)
    non2xx=$(result_field "$WORK/$tag.txt" non2xx)
    [ "$non2xx" = 0 ] || { cat "$WORK/$tag.txt" >&2; die "$store at $conns connections: $non2xx non-2xx answers"; }
    if [ "$db" != - ]; then
        local rows=$(( $(settled_rows "$db") - before ))
        if [ "$rows" -lt "$requests" ] || [ "$rows" -gt $(( requests + conns )) ]; then
            die "$store at $conns connections: $rows rows written but wrk saw $requests 2xx answers"
        fi
    fi
    local switches cpu_ms
    switches=$(awk -F, '$3 == "context-switches" { print $1 }' "$WORK/$tag.perf")
    cpu_ms=$(awk -F, '$3 == "task-clock" { print $1 }' "$WORK/$tag.perf")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "$conns" "$requests" "$(result_field "$WORK/$tag.txt" duration_us)" \
        "$switches" "$cpu_ms" "$(( vol1 - vol0 ))" >>"$RESULTS"
}

log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); work directory $WORK"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC2086 # HOST_ENV is a list of VAR=value words
start_host host "$WORK/orders.db" $HOST_ENV
for c in $CONNECTIONS; do measure "SQLite" "$c" "$WORK/orders.db"; done
stop_server
# shellcheck disable=SC2086
start_host null "$WORK/null.db" Benchmark__NullStore=true $HOST_ENV
grep -q "NOTHING IS STORED" "$WORK/null.log" || die "the null-store host did not announce itself"
for c in $CONNECTIONS; do measure "null store" "$c" -; done
stop_server

echo
echo "Host work per single-order request, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, wrk -t2 (-t1 at 1 connection), ${DURATION}s, perf stat -p <host>"
echo "load average at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg)${HOST_ENV:+; host environment: $HOST_ENV}"
"$PY" - "$RESULTS" <<'PYEOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
table = [("store", "conns", "requests", "requests/s", "switches/request", "voluntary", "host CPU us/request")]
for store, conns, requests, duration_us, switches, cpu_ms, voluntary in rows:
    n = int(requests)
    table.append((store, conns, f"{n:,}", f"{n / (int(duration_us) / 1e6):,.0f}", f"{int(switches) / n:.2f}",
                  f"{int(voluntary) / n:.2f}", f"{float(cpu_ms) * 1000 / n:.1f}"))
widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
for i, r in enumerate(table):
    print("| " + " | ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))) + " |")
    if i == 0:
        print("|" + "|".join("-" * (w + 2) if j == 0 else "-" * (w + 1) + ":" for j, w in enumerate(widths)) + "|")
print("switches and CPU: the host process only (all its threads), counted by perf stat while wrk ran; voluntary: the")
print("part where a thread blocked (from /proc/<host>/task/*/status), the rest are preemptions by other load.")
PYEOF
