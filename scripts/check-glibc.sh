#!/usr/bin/env bash
# Fails when a shared library needs a GLIBC symbol version above the one given (2.17 by
# default: manylinux2014, RHEL 7, Debian 8 and every later common Linux).
#
#   scripts/check-glibc.sh [--max 2.17] FILE_OR_ARCHIVE...
#
# A FILE may be a .so, a .whl (every .so inside is checked) or a .tar.gz (likewise). Prints
# the highest version each library needs. Needs objdump (binutils).
set -euo pipefail
max=2.17
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    --max) max=$2; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) files+=("$1"); shift ;;
  esac
done
[ ${#files[@]} -gt 0 ] || { echo "usage: $0 [--max 2.17] FILE..." >&2; exit 2; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
libraries=()
for file in "${files[@]}"; do
  case "$file" in
    *.whl)
      dir=$scratch/$(basename "$file")
      python3 -m zipfile -e "$file" "$dir"
      while IFS= read -r lib; do libraries+=("$file:${lib#"$dir"/}=$lib"); done \
        < <(find "$dir" -name '*.so*' -type f) ;;
    *.tar.gz|*.tgz)
      dir=$scratch/$(basename "$file")
      mkdir -p "$dir" && tar -C "$dir" -xzf "$file"
      while IFS= read -r lib; do libraries+=("$file:${lib#"$dir"/}=$lib"); done \
        < <(find "$dir" -name '*.so*' -type f) ;;
    *) libraries+=("$file=$file") ;;
  esac
done
[ ${#libraries[@]} -gt 0 ] || { echo "no shared library found in ${files[*]}" >&2; exit 1; }

failed=0
for entry in "${libraries[@]}"; do
  label=${entry%%=*}
  lib=${entry#*=}
  highest=$(objdump -T "$lib" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
  [ -n "$highest" ] || { echo "$label: no GLIBC symbol version (not a glibc library?)" >&2; failed=1; continue; }
  if [ "$(printf '%s\n%s\n' "$highest" "$max" | sort -V | tail -n 1)" = "$max" ]; then
    echo "ok: $label needs GLIBC_$highest at most (limit $max)"
  else
    echo "FAIL: $label needs GLIBC_$highest, above $max:" >&2
    objdump -T "$lib" | grep -E "GLIBC_[0-9.]+" | awk -v max="$max" '{print "  " $0}' \
      | grep -vE "GLIBC_($(printf '%s' "$max" | sed 's/\./\\./g')|2\.[0-9]|2\.1[0-6])([.][0-9]+)?[ )]" >&2 || true
    failed=1
  fi
done
exit "$failed"
