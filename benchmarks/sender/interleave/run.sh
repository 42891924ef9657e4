#!/usr/bin/env bash
# Interleaved runs of records from two threads against one thread alone (see interleave.c). Needs a C compiler (gcc).
#   benchmarks/sender/interleave/run.sh            # three rounds of: one thread, then two threads in runs of 16, 256, 1,024
set -euo pipefail
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$(mktemp -d)/interleave
trap 'rm -rf "$(dirname "$bin")"' EXIT
gcc -O2 -pthread -o "$bin" "$dir/interleave.c"
for round in 1 2 3; do
    echo "== round $round"
    "$bin" 1 1024 | sed 's/^/one thread: /'
    for run in 16 256 1024; do "$bin" 2 "$run"; done
done
