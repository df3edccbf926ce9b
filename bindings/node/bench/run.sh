#!/usr/bin/env bash
# The Node.js benchmark: this package beside dots-wrapper (a community DigitalOcean client,
# axios underneath) and plain fetch, against the same nginx serving the documented action on
# 127.0.0.1 (benches/nginx.conf.in, as benches/run.sh serves it), in one run:
#   - calls per second, CPU per call and peak RSS: N sequential calls on one client;
#   - the one-call process: node started, the module imported, one call, exit, timed from
#     spawn to exit (benches/c/spawn_timer.c), beside `node -e 0`.
# Medians of REPS runs, each client in turn in every round.
#
#   bash bindings/node/bench/run.sh
#
# Settings (environment): N (calls per run, default 5000), REPS (default 5), SPAWNS
# (one-call processes timed per client, default 20), OUT (default target/bench-node), PORT
# (default: the first free one from 18531). Installs nginx and gcc when missing; builds the
# library (release), packs this package, and installs it and dots-wrapper under OUT.
set -euo pipefail
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
N=${N:-5000}
REPS=${REPS:-5}
SPAWNS=${SPAWNS:-20}
OUT=${OUT:-$ROOT/target/bench-node}
DROPLET=3164444
ACTION=36804636
log() { printf '%s\n' "$*" >&2; }

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

log "building and packing"
mkdir -p "$OUT/app"
cargo build --release --quiet -p droplet-action-ffi --lib
tarball=$(bash bindings/node/scripts/pack.sh --lib target/release/libdroplet_action.so --out "$OUT")
cp bindings/node/bench/client.mjs "$OUT/app/"
(cd "$OUT/app" && { [ -f package.json ] || echo '{"private": true}' >package.json; } \
  && npm install --no-audit --no-fund --loglevel=error "$tarball" dots-wrapper@3.12.12 >/dev/null)
cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Werror benches/c/spawn_timer.c -o "$OUT/spawn_timer"

WORK=$(mktemp -d)
NGINX_PID=
cleanup() {
  [ -z "$NGINX_PID" ] || kill "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=${PORT:-18531}
while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
PORT2=$((PORT + 1))
while ! port_free "$PORT2"; do PORT2=$((PORT2 + 1)); done
mkdir -p "$WORK/www/v2/droplets/$DROPLET/actions" "$WORK/tmp"
cp crates/model/src/documented_action.json "$WORK/www/v2/droplets/$DROPLET/actions/$ACTION"
sed -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$PORT|g" -e "s|@PORT2@|$PORT2|g" benches/nginx.conf.in >"$WORK/nginx.conf"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" &
NGINX_PID=$!
for _ in $(seq 100); do port_free "$PORT" || break; sleep 0.05; done
BASE="http://127.0.0.1:$PORT"
log "nginx on $BASE"

KINDS=(droplet-action dots-wrapper fetch)
declare -A RATE CPU RSS SPAWN
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for kind in "${KINDS[@]}"; do (cd "$OUT/app" && node client.mjs "$kind" "$BASE" 10 >/dev/null); done
for rep in $(seq "$REPS"); do
  for kind in "${KINDS[@]}"; do
    line=$(cd "$OUT/app" && node client.mjs "$kind" "$BASE" "$N")
    RATE[$kind]+=" $(awk -v n="$N" -v w="$(field wall_s <<<"$line")" 'BEGIN {printf "%.1f", n / w}')"
    CPU[$kind]+=" $(field cpu_us_per_call <<<"$line")"
    RSS[$kind]+=" $(field maxrss_kib <<<"$line")"
  done
  log "round $rep/$REPS done"
done
NODE=$(command -v node)
for kind in "${KINDS[@]}"; do
  SPAWN[$kind]=$(cd "$OUT/app" && "$OUT/spawn_timer" "$SPAWNS" "$NODE" client.mjs "$kind" "$BASE" 1 | field median_ms)
done
FLOOR=$("$OUT/spawn_timer" "$SPAWNS" "$NODE" -e 0 | field median_ms)

dots_rate=$(median <<<"${RATE[dots-wrapper]}")
dots_spawn=${SPAWN[dots-wrapper]}
echo "Node $(node --version), dots-wrapper 3.12.12 (axios $(cd "$OUT/app" && node -p "require('axios/package.json').version")), koffi $(cd "$OUT/app" && node -p "require('./node_modules/droplet-action/node_modules/koffi/package.json').version"); N=$N sequential calls per run, medians of $REPS runs"
echo
echo "| client | calls/s | x dots-wrapper | CPU us/call | peak RSS KiB | one-call process ms | x dots-wrapper |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for kind in "${KINDS[@]}"; do
  rate=$(median <<<"${RATE[$kind]}")
  awk -v k="$kind" -v r="$rate" -v dr="$dots_rate" -v c="$(median <<<"${CPU[$kind]}")" \
    -v m="$(median <<<"${RSS[$kind]}")" -v s="${SPAWN[$kind]}" -v ds="$dots_spawn" \
    'BEGIN {printf "| %s | %.0f | %.2f | %.1f | %.0f | %.1f | %.2f |\n", k, r, r / dr, c, m, s, s / ds}'
done
echo "| \`node -e 0\` | - | - | - | - | $FLOOR | - |"
