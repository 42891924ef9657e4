#!/usr/bin/env bash
# Mutation testing with Stryker.NET. Two scopes, each with its own config (the files mutated and the tests that may
# kill them):
#   SCOPE=logic (default)  stryker-config.json: OrderFunctions/Orders/ and OrderFunctions/Http/, killed by the fast
#                          in-process tests (Ingestion/, ReadSide/, every Run_ test).
#   SCOPE=contracts        stryker-contracts.json: OrderFunctions.Contracts/ (the validator, the exact decimals, the
#                          wire records: Orders/ before they moved there), killed by the same tests as logic (SQLite).
#   SCOPE=storage          stryker-storage.json: OrderFunctions/Storage/ (the write queue and both engines), killed by
#                          the in-process storage tests (Storage/, the engines' ReadSide/ tests, health, commit
#                          telemetry) on SQLite and PostgreSQL. Slower: every test stands the app up on a real store.
# Prints the mutation score per file and every mutant that survived; docs/mutation.md explains the survivors. Not part
# of .ci/run: it takes many minutes of CPU.
#
#   tests/mutation.sh                    # logic scope, 2 test sessions at once
#   CONCURRENCY=1 tests/mutation.sh      # gentler on a shared machine
#   tests/mutation.sh Orders/OrderJsonReader.cs    # only the files given (paths under OrderFunctions/)
#   SCOPE=storage tests/mutation.sh      # Storage/ (needs PostgreSQL, as the tests do; 1 session unless CONCURRENCY)
#   SCOPE=storage TEST_FILTER='FullyQualifiedName~StorageFaultTests' tests/mutation.sh Storage/Sqlite/SqliteFaults.cs
#                                        # a quick check: one file, the tests chosen by TEST_FILTER only
#   SCOPE=storage PART=queue tests/mutation.sh     # one part of Storage/ (queue, sqlite or postgres) with only the
#                                        # tests that can kill its mutants: each part fits in a shorter sitting
#
# Stryker builds and rewrites OrderFunctions.Tests/bin/Debug: do not build or test Debug in this tree meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
scope="${SCOPE:-logic}"
case "$scope" in
    logic) config="$root/stryker-config.json"; output="$root/StrykerOutput/mutation"; concurrency="${CONCURRENCY:-2}" ;;
    contracts) config="$root/stryker-contracts.json"; output="$root/StrykerOutput/mutation-contracts"; concurrency="${CONCURRENCY:-2}" ;;
    storage) config="$root/stryker-storage.json"; output="$root/StrykerOutput/mutation-storage"; concurrency="${CONCURRENCY:-1}" ;;
    *) echo "SCOPE must be logic, contracts or storage, not '$scope'" >&2; exit 2 ;;
esac
threshold=85
log="$output.log"

# Parts of Storage/, each with the tests that run its code in this process (docs/mutation.md, "Storage/ in parts").
# The whole scope's config selects the union; a part leaves out tests that only cover the other parts' code, which
# Stryker would otherwise run for every mutant they cover (every ReadSide test stores orders through the queue).
declare -A part_files part_tests
part_files[queue]="Storage/*.cs"
part_tests[queue]="FullyQualifiedName~OrderFunctions.Tests.Storage.OrderWriteQueueTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.GracefulStopTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.MaxOrdersPerTransactionTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.StorageFaultTests\
|FullyQualifiedName~OrderFunctions.Tests.Telemetry.SqliteCommitTelemetryTests\
|FullyQualifiedName~OrderFunctions.Tests.Telemetry.OrderMetricsTests\
|FullyQualifiedName~OrderFunctions.Tests.Hosting.HealthTests\
|FullyQualifiedName~OrderFunctions.Tests.Hosting.CompositionTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.Sqlite.SqliteMigrationTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.StoreFailureLogTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.LastWriteFailureTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.OrderSchemaLogTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.OrderStoreHealthTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.QueuedOrdersBudgetTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.AdmissionBudgetTests\
|FullyQualifiedName~OrderFunctions.Tests.Ingestion.QueueFullTests"
part_files[sqlite]="Storage/Sqlite/*.cs"
part_tests[sqlite]="(FullyQualifiedName~OrderFunctions.Tests.Storage.Sqlite.\
|FullyQualifiedName~OrderFunctions.Tests.Storage.StorageFaultTests\
|FullyQualifiedName~OrderFunctions.Tests.Storage.CrashSafetyTests\
|FullyQualifiedName~OrderFunctions.Tests.ReadSide.Sqlite\
|FullyQualifiedName~OrderFunctions.Tests.ReadSide.ReadGateTests\
|FullyQualifiedName~OrderFunctions.Tests.ReadSide.ReadBoundTests\
|FullyQualifiedName~OrderFunctions.Tests.ReadSide.ReadUnavailableTests\
|FullyQualifiedName~OrderFunctions.Tests.Hosting.HealthTests\
|FullyQualifiedName~OrderFunctions.Tests.Hosting.CompositionTests\
|FullyQualifiedName~SqliteCommitTelemetryTests)\
&FullyQualifiedName!~CrashSafetyTests.Host_"
part_files[postgres]="Storage/Postgres/*.cs"
part_tests[postgres]="(FullyQualifiedName~OrderFunctions.Tests.Storage.Postgres.\
|FullyQualifiedName~OrderFunctions.Tests.ReadSide.Postgres\
|FullyQualifiedName~OrderFunctions.Tests.ReadSide.EngineParityTests\
|FullyQualifiedName~OrderFunctions.Tests.Hosting.HealthTests\
|FullyQualifiedName~OrderFunctions.Tests.Hosting.CompositionTests\
|FullyQualifiedName~PostgresCommitTelemetryTests)\
&FullyQualifiedName!~PostgresFaultTests&FullyQualifiedName!~MultiInstanceTests"
files=("$@")
if [[ -n "${PART:-}" ]]; then
    if [[ "$scope" != storage || -z "${part_files[$PART]:-}" ]]; then
        echo "PART is for SCOPE=storage and must be queue, sqlite or postgres, not '$PART'" >&2
        exit 2
    fi
    [[ ${#files[@]} -gt 0 ]] || files=("${part_files[$PART]}")
    TEST_FILTER="${TEST_FILTER:-${part_tests[$PART]}}"
    output="$output-$PART"
    log="$output.log"
fi

mutate=()
for file in "${files[@]}"; do mutate+=(--mutate "**/$file"); done

# One PostgreSQL server for the whole run. Without it every test session Stryker starts (one per mutant) would initdb
# a throwaway cluster of its own before its first PostgreSQL test: measured 2026-12-07, test sessions of 40-50 s each
# and a logic-scope run that had not finished after 1 h 40 min. Tests that stop the server still start their own.
if [[ -z "${ORDERS_TEST_POSTGRES:-}" ]]; then
    bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)" 2>/dev/null || true)
    if [[ -x "$bin/initdb" ]]; then
        pgdir=$(mktemp -d /tmp/orders-mutation-pg.XXXXXX)
        as_postgres=()
        if [[ $EUID -eq 0 ]]; then chown postgres "$pgdir"; as_postgres=(runuser -u postgres --); fi
        pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
        "${as_postgres[@]}" "$bin/initdb" -D "$pgdir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >/dev/null
        "${as_postgres[@]}" "$bin/pg_ctl" -D "$pgdir/data" -l "$pgdir/server.log" -w -o \
            "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
        trap '"${as_postgres[@]}" "$bin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pgdir"' EXIT
        export ORDERS_TEST_POSTGRES="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres;Timeout=10"
        echo "PostgreSQL for the run: 127.0.0.1:$pgport ($pgdir)"
    fi
fi

echo "scope: $scope ($(basename "$config")), load before: $(uptime)"
dotnet tool restore >/dev/null
rm -rf "$output"
mkdir -p "$root/StrykerOutput"
if [[ -n "${TEST_FILTER:-}" ]]; then
    # The same config with another test selection (Stryker takes the filter from its config file only).
    filtered="$root/StrykerOutput/stryker-$scope-filtered.json"
    python3 - "$config" "$filtered" "$TEST_FILTER" <<'PY'
import json, sys
config = json.load(open(sys.argv[1]))
config["stryker-config"]["test-case-filter"] = sys.argv[3]
json.dump(config, open(sys.argv[2], "w"), indent=2)
PY
    config="$filtered"
    echo "tests: $TEST_FILTER"
fi
status=0
(cd OrderFunctions.Tests && dotnet stryker --config-file "$config" --concurrency "$concurrency" \
    --output "$output" --skip-version-check "${mutate[@]}") > "$log" 2>&1 || status=$?
echo "load after:  $(uptime)"
if [[ $status -ne 0 || ! -f "$output/reports/mutation-report.json" ]]; then
    tail -40 "$log"
    echo "Stryker failed (exit $status); full log: ${log#"$root/"}" >&2
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
if score(total) is None:
    print("no mutant was tested (none in the files given, or none could be injected): no score")
    sys.exit(1)
print(f"{len(survivors)} mutants not killed:" if survivors else "every mutant killed")
for s in survivors:
    print("  " + s)
if below:
    print(f"below {threshold:.0f}%: {', '.join(below)}")
    sys.exit(1)
PY
