#!/usr/bin/env bash
# BenchmarkDotNet micro-benchmarks of parsing + validation (OrderJsonReader.ReadJson + OrderValidator.Validate): one
# order, and per order of a 1,000-order array, with time and allocations. Runs in Release with BenchmarkDotNet's
# short job (3 warm-ups, 3 iterations) so it ends in a few minutes; prints the summary table.
#
#   benchmarks/micro.sh                      # --job short, every benchmark
#   benchmarks/micro.sh --job default        # any BenchmarkDotNet arguments replace the defaults
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT="$BENCH_DIR/OrderFunctions.Benchmarks"
ARTIFACTS=$(mktemp -d /tmp/orders-micro.XXXXXX)
trap 'rm -rf "$ARTIFACTS"' EXIT

[ $# -gt 0 ] || set -- --job short --filter '*'
dotnet run -c Release --project "$PROJECT" -- "$@" --artifacts "$ARTIFACTS" >"$ARTIFACTS/run.log" 2>&1 \
    || { tail -60 "$ARTIFACTS/run.log" >&2; echo "FAIL: the benchmarks did not run" >&2; exit 1; }

echo "Micro-benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q '^Benchmarks with issues' "$ARTIFACTS/run.log"; then
    grep -n -i -B2 -A8 -E 'error|exception' "$ARTIFACTS/run.log" | head -80 >&2
fi
# The summary starts with the environment block and ends with the legend.
sed -n '/^\/\/ \* Summary \*/,/^\/\/ \*\*\*\*\* BenchmarkRunner: End/p' "$ARTIFACTS/run.log" | sed '$d'
