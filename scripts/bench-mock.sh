#!/usr/bin/env bash
# The mock server's speed and memory, this checkout's binary beside an earlier revision's, in
# one run (BENCHMARKS.md, "The mock server on hyper").
#
#   scripts/bench-mock.sh REV [ROUNDS]
#
# REV is a git revision whose mock to compare with (its sources are extracted with git archive
# into target/bench-mock/REV and built there, with a target folder of their own). Both
# binaries are release builds. Then, ROUNDS times (default 5), each binary in turn (the order
# alternates) serves `wrk -t2 -c8 -d10s` on the documented action after a 2 s warm-up, on a
# fresh server; the medians and their ratio are printed. Last, each serves at least a million
# requests with wrk, and its resident memory (VmRSS) is read before and after.
#
# Needs wrk (Debian: apt-get install wrk). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rev=${1:?usage: scripts/bench-mock.sh REV [ROUNDS]}
rounds=${2:-5}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

old_dir=$root/target/bench-mock/$(git rev-parse --short "$rev")
if [ ! -x "$old_dir/target/release/droplet-action-mock" ]; then
  rm -rf "$old_dir" && mkdir -p "$old_dir"
  git archive "$rev" | tar -x -C "$old_dir"
  cargo build --release --quiet --manifest-path "$old_dir/Cargo.toml" -p droplet-action-mock
fi
cargo build --release --quiet -p droplet-action-mock
old=$old_dir/target/release/droplet-action-mock
new=$root/target/release/droplet-action-mock

work=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

# start BINARY: starts it on a free port; sets pid and url.
start() {
  "$1" --port 0 > "$work/mock.log" &
  pid=$!
  for _ in $(seq 100); do grep -q '^listening on ' "$work/mock.log" && break; sleep 0.05; done
  url="$(sed -n '1s/^listening on //p' "$work/mock.log")/v2/droplets/3164444/actions/36804636"
}

stop() {
  kill "$pid"
  wait "$pid" || true
  pid=""
}

# bench SECONDS: wrk's requests per second, and total requests, against $url.
bench() {
  wrk -t2 -c8 -d"$1"s -H 'Authorization: Bearer mock-token' "$url" > "$work/wrk.txt"
  rate=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk.txt")
  total=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
}

rss_kib() {
  awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"
}

median() {
  sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

: > "$work/old.rates"
: > "$work/new.rates"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for which in $order; do
    if [ "$which" = old ]; then start "$old"; else start "$new"; fi
    bench 2
    bench 10
    echo "$rate" >> "$work/$which.rates"
    echo "round $round $which: $rate requests/s"
    stop
  done
done
old_median=$(median < "$work/old.rates")
new_median=$(median < "$work/new.rates")
echo "median of $rounds rounds, wrk -t2 -c8 -d10s: $rev $old_median, this checkout $new_median requests/s"
awk -v o="$old_median" -v n="$new_median" 'BEGIN {printf "ratio (this checkout / %s): %.2f\n", "'"$rev"'", n / o}'

for which in old new; do
  if [ "$which" = old ]; then start "$old"; else start "$new"; fi
  bench 2
  before=$(rss_kib)
  seconds=$(awk -v r="$rate" 'BEGIN {s = int(1100000 / r) + 1; print (s < 5) ? 5 : s}')
  bench "$seconds"
  after=$(rss_kib)
  echo "$which: VmRSS $before KiB after a 2 s warm-up, $after KiB after $total more requests"
  stop
done
