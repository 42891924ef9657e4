#!/usr/bin/env bash
# Two or more builds of the standalone host side by side on SQLite, run by run in alternation (A B C A B C ...), so
# that a loaded or drifting machine slows every build alike: POST /API/orders with batches of BATCH_SIZE orders (or
# single orders) at CONNECTIONS connections, each run on a fresh host and a fresh database file, its rows checked
# against the 2xx answers as run.sh does. Prints every run, then per build the median orders/s, the median host CPU per
# order (the process's user+system time over the measured seconds: less sensitive to the machine's load than orders/s)
# and both as a ratio to the first build.
#
#   git worktree add /tmp/before 34838f3                                    # any commits, each in its own checkout
#   BUILDS="main=$PWD before=/tmp/before" benchmarks/compare-builds.sh      # builds each checkout's host (Release)
#   ROUNDS=5 DURATION=10 WARMUP=3 BUILDS="..." benchmarks/compare-builds.sh
#   SCENARIO=single CONNECTIONS=64 BUILDS="..." benchmarks/compare-builds.sh
#
# Options (environment): BUILDS (required: label=checkout ...), ROUNDS=3, DURATION=10, WARMUP=3 (seconds of wrk on
# each fresh host before the measurement), CONNECTIONS=8, SCENARIO=batch (or single), BATCH_SIZE=1000, NO_BUILD=0 (1:
# use each checkout's existing Release build), HOST_ENV="" (VAR=value ... for every host), KEEP=0.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-8}
SCENARIO=${SCENARIO:-batch}
BATCH_SIZE=${BATCH_SIZE:-1000}
NO_BUILD=${NO_BUILD:-0}
KEEP=${KEEP:-0}
[ -n "${BUILDS:-}" ] || { echo "BUILDS=\"label=checkout label=checkout ...\" is required" >&2; exit 2; }

# shellcheck source=benchmarks/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_workdir compare
ensure_packages wrk
case $SCENARIO in
    batch) script=batch.lua; per=$BATCH_SIZE; write_batch_body "$WORK/batch.json" "$BATCH_SIZE"; args=(-- "$WORK/batch.json") ;;
    single) script=single.lua; per=1; args=() ;;
    *) die "SCENARIO: batch or single" ;;
esac

labels=()
declare -A dll
for spec in $BUILDS; do
    label=${spec%%=*} checkout=${spec#*=}
    [ "$label" != "$spec" ] && [ -d "$checkout" ] || die "BUILDS: '$spec' is not label=checkout"
    dll[$label]="$checkout/OrderFunctions.Standalone/bin/Release/net10.0/OrderFunctions.Standalone.dll"
    if [ "$NO_BUILD" != 1 ]; then
        log "building $label ($checkout, $(git -C "$checkout" rev-parse --short HEAD))"
        dotnet build "$checkout/OrderFunctions.Standalone/OrderFunctions.Standalone.csproj" -c Release -nologo -v q \
            -clp:ErrorsOnly >"$WORK/build-$label.log" 2>&1 || { cat "$WORK/build-$label.log" >&2; die "build of $label failed"; }
    fi
    [ -f "${dll[$label]}" ] || die "missing ${dll[$label]}"
    labels+=("$label")
done

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
log "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $SCENARIO at $CONNECTIONS connections"
for run in $(seq 1 "$ROUNDS"); do
    for label in "${labels[@]}"; do
        HOST_DLL=${dll[$label]}
        db="$WORK/$label-r$run.db"
        # shellcheck disable=SC2086
        start_host "$label-r$run" "$db" ${HOST_ENV:-}
        wrk_run "$WORK/$label-r$run.warmup.txt" "$CONNECTIONS" "$WARMUP" "$script" "${args[@]}"
        before=$(settled_rows "$db")
        cpu0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
        wrk_run "$WORK/$label-r$run.txt" "$CONNECTIONS" "$DURATION" "$script" "${args[@]}"
        cpu1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
        out="$WORK/$label-r$run.txt"
        requests=$(result_field "$out" requests) non2xx=$(result_field "$out" non2xx) duration=$(result_field "$out" duration_us)
        [ "$non2xx" = 0 ] || die "$label run $run: $non2xx non-2xx answers"
        rows=$(( $(settled_rows "$db") - before ))
        expected=$(( requests * per ))
        [ "$rows" -ge "$expected" ] && [ "$rows" -le $(( expected + CONNECTIONS * per )) ] \
            || die "$label run $run: $rows rows written for $requests 2xx answers of $per orders"
        stop_server
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$label" "$expected" "$duration" "$(( cpu1 - cpu0 ))" "$(cut -d' ' -f1 /proc/loadavg)" >>"$RESULTS"
        log "$label run $run: $(awk -v o="$expected" -v d="$duration" 'BEGIN { printf "%.0f", o / (d / 1e6) }') orders/s"
    done
done

echo
echo "SQLite, $SCENARIO at $CONNECTIONS connections, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, ${DURATION}s per run after ${WARMUP}s," \
    "$ROUNDS run(s) per build in alternation; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" - "$RESULTS" "$(getconf CLK_TCK)" "${labels[@]}" <<'PYEOF'
import statistics, sys
path, hz, labels = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
runs = {}
for line in open(path):
    run, label, orders, duration_us, ticks, load = line.split()
    rate = int(orders) / (int(duration_us) / 1e6)
    cpu = int(ticks) / hz * 1e6 / max(1, int(orders))
    runs.setdefault(label, []).append((rate, cpu, load))
first = labels[0]
base_rate = statistics.median(r for r, _, _ in runs[first])
base_cpu = statistics.median(c for _, c, _ in runs[first])
print("| build | orders/s (median) | vs " + first + " | host CPU us/order (median) | vs " + first + " | per run (orders/s, load) |")
print("|---|---:|---:|---:|---:|---|")
for label in labels:
    rate = statistics.median(r for r, _, _ in runs[label])
    cpu = statistics.median(c for _, c, _ in runs[label])
    each = ", ".join(f"{r:,.0f} ({l})" for r, _, l in runs[label])
    print(f"| {label} | {rate:,.0f} | {rate / base_rate:.2f}x | {cpu:.2f} | {cpu / base_cpu:.2f}x | {each} |")
PYEOF
