#!/usr/bin/env bash
# The speed benchmark: every client against the same nginx on 127.0.0.1, in one run.
#
#   bash benches/run.sh                  # everything
#   bash benches/run.sh --python-only    # wrk and the Python clients only
#
# Installs what is missing (nginx, wrk, strace, libcurl and cJSON headers, from the
# distribution), builds in release mode, serves the documented example from nginx with
# keep-alive, then measures, unpinned and with server and client pinned to one CPU:
#   - the loopback limit: wrk -t1 -c1 on the documented URL;
#   - N sequential calls on one kept-alive connection, each answer's id checked, by
#     the Rust client, a C program through droplet_action_get, a bare ureq GET (the floor
#     of the stack) and a C program on libcurl + cJSON (what a C programmer writes);
#   - system calls per call (strace -c -f, N=2000 minus N=1);
#   - a whole process making one call, start-up included (the two C programs);
#   - the Python clients, each in a virtual environment under OUT: this project's package
#     (the wheel of bindings/python, built here), pydo (DigitalOcean's official client) and
#     requests by hand, PY_N sequential calls each, and one-call processes, import included;
# and prints one table per mode with medians of REPS runs. Leaves no process behind.
#
# Settings (environment): N (calls per run, default 20000), REPS (runs per client and
# mode, default 5), WRK_SECS (seconds per wrk run, default 3), SPAWNS (one-call processes
# timed, default 200), CPU (the CPU of the pinned run, default 0), PORT (default: the first
# free one from 18431), OUT (where logs and raw numbers go, default target/bench-run),
# PY_N (calls per Python run, default 2000), PY_SPAWNS (one-call Python processes timed,
# default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

PYTHON_ONLY=0
for arg in "$@"; do
    case $arg in
    --python-only) PYTHON_ONLY=1 ;;
    *)
        echo "usage: bash benches/run.sh [--python-only]" >&2
        exit 2
        ;;
    esac
done

N=${N:-20000}
REPS=${REPS:-5}
WRK_SECS=${WRK_SECS:-3}
SPAWNS=${SPAWNS:-200}
CPU=${CPU:-0}
OUT=${OUT:-$ROOT/target/bench-run}
PY_N=${PY_N:-2000}
PY_SPAWNS=${PY_SPAWNS:-20}
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
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
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
CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -Ibenches/c)
# The C program links the static library, as an application that ships one binary would.
cc "${CFLAGS[@]}" benches/c/ffi_client.c target/release/libdroplet_action.a \
    -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$BIN/ffi_client"
cc "${CFLAGS[@]}" benches/c/curl_cjson_client.c -lcurl -lcjson -o "$BIN/curl_cjson_client"
cc "${CFLAGS[@]}" benches/c/spawn_timer.c -o "$BIN/spawn_timer"

# ---------------------------------------------------------------- the Python clients
# One virtual environment per client, so that each one-call process imports and scans
# only what its client needs.
log "Python: this project's wheel, pydo and requests in virtual environments under $OUT"
PY_CLIENTS=(py_da py_pydo py_requests)
declare -A PY_KIND=([py_da]=droplet_action [py_pydo]=pydo [py_requests]=requests)
declare -A PY_PACKAGES=([py_da]="" [py_pydo]=pydo [py_requests]=requests)
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
mkdir -p "$WORK/www/v2/droplets/$DROPLET/actions" "$WORK/tmp"
cp crates/model/src/documented_action.json "$WORK/www/v2/droplets/$DROPLET/actions/$ACTION"
sed -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$PORT|g" benches/nginx.conf.in >"$WORK/nginx.conf"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" &
NGINX_PID=$!
for _ in $(seq 100); do
    port_free "$PORT" || break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/error.log" >&2; exit 1; }
    sleep 0.05
done
BASE="http://127.0.0.1:$PORT"
URL="$BASE/v2/droplets/$DROPLET/actions/$ACTION"
log "nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') on $BASE (pid $NGINX_PID)"

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
CLIENTS=(rust ffi bare curl)
[ "$PYTHON_ONLY" = 0 ] || CLIENTS=()
declare -A LABEL=(
    [rust]="Rust client, get_droplet_action"
    [ffi]="C, droplet_action_get"
    [bare]="bare ureq GET, no parse (floor)"
    [curl]="C, libcurl + cJSON (by hand)"
    [py_da]="Python, droplet_action.Client.get"
    [py_pydo]="Python, pydo (official client)"
    [py_requests]="Python, requests + json() (by hand)"
)
declare -A CMD=(
    [rust]="$RUST_CLIENT"
    [ffi]="$BIN/ffi_client"
    [bare]="$BARE_UREQ"
    [curl]="$BIN/curl_cjson_client"
)
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

run_wrk() {
    local mode=$1 rate
    rate=$(pin "$mode" wrk -t1 -c1 -d"${WRK_SECS}s" -H "Authorization: Bearer $TOKEN" \
        -H "Accept: application/json" "$URL" | awk '/^Requests\/sec:/ {print $2}')
    record "$mode" wrk rate "$rate"
}
run_client() {
    local mode=$1 client=$2 line wall
    line=$(pin "$mode" "${CMD[$client]}" "$BASE" "$N")
    wall=$(field wall_s <<<"$line")
    record "$mode" "$client" rate "$(awk -v n="$N" -v w="$wall" 'BEGIN {printf "%.1f", n / w}')"
    record "$mode" "$client" cpu "$(field cpu_us_per_call <<<"$line")"
    record "$mode" "$client" rss "$(field maxrss_kib <<<"$line")"
}
count_syscalls() {
    local client=$1 calls=$2
    pin pinned strace -f -c -o "$WORK/strace.txt" "${CMD[$client]}" "$BASE" "$calls" >/dev/null
    cp "$WORK/strace.txt" "$OUT/strace-$client-$calls.txt"
    awk '$NF == "total" {print $4}' "$WORK/strace.txt"
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

for mode in unpinned pinned; do
    set_server_affinity "$mode"
    log "$mode: $REPS rounds of wrk (${WRK_SECS}s) and $N calls per client"
    # Warm-up: the server's file cache and the page cache.
    pin "$mode" "$BIN/ffi_client" "$BASE" 2000 >/dev/null
    for rep in $(seq "$REPS"); do
        run_wrk "$mode"
        for client in "${CLIENTS[@]}"; do run_client "$mode" "$client"; done
        for client in "${PY_CLIENTS[@]}"; do run_py_client "$mode" "$client"; done
        log "  round $rep/$REPS done"
    done
    log "$mode: $SPAWNS one-call processes per C program, $PY_SPAWNS per Python client"
    run_spawns "$mode" true /bin/true
    if [ "$PYTHON_ONLY" = 0 ]; then
        run_spawns "$mode" ffi "$BIN/ffi_client" "$BASE" 1
        run_spawns "$mode" curl "$BIN/curl_cjson_client" "$BASE" 1
    fi
    line=$(pin "$mode" "$BIN/spawn_timer" "$PY_SPAWNS" "$OUT/venv-py_da/bin/python" -c pass)
    record "$mode" py_bare spawn_ms "$(field median_ms <<<"$line")"
    for client in "${PY_CLIENTS[@]}"; do run_py_spawns "$mode" "$client"; done
done

if [ "$PYTHON_ONLY" = 0 ]; then
    log "pinned: system calls per call (strace -c -f, N=$STRACE_N minus N=1)"
    set_server_affinity pinned
    for client in "${CLIENTS[@]}"; do
        many=$(count_syscalls "$client" "$STRACE_N")
        one=$(count_syscalls "$client" 1)
        record all "$client" syscalls "$(awk -v a="$many" -v b="$one" -v n="$STRACE_N" \
            'BEGIN {printf "%.1f", (a - b) / (n - 1)}')"
    done
    log "pinned: peak RSS of the C program against N"
    for calls in 1 2000 "$N" $((5 * N)); do
        rss=$(pin pinned "$BIN/ffi_client" "$BASE" "$calls" | field maxrss_kib)
        record all ffi "rss_n$calls" "$rss"
    done
fi

# ---------------------------------------------------------------- the table
med() { values "$1" "$2" "$3" | median; }
cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r)"
if [ "$PYTHON_ONLY" = 0 ]; then
    echo "N=$N sequential calls per run on one kept-alive connection; medians of $REPS runs;"
    echo "wrk -t1 -c1 for ${WRK_SECS}s; syscalls: strace -c -f, N=$STRACE_N minus N=1, pinned"
fi
echo "Python: PY_N=$PY_N sequential calls per run, medians of $REPS runs; $PY_VERSIONS"
for mode in unpinned pinned; do
    limit=$(med "$mode" wrk rate)
    echo
    if [ "$mode" = pinned ]; then
        echo "pinned: nginx and the client on CPU $CPU"
    else
        echo "unpinned: nginx and the client free to run on any of the $(nproc) CPUs"
    fi
    if [ "$PYTHON_ONLY" = 0 ]; then
        printf '| %-34s | %9s | %6s | %11s | %13s | %13s |\n' \
            client calls/s "of wrk" "CPU us/call" "syscalls/call" "peak RSS KiB"
        printf '|%s|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "-----------:" \
            "-------:" "------------:" "--------------:" "--------------:"
        printf '| %-34s | %9.0f | %6.2f | %11s | %13s | %13s |\n' \
            "wrk -t1 -c1 (the loopback limit)" "$limit" 1 - - -
        for client in "${CLIENTS[@]}"; do
            rate=$(med "$mode" "$client" rate)
            printf '| %-34s | %9.0f | %6.2f | %11.1f | %13s | %13s |\n' "${LABEL[$client]}" \
                "$rate" "$(awk -v r="$rate" -v l="$limit" 'BEGIN {print r / l}')" \
                "$(med "$mode" "$client" cpu)" "$(med all "$client" syscalls)" \
                "$(med "$mode" "$client" rss)"
        done
        ffi=$(med "$mode" ffi rate)
        curl=$(med "$mode" curl rate)
        rust=$(med "$mode" rust rate)
        bare=$(med "$mode" bare rate)
        echo
        awk -v f="$ffi" -v c="$curl" -v r="$rust" -v b="$bare" 'BEGIN {
            printf "C through droplet_action_get / libcurl + cJSON: %.2fx\n", f / c
            printf "Rust client / bare ureq floor: %.3f\n", r / b
        }'
        printf 'one-call process, spawn to exit (median of %s): C through droplet_action_get %.2f ms, libcurl + cJSON %.2f ms, /bin/true %.2f ms\n' \
            "$SPAWNS" "$(med "$mode" ffi spawn_ms)" "$(med "$mode" curl spawn_ms)" \
            "$(med "$mode" true spawn_ms)"
        echo
    fi
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
    printf 'peak RSS of the C program through droplet_action_get, pinned: N=1 %s KiB, N=2000 %s KiB, N=%s %s KiB, N=%s %s KiB\n' \
        "$(med all ffi rss_n1)" "$(med all ffi rss_n2000)" "$N" "$(med all ffi "rss_n$N")" \
        $((5 * N)) "$(med all ffi "rss_n$((5 * N))")"
fi
log "raw numbers and strace summaries: $OUT"
