#!/usr/bin/env bash
# Makes the npm tarball of the package, droplet-action-VERSION.tgz: the JavaScript, the
# types, the C library in native/ and koffi bundled in (bundleDependencies), so that
# `npm install --offline droplet-action-VERSION.tgz` needs no registry.
#
#   bindings/node/scripts/pack.sh --from-dist DIR [--out DIR]   the library and third-party
#       licences of the C archive scripts/dist.sh made in DIR (glibc 2.17, stripped)
#   bindings/node/scripts/pack.sh --lib FILE [--out DIR]        any libdroplet_action.so
#
# --out defaults to bindings/node/dist. The package is staged in a temporary folder, where
# koffi is installed from the registry (npm ci, from package-lock.json): the registry is
# needed here, never when the tarball is installed. Needs node, npm, tar.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
lib=
from_dist=
out=$here/dist
while [ $# -gt 0 ]; do
  case "$1" in
    --lib) lib=$(realpath "$2"); shift 2 ;;
    --from-dist) from_dist=$(cd "$2" && pwd); shift 2 ;;
    --out) mkdir -p "$2"; out=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
if { [ -z "$lib" ] && [ -z "$from_dist" ]; } \
  || { [ -n "$lib" ] && [ -n "$from_dist" ]; }; then
  echo "give one of --lib FILE or --from-dist DIR" >&2
  exit 2
fi

# One version: the workspace's.
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$root/Cargo.toml")
package_version=$(node -p "require('$here/package.json').version")
[ "$version" = "$package_version" ] \
  || { echo "package.json says $package_version, Cargo.toml $version" >&2; exit 1; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/package/native"
cp -r "$here/package.json" "$here/package-lock.json" "$here/README.md" "$here/index.mjs" \
  "$here/index.d.ts" "$here/index.d.mts" "$here/lib" "$stage/package/"
cp -L "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$stage/package/"
if [ -n "$from_dist" ]; then
  archives=("$from_dist"/droplet_action-*-x86_64-linux-gnu.tar.gz)
  [ -f "${archives[0]}" ] || { echo "no C archive in $from_dist: run scripts/dist.sh" >&2; exit 2; }
  tar -C "$stage" -xzf "${archives[0]}"
  c=$(echo "$stage"/droplet_action-*-x86_64-linux-gnu)
  install -m 755 "$c/lib/libdroplet_action.so.$version" "$stage/package/native/libdroplet_action.so"
  install -m 644 "$c/share/doc/droplet_action/LICENSE-THIRD-PARTY.html" "$stage/package/"
else
  install -m 755 "$lib" "$stage/package/native/libdroplet_action.so"
fi
# koffi and its Linux x86_64 binary, for bundleDependencies; its install script only checks
# for that binary, which is there.
(cd "$stage/package" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$stage/package" && npm pack --pack-destination "$out" --loglevel=error >/dev/null)
echo "$out/droplet-action-$version.tgz"
