#!/usr/bin/env bash
# The speed benchmark: every client against the same nginx on 127.0.0.1, in one run.
#
#   bash benches/run.sh                  # everything
#   bash benches/run.sh --no-python      # everything but the Python clients
#   bash benches/run.sh --python-only    # wrk and the Python clients only
#   BASELINE_REV=c970c96 bash benches/run.sh   # also the C program on an earlier library
#
# Installs what is missing (nginx, wrk, strace, libcurl and cJSON headers, from the
# distribution), builds in release mode, serves the documented example from nginx with
# keep-alive, then measures, unpinned and with server and client pinned to one CPU:
#   - the loopback limit: wrk -t1 -c1 on the documented URL;
#   - N sequential calls on one kept-alive connection, each answer's id checked, by
#     the Rust client, a C program through droplet_action_get, the same program with every
#     per-call feature on (a request budget that never binds, a cancel token, a log
#     callback that logs nothing), a bare ureq GET (the floor of the stack) and a C program
#     on libcurl + cJSON (what a C programmer writes); with BASELINE_REV, also the C program
#     linked against the library of that git revision, built in a scratch worktree under
#     target/ (the cost of what was added since, in the same run);
#   - the CPU time per call of the client and of nginx (from /proc/PID/schedstat), which
#     the load of other processes on the machine does not change the way it changes rates;
#   - system calls per call (strace -c -f, N=2000 minus N=1), and by name for the C program
#     with and without the features;
#   - unpinned only: T threads sharing one client, N_THREADS calls in all, beside
#     wrk -t2 -cT, for each T of THREADS, and the connections each opened (strace);
#   - a whole process making one call, start-up included (the C programs);
#   - the Python clients, each in a virtual environment under OUT: this project's package
#     (the wheel of bindings/python, built here), pydo (DigitalOcean's official client) and
#     requests by hand, PY_N sequential calls each, and one-call processes, import included;
# and prints one table per mode with medians of REPS runs. Leaves no process behind.
#
# Settings (environment): N (calls per run, default 20000), REPS (runs per client and
# mode, default 5), WRK_SECS (seconds per wrk run, default 3), SPAWNS (one-call processes
# timed, default 200), CPU (the CPU of the pinned run, default 0), PORT (default: the first
# free one from 18431; the next free one serves the features run), OUT (where logs and raw
# numbers go, default target/bench-run), THREADS (thread counts, default "8 32"),
# N_THREADS (calls per threaded run, default 40000), BASELINE_REV (a git revision to
# measure the C program against, default none), PY_N (calls per Python run, default
# 2000), PY_SPAWNS (one-call Python processes timed, default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PYTHON_ONLY=0
PYTHON=1
for arg in "$@"; do
    case $arg in
    --python-only) PYTHON_ONLY=1 ;;
    --no-python) PYTHON=0 ;;
    *)
        echo "usage: bash benches/run.sh [--python-only | --no-python]" >&2
        exit 2
        ;;
    esac
done
if [ "$PYTHON_ONLY" = 1 ] && [ "$PYTHON" = 0 ]; then
    echo "--python-only and --no-python exclude each other" >&2
    exit 2
fi

N=${N:-20000}
REPS=${REPS:-5}
WRK_SECS=${WRK_SECS:-3}
SPAWNS=${SPAWNS:-200}
CPU=${CPU:-0}
OUT=${OUT:-$ROOT/target/bench-run}
PY_N=${PY_N:-2000}
PY_SPAWNS=${PY_SPAWNS:-20}
THREADS=${THREADS:-8 32}
N_THREADS=${N_THREADS:-40000}
BASELINE_REV=${BASELINE_REV:-}
STRACE_N=2000
DROPLET=3164444
ACTION=36804636
TOKEN=mock-token

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- what the run needs
missing=()
have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
have_cmd nginx || missing+=(nginx)
have_cmd wrk || missing+=(wrk)
have_cmd strace || missing+=(strace)
have_cmd taskset || missing+=(util-linux)
have_cmd cc || missing+=(gcc)
[ "$PYTHON" = 0 ] || python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
[ -e /usr/include/cjson/cJSON.h ] || missing+=(libcjson-dev)
[ -e /usr/include/curl/curl.h ] || [ -e "/usr/include/$(uname -m)-linux-gnu/curl/curl.h" ] ||
    missing+=(libcurl4-openssl-dev)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    SUDO=
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# ---------------------------------------------------------------- build (release)
mkdir -p "$OUT"
BIN="$OUT/bin"
mkdir -p "$BIN"
log "building (release)"
cargo build --release --quiet -p droplet-action-ffi --lib
bench_exe() {
    cargo bench --no-run --quiet -p droplet-action-transport --bench "$1" \
        --message-format=json 2>/dev/null |
        grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4
}
RUST_CLIENT=
BARE_UREQ=
if [ "$PYTHON_ONLY" = 0 ]; then
    RUST_CLIENT=$(bench_exe loop_client)
    BARE_UREQ=$(bench_exe bare_ureq)
fi
CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Ibenches/c)
SYSLIBS=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)
# The C programs link the static library, as an application that ships one binary would.
for program in ffi_client ffi_features_client ffi_threads_client; do
    cc "${CFLAGS[@]}" -Iinclude "benches/c/$program.c" target/release/libdroplet_action.a \
        "${SYSLIBS[@]}" -o "$BIN/$program"
done
cc "${CFLAGS[@]}" benches/c/curl_cjson_client.c -lcurl -lcjson -o "$BIN/curl_cjson_client"
cc "${CFLAGS[@]}" benches/c/spawn_timer.c -o "$BIN/spawn_timer"

# The library as it was at BASELINE_REV, in a worktree of its own under target/ (kept
# between runs, so that only the first run builds it), with the same C program.
BASELINE=
if [ -n "$BASELINE_REV" ] && [ "$PYTHON_ONLY" = 0 ]; then
    BASELINE=$(git rev-parse --short "$BASELINE_REV^{commit}")
    tree="$ROOT/target/baseline-$BASELINE"
    if [ ! -e "$tree/.git" ]; then
        log "baseline: a worktree of $BASELINE in $tree"
        git worktree add --detach "$tree" "$BASELINE" >/dev/null 2>&1
    fi
    log "baseline: building the library of $BASELINE (release)"
    (cd "$tree" && cargo build --release --quiet -p droplet-action-ffi --lib)
    cc "${CFLAGS[@]}" -I"$tree/include" benches/c/ffi_client.c \
        "$tree/target/release/libdroplet_action.a" "${SYSLIBS[@]}" -o "$BIN/ffi_client_baseline"
fi

# ---------------------------------------------------------------- the Python clients
# One virtual environment per client, so that each one-call process imports and scans
# only what its client needs.
PY_CLIENTS=(py_da py_pydo py_requests)
[ "$PYTHON" = 1 ] || PY_CLIENTS=()
declare -A PY_KIND=([py_da]=droplet_action [py_pydo]=pydo [py_requests]=requests)
declare -A PY_PACKAGES=([py_da]="" [py_pydo]=pydo [py_requests]=requests)
PY_VERSIONS=
if [ "$PYTHON" = 1 ]; then
    log "Python: this project's wheel, pydo and requests in virtual environments under $OUT"
    PY_WHEEL_DIR="$OUT/wheel"
    rm -rf "$PY_WHEEL_DIR" bindings/python/build
    python3 -m venv "$OUT/venv-build"
    "$OUT/venv-build/bin/python" -m pip install -q --disable-pip-version-check build
    DROPLET_ACTION_LIB="$ROOT/target/release/libdroplet_action.so" "$OUT/venv-build/bin/python" \
        -m build --wheel --outdir "$PY_WHEEL_DIR" bindings/python >"$OUT/wheel-build.log" 2>&1 ||
        { cat "$OUT/wheel-build.log" >&2; exit 1; }
    for client in "${PY_CLIENTS[@]}"; do
        venv="$OUT/venv-$client"
        [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
        if [ "$client" = py_da ]; then
            "$venv/bin/python" -m pip install -q --disable-pip-version-check --force-reinstall \
                "$PY_WHEEL_DIR"/droplet_action-*.whl
        else
            "$venv/bin/python" -m pip install -q --disable-pip-version-check "${PY_PACKAGES[$client]}"
        fi
    done
    PY_VERSIONS="$("$OUT/venv-py_da/bin/python" -c 'import platform; print("Python", platform.python_version())'), $(
        "$OUT/venv-py_pydo/bin/python" -m pip list --disable-pip-version-check 2>/dev/null |
            awk '$1 == "pydo" || $1 == "azure-core" {printf "%s %s, ", $1, $2}')$(
        "$OUT/venv-py_requests/bin/python" -m pip list --disable-pip-version-check 2>/dev/null |
            awk '$1 == "requests" || $1 == "urllib3" {printf "%s %s, ", $1, $2}')"
    PY_VERSIONS=${PY_VERSIONS%, }
fi

# ---------------------------------------------------------------- the server
WORK=$(mktemp -d "${TMPDIR:-/tmp}/droplet-bench.XXXXXX")
NGINX_PID=
cleanup() {
    local status=$?
    if [ -n "$NGINX_PID" ] && kill -0 "$NGINX_PID" 2>/dev/null; then
        kill "$NGINX_PID" 2>/dev/null || true
        wait "$NGINX_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then
    PORT=18431
    while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
fi
# The second port: the same answers with a rate limit that never binds (nginx.conf.in).
PORT2=$((PORT + 1))
while ! port_free "$PORT2"; do PORT2=$((PORT2 + 1)); done
mkdir -p "$WORK/www/v2/droplets/$DROPLET/actions" "$WORK/tmp"
cp crates/model/src/documented_action.json "$WORK/www/v2/droplets/$DROPLET/actions/$ACTION"
sed -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$PORT|g" -e "s|@PORT2@|$PORT2|g" benches/nginx.conf.in \
    >"$WORK/nginx.conf"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" &
NGINX_PID=$!
for _ in $(seq 100); do
    port_free "$PORT" || port_free "$PORT2" || break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/error.log" >&2; exit 1; }
    sleep 0.05
done
BASE="http://127.0.0.1:$PORT"
BASE2="http://127.0.0.1:$PORT2"
URL="$BASE/v2/droplets/$DROPLET/actions/$ACTION"
log "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') on $BASE and $BASE2 (pid $NGINX_PID)"

# The server answers as it should: the example, and a 404 error body for another id.
"$BIN/ffi_client" "$BASE" 1 >/dev/null
if "$BIN/ffi_client" "$BASE" 1 1 1 2>"$WORK/404.txt" >/dev/null ||
    ! grep -q not_found "$WORK/404.txt"; then
    log "nginx does not answer 404 not_found for other ids"
    exit 1
fi
# Each Python client gets the documented action from it.
for client in "${PY_CLIENTS[@]}"; do
    "$OUT/venv-$client/bin/python" benches/python/client.py "${PY_KIND[$client]}" "$BASE" 1 >/dev/null
done

# ---------------------------------------------------------------- measuring
CLIENTS=(rust ffi feat)
[ -z "$BASELINE" ] || CLIENTS+=(base)
CLIENTS+=(bare curl)
[ "$PYTHON_ONLY" = 0 ] || CLIENTS=()
declare -A LABEL=(
    [rust]="Rust client, get_droplet_action"
    [ffi]="C, droplet_action_get"
    [feat]="C, features on (budget, cancel, log)"
    [base]="C, droplet_action_get at $BASELINE"
    [bare]="bare ureq GET, no parse (floor)"
    [curl]="C, libcurl + cJSON (by hand)"
    [py_da]="Python, droplet_action.Client.get"
    [py_pydo]="Python, pydo (official client)"
    [py_requests]="Python, requests + json() (by hand)"
)
declare -A CMD=(
    [rust]="$RUST_CLIENT"
    [ffi]="$BIN/ffi_client"
    [feat]="$BIN/ffi_features_client"
    [base]="$BIN/ffi_client_baseline"
    [bare]="$BARE_UREQ"
    [curl]="$BIN/curl_cjson_client"
)
# The features run talks to the second port, whose rate limit never binds.
declare -A TARGET=([rust]=$BASE [ffi]=$BASE [feat]=$BASE2 [base]=$BASE [bare]=$BASE [curl]=$BASE)
RAW="$OUT/raw.txt"
: >"$RAW"

# pin MODE COMMAND...: runs a command pinned to $CPU in the pinned mode.
pin() {
    local mode=$1
    shift
    if [ "$mode" = pinned ]; then taskset -c "$CPU" "$@"; else "$@"; fi
}
set_server_affinity() {
    if [ "$1" = pinned ]; then
        taskset -pc "$CPU" "$NGINX_PID" >/dev/null
    else
        taskset -pc "0-$(($(nproc) - 1))" "$NGINX_PID" >/dev/null
    fi
}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
record() { echo "$1 $2 $3 $4" >>"$RAW"; } # mode client metric value
values() { awk -v m="$1" -v c="$2" -v k="$3" '$1 == m && $2 == c && $3 == k {print $4}' "$RAW"; }
# The CPU time nginx has used, in nanoseconds (all its threads).
server_ns() { cat /proc/"$NGINX_PID"/task/*/schedstat | awk '{t += $1} END {printf "%.0f", t}'; }
per_call_us() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN {printf "%.2f", (b - a) / n / 1000}'; }

# run_wrk MODE NAME THREADS CONNECTIONS: records the rate, wrk's own CPU per request (user +
# system, from the shell's children times) and nginx's.
run_wrk() {
    local mode=$1 name=$2 threads=$3 connections=$4 before after requests cpu
    before=$(server_ns)
    (
        pin "$mode" wrk -t"$threads" -c"$connections" -d"${WRK_SECS}s" \
            -H "Authorization: Bearer $TOKEN" -H "Accept: application/json" "$URL" >"$WORK/wrk.txt"
        times >"$WORK/times.txt"
    )
    after=$(server_ns)
    requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
    cpu=$(tail -n 1 "$WORK/times.txt" | tr 'ms' '  ' |
        awk -v n="$requests" '{printf "%.2f", (($1 * 60 + $2) + ($3 * 60 + $4)) * 1e6 / n}')
    record "$mode" "$name" rate "$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")"
    record "$mode" "$name" cpu "$cpu"
    record "$mode" "$name" server "$(per_call_us "$before" "$after" "$requests")"
}
# run_measured MODE NAME CALLS COMMAND...: one run of a program that prints the line of
# bench_common.h.
run_measured() {
    local mode=$1 name=$2 calls=$3 line wall before after
    shift 3
    before=$(server_ns)
    line=$(pin "$mode" "$@")
    after=$(server_ns)
    wall=$(field wall_s <<<"$line")
    record "$mode" "$name" rate "$(awk -v n="$calls" -v w="$wall" 'BEGIN {printf "%.1f", n / w}')"
    record "$mode" "$name" cpu "$(field cpu_us_per_call <<<"$line")"
    record "$mode" "$name" rss "$(field maxrss_kib <<<"$line")"
    record "$mode" "$name" server "$(per_call_us "$before" "$after" "$calls")"
}
run_client() {
    run_measured "$1" "$2" "$N" "${CMD[$2]}" "${TARGET[$2]}" "$N"
}
# strace_calls CLIENT CALLS: the system calls of one run, `strace -c -f`, pinned.
strace_calls() {
    local client=$1 calls=$2
    pin pinned strace -f -c -o "$OUT/strace-$client-$calls.txt" "${CMD[$client]}" \
        "${TARGET[$client]}" "$calls" >/dev/null
}
total_syscalls() { awk '$NF == "total" {print $4}' "$1"; }
# What one call adds, by name: "sendto 1.0, recvfrom 2.0 (1.0 failed), ...".
syscalls_by_name() {
    awk -v n="$STRACE_N" '
        function add(file_index, name, calls, errors) { c[file_index, name] = calls; e[file_index, name] = errors; names[name] = 1 }
        FNR == 1 { f++ }
        $1 ~ /^[0-9.]+$/ && $NF != "total" { add(f, $NF, $4, NF == 6 ? $5 : 0) }
        END {
            for (name in names) {
                per = (c[1, name] - c[2, name]) / (n - 1)
                failed = (e[1, name] - e[2, name]) / (n - 1)
                if (per >= 0.05) {
                    text = sprintf("%s %.1f", name, per)
                    if (failed >= 0.05) text = text sprintf(" (%.1f failed)", failed)
                    out = out (out == "" ? "" : ", ") text
                }
            }
            print out == "" ? "none" : out
        }' "$1" "$2"
}
run_spawns() {
    local mode=$1 name=$2
    shift 2
    local line
    line=$(pin "$mode" "$BIN/spawn_timer" "$SPAWNS" "$@")
    record "$mode" "$name" spawn_ms "$(field median_ms <<<"$line")"
}
run_py_client() {
    local mode=$1 client=$2 line wall
    line=$(pin "$mode" "$OUT/venv-$client/bin/python" benches/python/client.py \
        "${PY_KIND[$client]}" "$BASE" "$PY_N")
    wall=$(field wall_s <<<"$line")
    record "$mode" "$client" rate "$(awk -v n="$PY_N" -v w="$wall" 'BEGIN {printf "%.1f", n / w}')"
    record "$mode" "$client" cpu "$(field cpu_us_per_call <<<"$line")"
    record "$mode" "$client" rss "$(field maxrss_kib <<<"$line")"
}
run_py_spawns() {
    local mode=$1 client=$2 python line
    python="$OUT/venv-$client/bin/python"
    line=$(pin "$mode" "$BIN/spawn_timer" "$PY_SPAWNS" "$python" benches/python/client.py \
        "${PY_KIND[$client]}" "$BASE" 1)
    record "$mode" "$client" spawn_ms "$(field median_ms <<<"$line")"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for mode in unpinned pinned; do
    set_server_affinity "$mode"
    log "$mode: $REPS rounds of wrk (${WRK_SECS}s) and $N calls per client"
    # Warm-up: the server's file cache and the page cache.
    pin "$mode" "$BIN/ffi_client" "$BASE" 2000 >/dev/null
    for rep in $(seq "$REPS"); do
        run_wrk "$mode" wrk 1 1
        for client in "${CLIENTS[@]}"; do run_client "$mode" "$client"; done
        for client in "${PY_CLIENTS[@]}"; do run_py_client "$mode" "$client"; done
        log "  round $rep/$REPS done"
    done
    log "$mode: $SPAWNS one-call processes per C program, $PY_SPAWNS per Python client"
    run_spawns "$mode" true /bin/true
    if [ "$PYTHON_ONLY" = 0 ]; then
        run_spawns "$mode" ffi "$BIN/ffi_client" "$BASE" 1
        [ -z "$BASELINE" ] || run_spawns "$mode" base "$BIN/ffi_client_baseline" "$BASE" 1
        run_spawns "$mode" curl "$BIN/curl_cjson_client" "$BASE" 1
    fi
    if [ "$PYTHON" = 1 ]; then
        line=$(pin "$mode" "$BIN/spawn_timer" "$PY_SPAWNS" "$OUT/venv-py_da/bin/python" -c pass)
        record "$mode" py_bare spawn_ms "$(field median_ms <<<"$line")"
        for client in "${PY_CLIENTS[@]}"; do run_py_spawns "$mode" "$client"; done
    fi
done

if [ "$PYTHON_ONLY" = 0 ]; then
    set_server_affinity unpinned
    log "unpinned: threads sharing one client ($THREADS), $N_THREADS calls per run, beside wrk -t2"
    for rep in $(seq "$REPS"); do
        for threads in $THREADS; do
            run_wrk unpinned "wrk_t$threads" 2 "$threads"
            run_measured unpinned "threads_t$threads" "$N_THREADS" \
                "$BIN/ffi_threads_client" "$BASE" "$N_THREADS" "$threads"
        done
        log "  round $rep/$REPS done"
    done
    for threads in $THREADS; do
        strace -f -e trace=connect -o "$OUT/connect-threads-$threads.txt" \
            "$BIN/ffi_threads_client" "$BASE" $((threads * 200)) "$threads" >/dev/null
        record all "threads_t$threads" connects \
            "$(grep -c "sin_port=htons($PORT)" "$OUT/connect-threads-$threads.txt")"
    done

    log "pinned: system calls per call (strace -c -f, N=$STRACE_N minus N=1)"
    set_server_affinity pinned
    for client in "${CLIENTS[@]}"; do
        strace_calls "$client" "$STRACE_N"
        strace_calls "$client" 1
        record all "$client" syscalls "$(awk -v a="$(total_syscalls "$OUT/strace-$client-$STRACE_N.txt")" \
            -v b="$(total_syscalls "$OUT/strace-$client-1.txt")" -v n="$STRACE_N" \
            'BEGIN {printf "%.1f", (a - b) / (n - 1)}')"
    done
    log "pinned: peak RSS of the C programs against N"
    for calls in 1 2000 "$N" $((5 * N)); do
        for client in ffi feat; do
            rss=$(pin pinned "${CMD[$client]}" "${TARGET[$client]}" "$calls" | field maxrss_kib)
            record all "$client" "rss_n$calls" "$rss"
        done
    done
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- the tables
med() { values "$1" "$2" "$3" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.3f", a / b; else print "nan"}'; }
cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r)"
echo "load average (1, 5, 15 min): $LOAD_BEFORE before the runs, $LOAD_AFTER after"
if [ "$PYTHON_ONLY" = 0 ]; then
    echo "N=$N sequential calls per run on one kept-alive connection; medians of $REPS runs;"
    echo "wrk -t1 -c1 for ${WRK_SECS}s; syscalls: strace -c -f, N=$STRACE_N minus N=1, pinned;"
    echo "server us/call: nginx's CPU time per call; of wrk (CPU): wrk's CPU per request plus"
    echo "nginx's, over the client's plus nginx's (the cost ratio the load of the machine moves least)"
fi
[ "$PYTHON" = 0 ] ||
    echo "Python: PY_N=$PY_N sequential calls per run, medians of $REPS runs; $PY_VERSIONS"
for mode in unpinned pinned; do
    limit=$(med "$mode" wrk rate)
    limit_cost=$(awk -v c="$(med "$mode" wrk cpu)" -v s="$(med "$mode" wrk server)" 'BEGIN {print c + s}')
    echo
    if [ "$mode" = pinned ]; then
        echo "pinned: nginx and the client on CPU $CPU"
    else
        echo "unpinned: nginx and the client free to run on any of the $(nproc) CPUs"
    fi
    if [ "$PYTHON_ONLY" = 0 ]; then
        printf '| %-38s | %9s | %6s | %11s | %14s | %12s | %13s | %12s |\n' \
            client calls/s "of wrk" "CPU us/call" "server us/call" "of wrk (CPU)" \
            "syscalls/call" "peak RSS KiB"
        printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" "-----------:" \
            "-------:" "------------:" "---------------:" "-------------:" "--------------:" \
            "-------------:"
        printf '| %-38s | %9.0f | %6.2f | %11.1f | %14.1f | %12.2f | %13s | %12s |\n' \
            "wrk -t1 -c1 (the loopback limit)" "$limit" 1 "$(med "$mode" wrk cpu)" \
            "$(med "$mode" wrk server)" 1 - -
        for client in "${CLIENTS[@]}"; do
            rate=$(med "$mode" "$client" rate)
            cpu=$(med "$mode" "$client" cpu)
            server=$(med "$mode" "$client" server)
            printf '| %-38s | %9.0f | %6.2f | %11.1f | %14.1f | %12.2f | %13s | %12s |\n' \
                "${LABEL[$client]}" "$rate" "$(ratio "$rate" "$limit")" "$cpu" "$server" \
                "$(awk -v l="$limit_cost" -v c="$cpu" -v s="$server" 'BEGIN {print l / (c + s)}')" \
                "$(med all "$client" syscalls)" "$(med "$mode" "$client" rss)"
        done
        echo
        ffi=$(med "$mode" ffi rate)
        feat=$(med "$mode" feat rate)
        curl=$(med "$mode" curl rate)
        printf 'C through droplet_action_get / libcurl + cJSON: %.2fx; with the features on: %.2fx\n' \
            "$(ratio "$ffi" "$curl")" "$(ratio "$feat" "$curl")"
        printf 'features on / off: %s\n' "$(ratio "$feat" "$ffi")"
        if [ -n "$BASELINE" ]; then
            base=$(med "$mode" base rate)
            printf 'C through droplet_action_get, today / at %s: %s; with the features on / at %s: %s\n' \
                "$BASELINE" "$(ratio "$ffi" "$base")" "$BASELINE" "$(ratio "$feat" "$base")"
        fi
        printf 'Rust client / bare ureq floor: %s\n' \
            "$(ratio "$(med "$mode" rust rate)" "$(med "$mode" bare rate)")"
        printf 'one-call process, spawn to exit (median of %s): C through droplet_action_get %.2f ms' \
            "$SPAWNS" "$(med "$mode" ffi spawn_ms)"
        [ -z "$BASELINE" ] || printf ' (at %s %.2f ms)' "$BASELINE" "$(med "$mode" base spawn_ms)"
        printf ', libcurl + cJSON %.2f ms, /bin/true %.2f ms\n' \
            "$(med "$mode" curl spawn_ms)" "$(med "$mode" true spawn_ms)"
    fi
    [ "$PYTHON" = 1 ] || continue
    echo
    pydo_rate=$(med "$mode" py_pydo rate)
    printf '| %-36s | %9s | %6s | %7s | %11s | %12s | %14s |\n' \
        "Python client" calls/s "of wrk" "x pydo" "CPU us/call" "peak RSS KiB" "one-call ms"
    printf '|%s|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..38})" "-----------:" \
        "-------:" "--------:" "------------:" "-------------:" "---------------:"
    for client in "${PY_CLIENTS[@]}"; do
        rate=$(med "$mode" "$client" rate)
        printf '| %-36s | %9.0f | %6.3f | %7.2f | %11.1f | %12s | %14.1f |\n' \
            "${LABEL[$client]}" "$rate" "$(awk -v r="$rate" -v l="$limit" 'BEGIN {print r / l}')" \
            "$(awk -v r="$rate" -v p="$pydo_rate" 'BEGIN {print r / p}')" \
            "$(med "$mode" "$client" cpu)" "$(med "$mode" "$client" rss)" \
            "$(med "$mode" "$client" spawn_ms)"
    done
    printf '| %-36s | %9s | %6s | %7s | %11s | %12s | %14.1f |\n' \
        "python -c pass (start-up floor)" - - - - - "$(med "$mode" py_bare spawn_ms)"
    echo
    awk -v d="$(med "$mode" py_da rate)" -v p="$pydo_rate" \
        -v ds="$(med "$mode" py_da spawn_ms)" -v ps="$(med "$mode" py_pydo spawn_ms)" 'BEGIN {
        printf "droplet_action / pydo: %.1fx the calls per second; a one-call process in %.2f of the time\n", d / p, ds / ps
    }'
done
if [ "$PYTHON_ONLY" = 0 ]; then
    echo
    echo "unpinned: T threads sharing one client, $N_THREADS calls in all per run, beside wrk -t2 -cT"
    printf '| %7s | %11s | %11s | %6s | %15s | %15s | %16s | %11s |\n' threads "wrk calls/s" \
        "C calls/s" "of wrk" "C CPU us/call" "wrk CPU us/req" "server us (C/wrk)" "connections"
    printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "--------:" "------------:" "------------:" "-------:" \
        "----------------:" "----------------:" "-----------------:" "------------:"
    for threads in $THREADS; do
        wrk_rate=$(med unpinned "wrk_t$threads" rate)
        rate=$(med unpinned "threads_t$threads" rate)
        printf '| %7s | %11.0f | %11.0f | %6.2f | %15.1f | %15.1f | %16s | %11s |\n' "$threads" \
            "$wrk_rate" "$rate" "$(ratio "$rate" "$wrk_rate")" \
            "$(med unpinned "threads_t$threads" cpu)" "$(med unpinned "wrk_t$threads" cpu)" \
            "$(printf '%.1f / %.1f' "$(med unpinned "threads_t$threads" server)" \
                "$(med unpinned "wrk_t$threads" server)")" \
            "$(med all "threads_t$threads" connects)"
    done
    echo
    for client in ffi feat; do
        printf 'system calls per call, %s: %s; setsockopt in the whole run: %s at N=1, %s at N=%s\n' \
            "${LABEL[$client]}" \
            "$(syscalls_by_name "$OUT/strace-$client-$STRACE_N.txt" "$OUT/strace-$client-1.txt")" \
            "$(awk '$NF == "setsockopt" {print $4}' "$OUT/strace-$client-1.txt")" \
            "$(awk '$NF == "setsockopt" {print $4}' "$OUT/strace-$client-$STRACE_N.txt")" "$STRACE_N"
    done
    for client in ffi feat; do
        printf 'peak RSS of %s, pinned: N=1 %s KiB, N=2000 %s KiB, N=%s %s KiB, N=%s %s KiB\n' \
            "${LABEL[$client]}" "$(med all "$client" rss_n1)" "$(med all "$client" rss_n2000)" \
            "$N" "$(med all "$client" "rss_n$N")" $((5 * N)) "$(med all "$client" "rss_n$((5 * N))")"
    done
fi
log "raw numbers and strace summaries: $OUT"
