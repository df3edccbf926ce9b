#!/usr/bin/env bash
# Fleets on one token: 64 waiters against the mock's rate limit (250 requests a minute, 5,000
# an hour, per token) on its time scale, paced clients beside a naive one.
#
#   bash benches/fleet.sh
#
# Installs what is missing (redis-server, curl), builds the mock and benches/rust/fleet.rs
# in release mode, and for each row starts a fresh `droplet-action-mock --port 0
# --rate-limit --time-scale SCALE`, runs the row's processes together (every waiter on an
# action that completes ACTION_SECONDS mock seconds after it is first seen, on droplet ids
# new to this run), reads the mock's counters at GET /__mock/stats, and stops the mock.
# The shared-budget rows use one `redis-server` on 127.0.0.1 (no persistence) started
# here. Prints the table (also in OUT/table.md); leaves no process behind.
#
#   1. one process, 64 waiters: naive; 64 threads in wait_for_droplet_action on one client
#      paced by LocalBudget::time_scaled; one wait_for_droplet_actions call;
#   2. four processes of 16 waiters, one token, no coordination: naive; each process its
#      own LocalBudget;
#   3. the same four processes sharing a RedisBudget (windows divided by the scale): the
#      limits alone, then with a third window of SPREAD_PER_MINUTE requests a minute; then,
#      with that third window, the same run while Redis is frozen (SIGSTOP, then SIGCONT:
#      row 3f) or down (killed, then started again on its port: row 3d) for FAULT_FOR real
#      seconds from FAULT_AT real seconds after the start. While Redis is away each member
#      paces at its share of the fallback's limit.
#
# Settings (environment): SCALE (mock seconds per real second, default 60: a mock hour is a
# real minute), ACTION_SECONDS (default 1800), POLL (the naive poll and the wait's poll
# interval, mock seconds, default 5), SPREAD_PER_MINUTE (default 83: 4,980 an hour), ROWS
# (which rows, default "1n 1t 1m 2n 2t 3r 3s 3f 3d"), FAULT_AT (default 8) and FAULT_FOR
# (default 10), OUT (default target/fleet-run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCALE=${SCALE:-60}
ACTION_SECONDS=${ACTION_SECONDS:-1800}
POLL=${POLL:-5}
SPREAD_PER_MINUTE=${SPREAD_PER_MINUTE:-83}
ROWS=${ROWS:-1n 1t 1m 2n 2t 3r 3s 3f 3d}
FAULT_AT=${FAULT_AT:-8}
FAULT_FOR=${FAULT_FOR:-10}
OUT=${OUT:-$ROOT/target/fleet-run}
WAITERS=64

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- what the run needs
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

log "building (release)"
cargo build --release --quiet -p droplet-action-mock --bin droplet-action-mock
MOCK=$ROOT/target/release/droplet-action-mock
# The fleet program is a bench target (harness = false): cargo names the binary it built.
FLEET=$(cargo bench --quiet -p droplet-action-redis-budget --bench fleet --no-run \
    --message-format=json |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "fleet" and m.get("executable"):
        print(m["executable"])')

rm -rf "$OUT"
mkdir -p "$OUT"

# ---------------------------------------------------------------- cleanup
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget() { # drops a pid that has ended from the cleanup list
    local keep=() pid
    for pid in "${PIDS[@]}"; do
        [ "$pid" = "$1" ] || keep+=("$pid")
    done
    PIDS=("${keep[@]}")
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------- redis
REDIS_PID=
REDIS_URL=
REDIS_PORT=
start_redis() {
    local port=${1:-16379}
    while ! port_free "$port"; do port=$((port + 1)); done
    REDIS_PORT=$port
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
        >"$OUT/redis.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    local tries=0
    until ! port_free "$port"; do
        tries=$((tries + 1))
        [ $tries -lt 100 ] || { log "redis-server did not start"; cat "$OUT/redis.log" >&2; exit 1; }
        sleep 0.1
    done
    REDIS_URL="redis://127.0.0.1:$port/"
}

# ---------------------------------------------------------------- one row
RUN_ID=$(date +%s)
ROW_INDEX=0
DIRS=()

# What happens to Redis during the next row: "" (nothing), "freeze" or "down".
FAULT=

# Freezes Redis, or kills it, FAULT_AT s from now, for FAULT_FOR s; writes the pid of the
# Redis that runs afterwards to $1.
inject_fault() {
    local pid_file=$1
    sleep "$FAULT_AT"
    if [ "$FAULT" = freeze ]; then
        kill -STOP "$REDIS_PID"
        log "  redis frozen for $FAULT_FOR s"
        sleep "$FAULT_FOR"
        kill -CONT "$REDIS_PID"
        echo "$REDIS_PID" >"$pid_file"
    else
        kill "$REDIS_PID"
        local tries=0
        until port_free "$REDIS_PORT"; do
            tries=$((tries + 1))
            [ $tries -lt 100 ] || { log "redis-server did not stop"; exit 1; }
            sleep 0.05
        done
        log "  redis down for $FAULT_FOR s"
        sleep "$FAULT_FOR"
        start_redis "$REDIS_PORT"
        echo "$REDIS_PID" >"$pid_file"
    fi
}

# run_row NAME CASE CLIENT_LABEL GOAL PROCESSES CLIENT [fleet options...]
run_row() {
    local name=$1 case=$2 label=$3 goal=$4 processes=$5 client=$6
    shift 6
    local dir="$OUT/$name"
    mkdir -p "$dir"
    printf '%s\t%s\t%s\n' "$case" "$label" "$goal" >"$dir/row"
    ROW_INDEX=$((ROW_INDEX + 1))

    : >"$dir/mock.log"
    "$MOCK" --port 0 --rate-limit --time-scale "$SCALE" >"$dir/mock.log" 2>&1 &
    local mock=$!
    PIDS+=("$mock")
    local tries=0
    until grep -q listening "$dir/mock.log"; do
        tries=$((tries + 1))
        [ $tries -lt 100 ] || { log "the mock did not start"; cat "$dir/mock.log" >&2; exit 1; }
        sleep 0.1
    done
    local url
    url=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$dir/mock.log")

    local per=$((WAITERS / processes))
    local start_at=$(($(date +%s%3N) + 1500))
    local started=$SECONDS
    log "row $name: $case, $label ($processes x $per waiters)"
    local fleet_pids=() p
    for p in $(seq 1 "$processes"); do
        "$FLEET" run --url "$url" --scale "$SCALE" --client "$client" --waiters "$per" \
            --first-droplet $((RUN_ID * 1000 + ROW_INDEX * 100 + p * per)) \
            --seconds "$ACTION_SECONDS" --poll-seconds "$POLL" --start-at-ms "$start_at" \
            "$@" >"$dir/p$p.out" 2>"$dir/p$p.err" &
        fleet_pids+=($!)
        PIDS+=($!)
    done
    local injector=
    if [ -n "$FAULT" ]; then
        inject_fault "$dir/redis.pid" &
        injector=$!
        PIDS+=("$injector")
    fi
    local failed=0 pid
    for pid in "${fleet_pids[@]}"; do
        wait "$pid" || failed=1
        forget "$pid"
    done
    if [ -n "$injector" ]; then
        wait "$injector" || failed=1
        forget "$injector"
        forget "$REDIS_PID"
        REDIS_PID=$(cat "$dir/redis.pid")
        PIDS+=("$REDIS_PID")
    fi
    curl -sf "$url/__mock/stats" >"$dir/stats.json" || echo '{}' >"$dir/stats.json"
    kill "$mock"
    wait "$mock" || true
    forget "$mock"
    if [ $failed -ne 0 ]; then
        log "row $name: a process failed:"
        cat "$dir"/p*.err >&2
        exit 1
    fi
    log "row $name: $((SECONDS - started)) s"
    DIRS+=("$dir")
}

for row in $ROWS; do
    case $row in
    1n) run_row 1n "1. one process" "naive, 64 threads" - 1 naive ;;
    1t) run_row 1t "1. one process" "64 threads, LocalBudget" zero+bound 1 threads ;;
    1m) run_row 1m "1. one process" "one wait_for_droplet_actions, LocalBudget" zero+bound 1 many ;;
    2n) run_row 2n "2. four processes" "naive, 16 threads each" - 4 naive ;;
    2t) run_row 2t "2. four processes" "16 threads each, own LocalBudget" share+fair 4 threads ;;
    3r | 3s | 3f | 3d)
        [ -n "$REDIS_PID" ] || start_redis
        if [ "$row" = 3f ] || [ "$row" = 3d ]; then
            if [ "$row" = 3f ]; then FAULT=freeze; else FAULT=down; fi
            run_row "$row" "3. four processes" \
                "RedisBudget + $SPREAD_PER_MINUTE/min, Redis $FAULT ${FAULT_FOR} s" zero 4 redis \
                --redis "$REDIS_URL" --redis-prefix "fleet:$RUN_ID:$row" \
                --spread-per-minute "$SPREAD_PER_MINUTE"
            FAULT=
        elif [ "$row" = 3r ]; then
            run_row 3r "3. four processes" "16 threads each, RedisBudget 250/min + 5000/h" zero \
                4 redis --redis "$REDIS_URL" --redis-prefix "fleet:$RUN_ID:3r"
        else
            run_row 3s "3. four processes" \
                "16 threads each, RedisBudget + $SPREAD_PER_MINUTE/min" zero 4 redis \
                --redis "$REDIS_URL" --redis-prefix "fleet:$RUN_ID:3s" \
                --spread-per-minute "$SPREAD_PER_MINUTE"
        fi
        ;;
    *)
        log "unknown row $row"
        exit 2
        ;;
    esac
done

"$FLEET" report --scale "$SCALE" --seconds "$ACTION_SECONDS" --waiters "$WAITERS" \
    --poll-seconds "$POLL" "${DIRS[@]}" | tee "$OUT/table.md"
