#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks, in Release; prints the summary table and the CPU lines the benchmarks print:
# - OrderParsingBenchmarks: parsing + validation (OrderJsonReader.ReadJson + OrderValidator.Validate), one order and
#   per order of a 1,000-order array, time and allocations;
# - SqliteWriterBenchmarks: the write queue and the SQLite writer fed pre-built requests of 1,000 orders, per order,
#   next to raw SQLite inserting the same rows in the same run (database on disk, /tmp, and on tmpfs, /dev/shm).
#   Wall-clock time is stretched by whatever else runs on the machine; the "CPU" lines (CPU time per order, median
#   over the iterations) much less.
#
#   benchmarks/micro.sh                                    # every benchmark, 3 warm-ups and 15 iterations
#   (--buildTimeout 900 is always added: on a busy machine BenchmarkDotNet's default 2 minutes is not enough)
#   benchmarks/micro.sh --filter '*Writer*'                # any BenchmarkDotNet arguments replace the defaults
#   benchmarks/micro.sh --filter '*Parsing*' --job short
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$BENCH_DIR/OrderFunctions.Benchmarks"
ARTIFACTS=$(mktemp -d /tmp/orders-micro.XXXXXX)
trap 'rm -rf "$ARTIFACTS"' EXIT

[ $# -gt 0 ] || set -- --filter '*' --warmupCount 3 --iterationCount 15
set -- "$@" --buildTimeout 900
dotnet run -c Release --project "$PROJECT" -- "$@" --artifacts "$ARTIFACTS" >"$ARTIFACTS/run.log" 2>&1 \
    || { tail -60 "$ARTIFACTS/run.log" >&2; echo "FAIL: the benchmarks did not run" >&2; exit 1; }

echo "Micro-benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q '^Benchmarks with issues' "$ARTIFACTS/run.log"; then
    grep -n -i -B2 -A8 -E 'error|exception' "$ARTIFACTS/run.log" | head -80 >&2
fi
# The summary starts with the environment block and ends with the legend.
sed -n '/^\/\/ \* Summary \*/,/^\/\/ \*\*\*\*\* BenchmarkRunner: End/p' "$ARTIFACTS/run.log" | sed '$d'
if grep -q '^CPU ' "$ARTIFACTS/run.log"; then
    echo "CPU time per order (process; for the store also its writer thread), less sensitive to other load than the Mean:"
    grep '^CPU ' "$ARTIFACTS/run.log"
fi
