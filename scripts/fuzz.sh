#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer, on the stable toolchain: builds the targets of
# fuzz/ and runs each for a while, starting from the seeds in fuzz/corpus/<target>/.
#
#   scripts/fuzz.sh [--seconds N] [--build-only] [target...]
#
# Default: every target, 20 seconds each. Inputs found on the way are kept in
# fuzz/found/<target>/ (not committed), so a later run goes on from there. A crash, panic,
# timeout or memory blow-up fails the run; the input that caused it is written to
# fuzz/artifacts/<target>/ and the target's whole log is printed.
#
# Reproduce or minimise a finding with the binary itself, for example:
#   fuzz/target/*/release/classify fuzz/artifacts/classify/crash-...
#   fuzz/target/*/release/classify -minimize_crash=1 -runs=10000 fuzz/artifacts/classify/crash-...
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

all_targets=(classify headers ffi_builder sansio_request sansio_response)
seconds=20
build_only=false
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --build-only) build_only=true; shift ;;
    -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
case "$seconds" in '' | *[!0-9]*) echo "fuzz.sh: --seconds takes a whole number" >&2; exit 2 ;; esac
for target in "${targets[@]}"; do
  [ -f "fuzz_targets/$target.rs" ] || { echo "fuzz.sh: no target $target (have: ${all_targets[*]})" >&2; exit 2; }
done

# The instrumentation `cargo fuzz build --sanitizer none` asks rustc for (cargo-fuzz 0.13):
# every flag is a stable one, so no nightly toolchain is needed. Naming the host target
# keeps these flags off build scripts and proc macros.
host=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cllvm-args=-sanitizer-coverage-stack-depth \
-Cllvm-args=-simplifycfg-branch-fold-threshold=0 \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks ${RUSTFLAGS:-}"
bins=()
for target in "${targets[@]}"; do bins+=(--bin "$target"); done
cargo build --release --target "$host" "${bins[@]}"
$build_only && exit 0

failed=()
for target in "${targets[@]}"; do
  mkdir -p "found/$target" "artifacts/$target"
  log="artifacts/$target/last-run.log"
  dict=()
  [ -f "dict/$target.dict" ] && dict=(-dict="dict/$target.dict")
  echo "fuzz: $target for ${seconds}s"
  if "target/$host/release/$target" "found/$target" "corpus/$target" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 \
    -artifact_prefix="artifacts/$target/" -print_final_stats=1 >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    # The last status line: "#RUNS DONE cov: EDGES ft: FEATURES corp: INPUTS/BYTES ...".
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$done_line")
    echo "fuzz: $target ok: $runs runs, $speed runs/s, coverage $cov edges, corpus $corp"
  else
    cat "$log"
    echo "fuzz: $target FAILED; the input is in fuzz/artifacts/$target/"
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]}"
  exit 1
fi
