#!/usr/bin/env bash
# Checks the C ABI of libdroplet_action.so against the committed baseline of its SONAME,
# abi/libdroplet_action.abi (see abi/README.md). Fails on a removed or changed function, a
# changed struct layout or a changed enum value; accepts added functions, types and enum
# values. A library whose SONAME differs from the baseline's passes: a new SONAME may break.
#
#   scripts/abi-check.sh [--lib FILE] [--write-baseline [--force]]
#
# (no option)       build the library with the abi profile (release plus debug info), check it
# --lib FILE        check this libdroplet_action.so instead (it needs its debug info)
# --write-baseline  write the baseline from the library instead of checking it; refused when
#                   the baseline already describes the same SONAME, unless --force
#
# Exit status: 0 compatible (or a new SONAME), 1 incompatible, 2 the check could not run.
# Needs abidw and abidiff (Debian package abigail-tools) and readelf (binutils).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
baseline=$root/abi/libdroplet_action.abi
suppressions=$root/abi/suppressions.abignore
lib=
write=0
force=0

while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$2; shift 2 ;;
    --write-baseline) write=1; shift ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

for tool in abidw abidiff readelf; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "abi-check: $tool not found; install abigail-tools and binutils" \
      "(apt-get install abigail-tools binutils)" >&2
    exit 2
  fi
done

if [ -z "$lib" ]; then
  cargo build --manifest-path "$root/Cargo.toml" --profile abi -p droplet-action-ffi
  lib=${CARGO_TARGET_DIR:-$root/target}/abi/libdroplet_action.so
fi
if [ ! -f "$lib" ]; then
  echo "abi-check: $lib not found" >&2
  exit 2
fi
if ! readelf -S "$lib" | grep -q '\.debug_info'; then
  echo "abi-check: $lib has no debug info; build it with --profile abi (or the dev profile)" >&2
  exit 2
fi

soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ -z "$soname" ]; then
  echo "abi-check: $lib has no SONAME" >&2
  exit 2
fi
baseline_soname() { sed -n "1s/.* soname='\([^']*\)'.*/\1/p" "$baseline"; }

# The library's ABI as abidw describes it, read once: the DWARF of a debug build is large.
# The options keep file system paths out, for the baseline.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
abi=$work/libdroplet_action.abi
if ! abidw --no-corpus-path --no-comp-dir-path --short-locs --out-file "$abi" "$lib"; then
  echo "abi-check: abidw could not read $lib" >&2
  exit 2
fi

if [ "$write" = 1 ]; then
  if [ -f "$baseline" ] && [ "$(baseline_soname)" = "$soname" ] && [ "$force" = 0 ]; then
    echo "abi-check: abi/libdroplet_action.abi already describes $soname, whose ABI never" \
      "changes; write a baseline only for a new SONAME (or pass --force)" >&2
    exit 2
  fi
  cp "$abi" "$baseline"
  echo "abi-check: wrote abi/libdroplet_action.abi for $soname"
  exit 0
fi

if [ ! -f "$baseline" ]; then
  echo "abi-check: abi/libdroplet_action.abi is missing; see abi/README.md" >&2
  exit 2
fi
if [ "$soname" != "$(baseline_soname)" ]; then
  echo "abi-check: $lib has SONAME '$soname', the baseline '$(baseline_soname)':" \
    "a new SONAME may change the ABI, nothing to check. Once $soname is released, record" \
    "its baseline with scripts/abi-check.sh --write-baseline."
  exit 0
fi

# abidiff's exit status is a bit set: 1 error, 2 usage error, 4 ABI change, 8 incompatible
# ABI change (a removed function, variable or symbol). Added functions count as a change too, so a
# change without bit 8 is judged by a second run that leaves them out (--no-added-syms).
# Added enum values are harmless changes, which abidiff leaves out by default.
abidiff_run() {
  abidiff --no-default-suppression --suppressions "$suppressions" "$@" "$baseline" "$abi"
}
incompatible() {
  echo "abi-check: INCOMPATIBLE: $lib $1 of $soname:"
  echo "$2"
  echo "abi-check: a published ABI never changes within a SONAME; add functions or" \
    "size-prefixed structs instead (or release a new SONAME)."
  exit 1
}
status=0
report=$(abidiff_run 2>&1) || status=$?
if (( status & 3 )); then
  echo "abi-check: abidiff could not compare (exit status $status):"
  echo "$report"
  exit 2
fi
if (( status & 8 )); then
  incompatible "removes functions or changes them incompatibly" "$report"
fi
if (( status & 4 )); then
  changed=0
  changes=$(abidiff_run --no-added-syms 2>&1) || changed=$?
  if (( changed & 3 )); then
    echo "abi-check: abidiff could not compare (exit status $changed):"
    echo "$changes"
    exit 2
  fi
  if (( changed & 12 )); then
    incompatible "changes functions or types" "$changes"
  fi
  echo "abi-check: compatible additions:"
  echo "$report"
fi
echo "abi-check: $lib keeps the ABI of $soname"
