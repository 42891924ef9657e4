#!/usr/bin/env bash
# Mutation testing of the pure logic (OrderFunctions/Orders/ and OrderFunctions/Http/) with Stryker.NET, killed by the
# fast in-process tests that stryker-config.json selects. Prints the mutation score per file and every mutant that
# survived; docs/mutation.md explains the survivors. Not part of .ci/run: it takes many minutes of CPU.
#
#   tests/mutation.sh                    # whole scope, 2 test sessions at once
#   CONCURRENCY=1 tests/mutation.sh      # gentler on a shared machine
#   tests/mutation.sh Orders/OrderJsonReader.cs    # only the files given (paths under OrderFunctions/)
#
# Stryker builds and rewrites OrderFunctions.Tests/bin/Debug: do not build or test Debug in this tree meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
output="$root/StrykerOutput/mutation"
threshold=85

mutate=()
for file in "$@"; do mutate+=(--mutate "**/$file"); done

echo "load before: $(uptime)"
dotnet tool restore >/dev/null
rm -rf "$output"
mkdir -p "$root/StrykerOutput"
status=0
(cd OrderFunctions.Tests && dotnet stryker --config-file ../stryker-config.json --concurrency "${CONCURRENCY:-2}" \
    --output "$output" --skip-version-check "${mutate[@]}") > "$root/StrykerOutput/stryker.log" 2>&1 || status=$?
echo "load after:  $(uptime)"
if [[ $status -ne 0 || ! -f "$output/reports/mutation-report.json" ]]; then
    tail -40 "$root/StrykerOutput/stryker.log"
    echo "Stryker failed (exit $status); full log: StrykerOutput/stryker.log" >&2
    exit 1
fi

python3 - "$output/reports/mutation-report.json" "$root" "$threshold" <<'PY'
import json, os, sys
from collections import Counter
report, root, threshold = json.load(open(sys.argv[1])), sys.argv[2], float(sys.argv[3])
detected, undetected = {"Killed", "Timeout"}, {"Survived", "NoCoverage"}

def score(counts):
    valid = sum(counts[s] for s in detected | undetected)
    return 100.0 * sum(counts[s] for s in detected) / valid if valid else None

rows, folders, survivors = [], {}, []
for path, file in sorted(report["files"].items()):
    rel = os.path.relpath(os.path.join(report.get("projectRoot", root), path), root)
    counts = Counter(m["status"] for m in file["mutants"])
    if not sum(counts[s] for s in detected | undetected | {"CompileError"}):
        continue
    rows.append((rel, counts))
    folders.setdefault(os.path.dirname(rel), Counter()).update(counts)
    for m in file["mutants"]:
        if m["status"] in undetected:
            start = m["location"]["start"]
            survivors.append(f'{rel}:{start["line"]}:{start["column"]} {m["status"]} {m["mutatorName"]}: {m.get("replacement", "")!r}')

fmt = "{:<48} {:>7} {:>7} {:>8} {:>9} {:>8} {:>8}"
print(fmt.format("file", "score", "killed", "timeout", "survived", "no cov", "compile"))
def line(name, counts):
    s = score(counts)
    print(fmt.format(name, "n/a" if s is None else f"{s:.1f}%", counts["Killed"], counts["Timeout"], counts["Survived"],
                     counts["NoCoverage"], counts["CompileError"]))
for rel, counts in rows:
    line(rel, counts)
print()
below = []
for folder, counts in sorted(folders.items()):
    line(folder + "/", counts)
    if (score(counts) or 100) < threshold:
        below.append(folder)
total = sum((c for c in folders.values()), Counter())
line("all", total)
print()
print(f"{len(survivors)} mutants not killed:" if survivors else "every mutant killed")
for s in survivors:
    print("  " + s)
if below:
    print(f"below {threshold:.0f}%: {', '.join(below)}")
    sys.exit(1)
PY
