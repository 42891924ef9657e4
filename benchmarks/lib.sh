# Shared by run.sh and memory.sh: installs, builds, starts hosts, runs wrk and checks the database. Source it.
# shellcheck shell=bash

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
PY=/usr/bin/python3 # Debian's, where python3-flask and python3-waitress install
HOST_DLL="$REPO_DIR/OrderFunctions.Standalone/bin/Release/net10.0/OrderFunctions.Standalone.dll"
CLIENT_DLL="$REPO_DIR/OrderClient/bin/Release/net10.0/OrderClient.dll"

die() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

ensure_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]}"
}

build_release() {
    log "building the standalone host (Release)"
    dotnet build "$REPO_DIR/OrderFunctions.Standalone/OrderFunctions.Standalone.csproj" -c Release -nologo -v q \
        -clp:ErrorsOnly >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log" >&2; die "build failed"; }
    [ -f "$HOST_DLL" ] || die "missing $HOST_DLL"
}

build_client() {
    log "building the client (Release)"
    dotnet build "$REPO_DIR/OrderClient/OrderClient.csproj" -c Release -nologo -v q -clp:ErrorsOnly >"$WORK/client-build.log" 2>&1 \
        || { cat "$WORK/client-build.log" >&2; die "client build failed"; }
    [ -f "$CLIENT_DLL" ] || die "missing $CLIENT_DLL"
}

free_port() {
    "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listening() { # port pid name
    for _ in $(seq 1 300); do
        kill -0 "$2" 2>/dev/null || { cat "$WORK/$3.log" >&2; die "$3 exited at start"; }
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    die "$3 did not listen on port $1"
}

# start_host NAME DB [VAR=value...]: the standalone host on a free port; sets SERVER_PID and SERVER_URL.
start_host() {
    local name=$1 db=$2; shift 2
    local port; port=$(free_port)
    env DOTNET_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
        ConnectionStrings__Orders="Data Source=$db" "$@" \
        dotnet "$HOST_DLL" --urls "http://127.0.0.1:$port" >"$WORK/$name.log" 2>&1 &
    SERVER_PID=$!
    wait_listening "$port" "$SERVER_PID" "$name"
    SERVER_URL="http://127.0.0.1:$port/API/orders"
}

# start_seed DB: the Flask + waitress seed on a free port; sets SERVER_PID and SERVER_URL.
start_seed() {
    local port; port=$(free_port)
    SEED_DB=$1 SEED_PORT=$port SEED_THREADS=$SEED_THREADS "$PY" "$BENCH_DIR/seed/app.py" >"$WORK/seed.log" 2>&1 &
    SERVER_PID=$!
    wait_listening "$port" "$SERVER_PID" seed
    SERVER_URL="http://127.0.0.1:$port/API/orders"
}

stop_server() {
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
}

# make_workdir NAME: a fresh /tmp/orders-NAME.* in WORK, removed at exit (kept with KEEP=1) after stopping the server.
make_workdir() {
    WORK=$(mktemp -d "/tmp/orders-$1.XXXXXX")
    SERVER_PID=""
    PG_DIR=""
    trap cleanup EXIT
    trap 'exit 130' INT TERM # so Ctrl-C or kill also runs cleanup (no server or cluster left behind)
}

cleanup() {
    [ -n "$SERVER_PID" ] && stop_server
    [ -n "$PG_DIR" ] && stop_postgres
    if [ "${KEEP:-0}" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

# as_postgres CMD...: runs CMD as the postgres OS user when this script runs as root (initdb refuses root).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres: a throwaway cluster (initdb + pg_ctl from PATH) in $WORK/pg on a free port, listening on 127.0.0.1
# only, synchronous_commit=on (PostgreSQL's default, set explicitly: every 201 is flushed to the WAL). Sets PG_DIR,
# PG_PORT and PG_CONN (the Npgsql connection string); cleanup stops it.
start_postgres() {
    command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v psql >/dev/null \
        || die "initdb, pg_ctl and psql must be on PATH (sudo apt-get install postgresql)"
    PG_DIR="$WORK/pg"
    mkdir -p "$PG_DIR"
    if [ "$(id -u)" -eq 0 ]; then
        chmod o+x "$WORK" # postgres may pass through the work directory, not list it
        chown postgres "$PG_DIR"
    fi
    PG_PORT=$(free_port)
    as_postgres initdb -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >"$WORK/initdb.log" 2>&1 \
        || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
    as_postgres pg_ctl -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c synchronous_commit=on -c max_connections=200" \
        start >"$WORK/pg_ctl.log" 2>&1 || { cat "$WORK/pg_ctl.log" "$PG_DIR/server.log" >&2; die "pg_ctl start failed"; }
    PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"
}

stop_postgres() {
    as_postgres pg_ctl -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 || log "WARNING: pg_ctl stop failed"
    PG_DIR=""
}

# A database is a SQLite file, or "postgres" for the cluster of start_postgres (its orders table).
count_rows() { # db
    if [ "$1" = postgres ]; then
        psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XAtq -c "SELECT COUNT(*) FROM orders"
        return
    fi
    "$PY" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=30); print(c.execute("SELECT COUNT(*) FROM Orders").fetchone()[0])' "$1"
}

# Rows once the server has finished what was in flight when wrk stopped (two equal counts 300 ms apart).
settled_rows() { # db
    local before after
    before=$(count_rows "$1")
    while :; do
        sleep 0.3
        after=$(count_rows "$1")
        [ "$after" = "$before" ] && { echo "$after"; return; }
        before=$after
    done
}

# fill_orders DB COUNT: COUNT orders (50 markets, 1,000 users, with client order ids) in one SQLite transaction,
# straight into a database whose schema the host has created.
fill_orders() {
    "$PY" - "$1" "$2" <<'PYEOF'
import sqlite3, sys
db, n = sys.argv[1], int(sys.argv[2])
c = sqlite3.connect(db, timeout=30)
c.executemany("INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id) VALUES (?,?,?,?,?,?,?)",
    ((f"2026-11-27T10:{i // 60000 % 60:02d}:{i // 1000 % 60:02d}.{i % 1000:03d}0000Z", f"user{i % 1000}", f"MKT{i % 50}-USD",
      "buy" if i % 3 else "sell", (i % 9 + 1) * 10_000_000, 4_300_000_000_000 + i, f"bench-{i:08d}") for i in range(n)))
c.commit()
PYEOF
}

write_batch_body() { # file count [second]
    "$PY" - "$1" "$2" "${3:-}" <<'PYEOF'
import json, sys
path, n, second = sys.argv[1], int(sys.argv[2]), sys.argv[3]
# @S@ and @N@ are filled per request by wrk/batch.lua (current second, request counter): timestamps grow in time order.
# With a second given (a body sent as it is, not through wrk), the timestamps are fixed: SECOND.0IIII.
stamp = (lambda i: f"{second}.0{i:04d}Z") if second else (lambda i: f"@S@.@N@{i:04d}Z")
orders = [{"timestamp": stamp(i),
           "username": f"user{i * 7 % 1000}", "market": f"MKT{i * 13 % 50}-USD",
           "side": "buy" if i % 3 else "sell", "size": float(f"0.{i % 9 + 1}"), "price": float(f"43000.{i * 7919 % 10**8:08d}")}
          for i in range(n)]
with open(path, "w") as f:
    json.dump(orders, f, separators=(",", ":"))
PYEOF
}

# wrk_run OUTFILE CONNECTIONS DURATION SCRIPT [-- ARGS]: runs wrk against SERVER_URL; the RESULT line lands in OUTFILE.
wrk_run() {
    local out=$1 conns=$2 duration=$3 script=$4; shift 4
    wrk --latency -t 2 -c "$conns" -d "${duration}s" --timeout 10s -s "$BENCH_DIR/wrk/$script" "$SERVER_URL" "$@" \
        >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed"; }
    grep -q '^RESULT ' "$out" || { cat "$out" >&2; die "wrk printed no RESULT line"; }
}

# result_field FILE NAME: one value from the RESULT line.
result_field() { grep '^RESULT ' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# CPU ticks (utime + stime) per thread of PID: "tid name ticks" lines.
thread_ticks() {
    local pid=$1 t
    for t in /proc/"$pid"/task/*; do
        [ -r "$t/stat" ] || continue
        # comm may hold spaces: fields after the closing parenthesis are fixed.
        local stat; stat=$(cat "$t/stat" 2>/dev/null) || continue
        local rest=${stat##*) }
        local comm=${stat#*(}; comm=${comm%)*}
        # shellcheck disable=SC2086
        set -- $rest
        echo "${t##*/} ${comm// /_} $(( ${12} + ${13} ))"
    done
}
