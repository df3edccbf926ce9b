#!/usr/bin/env bash
# The speed benchmark: every client against the same nginx on 127.0.0.1, in one run.
#
#   bash benches/run.sh
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
# and prints one table per mode with medians of REPS runs. Leaves no process behind.
#
# Settings (environment): N (calls per run, default 20000), REPS (runs per client and
# mode, default 5), WRK_SECS (seconds per wrk run, default 3), SPAWNS (one-call processes
# timed, default 200), CPU (the CPU of the pinned run, default 0), PORT (default: the first
# free one from 18431), OUT (where logs and raw numbers go, default target/bench-run).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

N=${N:-20000}
REPS=${REPS:-5}
WRK_SECS=${WRK_SECS:-3}
SPAWNS=${SPAWNS:-200}
CPU=${CPU:-0}
OUT=${OUT:-$ROOT/target/bench-run}
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
RUST_CLIENT=$(bench_exe loop_client)
BARE_UREQ=$(bench_exe bare_ureq)
CFLAGS=(-std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -Ibenches/c)
# The C program links the static library, as an application that ships one binary would.
cc "${CFLAGS[@]}" benches/c/ffi_client.c target/release/libdroplet_action.a \
    -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$BIN/ffi_client"
cc "${CFLAGS[@]}" benches/c/curl_cjson_client.c -lcurl -lcjson -o "$BIN/curl_cjson_client"
cc "${CFLAGS[@]}" benches/c/spawn_timer.c -o "$BIN/spawn_timer"

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

# ---------------------------------------------------------------- measuring
CLIENTS=(rust ffi bare curl)
declare -A LABEL=(
    [rust]="Rust client, get_droplet_action"
    [ffi]="C, droplet_action_get"
    [bare]="bare ureq GET, no parse (floor)"
    [curl]="C, libcurl + cJSON (by hand)"
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

for mode in unpinned pinned; do
    set_server_affinity "$mode"
    log "$mode: $REPS rounds of wrk (${WRK_SECS}s) and $N calls per client"
    # Warm-up: the server's file cache and the page cache.
    pin "$mode" "$BIN/ffi_client" "$BASE" 2000 >/dev/null
    for rep in $(seq "$REPS"); do
        run_wrk "$mode"
        for client in "${CLIENTS[@]}"; do run_client "$mode" "$client"; done
        log "  round $rep/$REPS done"
    done
    log "$mode: $SPAWNS one-call processes per program"
    run_spawns "$mode" true /bin/true
    run_spawns "$mode" ffi "$BIN/ffi_client" "$BASE" 1
    run_spawns "$mode" curl "$BIN/curl_cjson_client" "$BASE" 1
done

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

# ---------------------------------------------------------------- the table
med() { values "$1" "$2" "$3" | median; }
cpu_model=$(awk -F': *' '/^model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, Linux $(uname -r)"
echo "N=$N sequential calls per run on one kept-alive connection; medians of $REPS runs;"
echo "wrk -t1 -c1 for ${WRK_SECS}s; syscalls: strace -c -f, N=$STRACE_N minus N=1, pinned"
for mode in unpinned pinned; do
    limit=$(med "$mode" wrk rate)
    echo
    if [ "$mode" = pinned ]; then
        echo "pinned: nginx and the client on CPU $CPU"
    else
        echo "unpinned: nginx and the client free to run on any of the $(nproc) CPUs"
    fi
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
done
echo
printf 'peak RSS of the C program through droplet_action_get, pinned: N=1 %s KiB, N=2000 %s KiB, N=%s %s KiB, N=%s %s KiB\n' \
    "$(med all ffi rss_n1)" "$(med all ffi rss_n2000)" "$N" "$(med all ffi "rss_n$N")" \
    $((5 * N)) "$(med all ffi "rss_n$((5 * N))")"
log "raw numbers and strace summaries: $OUT"
