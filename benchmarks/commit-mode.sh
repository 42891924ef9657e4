#!/usr/bin/env bash
# The leader/follower experiment (issue 19): single orders on SQLite through the standalone host with the write queue's
# two commit modes, alternating run by run so that a busy machine disturbs both alike: OrderStorage:CommitMode=
# WriterThread (the default: one writer thread commits, two hand-offs per lone order) against Leader (the first
# waiting request's thread commits the group, no writer thread). Every run checks that the rows written match the 2xx
# answers. Prints one line per run and the median per mode and connection count.
#
#   RUNS=5 DURATION=15 benchmarks/commit-mode.sh          # the comparison to report (about 10 minutes)
#   RUNS=1 DURATION=2 WARMUP=1 benchmarks/commit-mode.sh  # a smoke run
#
# Options (environment): RUNS=5, DURATION=15, WARMUP=5, CONNECTIONS="16 64" (2 or more: wrk runs 2 threads),
# MODES="WriterThread Leader", KEEP=0. For a lone order (1 connection) and context switches per request, use hops.sh:
#   HOST_ENV=OrderStorage__CommitMode=Leader benchmarks/hops.sh
set -euo pipefail

RUNS=${RUNS:-5}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-"16 64"}
MODES=${MODES:-"WriterThread Leader"}
KEEP=${KEEP:-0}

# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_workdir commit-mode
ensure_packages wrk
build_release
RESULTS="$WORK/results.tsv"
: >"$RESULTS"

for run in $(seq 1 "$RUNS"); do
    # Alternate which mode goes first, so neither always meets the machine warmer or colder.
    modes=$MODES
    [ $(( run % 2 )) -eq 0 ] && modes=$(echo "$MODES" | tr ' ' '\n' | tac | tr '\n' ' ')
    for mode in $modes; do
        for conns in $CONNECTIONS; do
            db="$WORK/$mode-c$conns-r$run.db"
            start_host "$mode-c$conns-r$run" "$db" OrderStorage__CommitMode="$mode"
            wrk_run "$WORK/$mode-c$conns-r$run.warmup.txt" "$conns" "$WARMUP" single.lua
            before=$(settled_rows "$db")
            log "$mode, $conns connections, ${DURATION}s (run $run/$RUNS)"
            out="$WORK/$mode-c$conns-r$run.txt"
            wrk_run "$out" "$conns" "$DURATION" single.lua
            requests=$(result_field "$out" requests)
            non2xx=$(result_field "$out" non2xx)
            duration=$(result_field "$out" duration_us)
            ok=$(( requests - non2xx ))
            rows=$(( $(settled_rows "$db") - before ))
            [ "$non2xx" -eq 0 ] || die "$mode at $conns connections: $non2xx non-2xx answers"
            if [ "$rows" -lt "$ok" ] || [ "$rows" -gt $(( ok + conns )) ]; then
                die "$mode at $conns connections: $rows rows written but wrk saw $ok 2xx answers"
            fi
            rate=$("$PY" -c "import sys; print(f'{int(sys.argv[1]) / (int(sys.argv[2]) / 1e6):.1f}')" "$ok" "$duration")
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$mode" "$conns" "$rate" "$(result_field "$out" p50_us)" \
                "$(result_field "$out" p99_us)" | tee -a "$RESULTS"
            stop_server
        done
    done
done

"$PY" - "$RESULTS" <<'PYEOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
groups = {}
for run, mode, conns, rate, p50, p99 in rows:
    groups.setdefault((int(conns), mode), []).append((float(rate), int(p50), int(p99)))
print()
print("| connections | commit mode | runs | orders/s (median) | p50 ms | p99 ms | orders/s per run |")
print("|---:|---|---:|---:|---:|---:|---|")
for (conns, mode), values in sorted(groups.items()):
    rates = [v[0] for v in values]
    print(f"| {conns} | {mode} | {len(values)} | {statistics.median(rates):,.0f} | "
          f"{statistics.median(v[1] for v in values) / 1000:.2f} | {statistics.median(v[2] for v in values) / 1000:.2f} | "
          f"{', '.join(f'{r:,.0f}' for r in rates)} |")
PYEOF
