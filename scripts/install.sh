#!/usr/bin/env bash
# Installs the C library: the C header and the header-only C++ interface beside it, shared
# library (versioned, with its symlinks), static library and a pkg-config file.
#
#   scripts/install.sh [--prefix DIR] [--profile release|debug] [--no-build] [--target-dir DIR]
#                      [--from DIR]
#
# --prefix      where to install (default: $PREFIX, else /usr/local)
# --profile     which cargo build to install (default: release)
# --no-build    install what is already built instead of running cargo build
# --target-dir  cargo's target folder (default: $CARGO_TARGET_DIR, else ./target)
# --from        install libdroplet_action.so and .a from this folder; implies --no-build
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${PREFIX:-/usr/local}
profile=release
build=1
target_dir=${CARGO_TARGET_DIR:-$root/target}
from=

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --target-dir) target_dir=$2; shift 2 ;;
    --from) from=$2; build=0; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$root/Cargo.toml")
major=${version%%.*}
minor=${version#*.}; minor=${minor%%.*}
if [ "$major" = 0 ]; then soname_version="0.$minor"; else soname_version="$major"; fi

if [ "$build" = 1 ]; then
  if [ "$profile" = release ]; then
    cargo build --manifest-path "$root/Cargo.toml" --release -p droplet-action-ffi
  else
    cargo build --manifest-path "$root/Cargo.toml" --profile "$profile" -p droplet-action-ffi
  fi
fi
[ "$profile" = dev ] && profile=debug
built=${from:-$target_dir/$profile}
for artifact in libdroplet_action.so libdroplet_action.a; do
  [ -f "$built/$artifact" ] || { echo "missing $built/$artifact: build it first" >&2; exit 1; }
done

mkdir -p "$prefix/include/droplet_action" "$prefix/lib/pkgconfig"
install -m 644 "$root/include/droplet_action.h" "$prefix/include/droplet_action.h"
install -m 644 "$root/include/droplet_action.hpp" "$prefix/include/droplet_action.hpp"
# The parts of droplet_action.hpp, which includes them from the folder beside it.
install -m 644 "$root"/include/droplet_action/*.hpp "$prefix/include/droplet_action/"
install -m 755 "$built/libdroplet_action.so" "$prefix/lib/libdroplet_action.so.$version"
ln -sf "libdroplet_action.so.$version" "$prefix/lib/libdroplet_action.so.$soname_version"
ln -sf "libdroplet_action.so.$soname_version" "$prefix/lib/libdroplet_action.so"
install -m 644 "$built/libdroplet_action.a" "$prefix/lib/libdroplet_action.a"
cat > "$prefix/lib/pkgconfig/droplet_action.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: droplet_action
Description: C client for DigitalOcean's Retrieve a Droplet Action
Version: $version
Libs: -L\${libdir} -ldroplet_action
Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
Cflags: -I\${includedir}
PC
echo "installed droplet_action $version into $prefix"
