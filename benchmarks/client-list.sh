#!/usr/bin/env bash
# The client's `list --all` over many orders: peak resident memory, seconds to the first byte of output, total time.
# Fills a fresh database directly (one SQLite transaction), serves it with the standalone host (Release), and runs the
# Release client against it, table and --json, for each count in COUNTS. BASELINE=<commit> also runs the client as
# it was at that commit (built from `git archive` into the work directory), for comparison.
#   benchmarks/client-list.sh                          # COUNTS="30000 300000"
#   COUNTS=100000 BASELINE=33daeec benchmarks/client-list.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"

COUNTS=${COUNTS:-"30000 300000"}
BASELINE=${BASELINE:-}

make_workdir client-list
build_release
build_client
clients=("now:$CLIENT_DLL")
if [ -n "$BASELINE" ]; then
    log "building the client at $BASELINE"
    mkdir -p "$WORK/baseline"
    git -C "$REPO_DIR" archive "$BASELINE" OrderClient Directory.Build.props Directory.Packages.props | tar -x -C "$WORK/baseline"
    dotnet build "$WORK/baseline/OrderClient/OrderClient.csproj" -c Release -nologo -v q -clp:ErrorsOnly >"$WORK/baseline-build.log" 2>&1 \
        || { cat "$WORK/baseline-build.log" >&2; die "baseline client build failed"; }
    clients+=("$BASELINE:$WORK/baseline/OrderClient/bin/Release/net10.0/OrderClient.dll")
fi

measure() { # label args...: peak RSS of the process, seconds to its first byte of output, total seconds
    local label=$1; shift
    "$PY" - "$label" "$@" <<'PYEOF'
import os, subprocess, sys, time
label, args = sys.argv[1], sys.argv[2:]
start = time.monotonic()
p = subprocess.Popen(args, stdout=subprocess.PIPE)
first, size = None, 0
while chunk := p.stdout.read1(1 << 16):
    if first is None:
        first = time.monotonic() - start
    size += len(chunk)
_, status, usage = os.wait4(p.pid, 0)
print(f"{label:<44} exit {os.waitstatus_to_exitcode(status)}  peak RSS {usage.ru_maxrss / 1024:7.1f} MB  "
      f"first byte {first or 0:6.2f} s  total {time.monotonic() - start:6.2f} s  output {size / 1e6:7.1f} MB")
PYEOF
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for count in $COUNTS; do
    db="$WORK/orders-$count.db"
    start_host "host-$count" "$db"
    fill_orders "$db" "$count"
    for client in "${clients[@]}"; do
        name=${client%%:*} dll=${client#*:}
        measure "$count orders, client $name, list --all" dotnet "$dll" list --url "$SERVER_URL" --all --limit 1000
        measure "$count orders, client $name, list --all --json" dotnet "$dll" list --url "$SERVER_URL" --all --limit 1000 --json
    done
    stop_server
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
