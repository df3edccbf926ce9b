#!/usr/bin/env bash
# Tests what scripts/dist.sh made, as a user gets it, against the mock server:
#   - no shipped .so needs a GLIBC symbol above 2.17 (scripts/check-glibc.sh)
#   - the C archive, extracted to a temporary folder: the CMake consumer
#     (tests/cmake-consumer, find_package with CMAKE_PREFIX_PATH, the shared and the static
#     target, C and C++) and a pkg-config consumer (shared and static, C and C++)
#   - the wheel, installed into a fresh virtual environment: import, a get against the mock,
#     and the Python tests (bindings/python/tests) run from outside the source tree
#
#   scripts/test-dist.sh [--dist DIR] [--no-pytest]
#
# The mock is DROPLET_ACTION_MOCK when set, else cargo builds it (release). Needs cmake,
# a C and C++ compiler, pkg-config, python3 with venv, objdump.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dist=$root/dist
pytest=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$(cd "$2" && pwd); shift 2 ;;
    --no-pytest) pytest=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
step() { printf '== %s\n' "$*" >&2; }
passed=0
failed=0
check() { # NAME COMMAND...: runs the command, counts it
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"
  else failed=$((failed + 1)); echo "FAILED: $name" >&2; fi
}

archives=("$dist"/droplet_action-*-x86_64-linux-gnu.tar.gz)
wheels=("$dist"/python/droplet_action-*manylinux*.whl)
[ -f "${archives[0]}" ] && [ -f "${wheels[0]}" ] || { echo "run scripts/dist.sh first ($dist)" >&2; exit 2; }
archive=${archives[0]}
wheel=${wheels[0]}

work=$(mktemp -d)
mock_pid=
cleanup() {
  [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the mock ------------------------------------------------------------------------------
mock=${DROPLET_ACTION_MOCK:-}
if [ -z "$mock" ]; then
  cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p droplet-action-mock --bin droplet-action-mock
  mock=${CARGO_TARGET_DIR:-$root/target}/release/droplet-action-mock
fi
"$mock" --port 0 >"$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/mock.log" && break; sleep 0.1; done
url=$(sed -n '1s/^listening on //p' "$work/mock.log")
[ -n "$url" ] || { cat "$work/mock.log" >&2; echo "the mock did not start" >&2; exit 1; }
export DIGITALOCEAN_API_URL=$url DIGITALOCEAN_ACCESS_TOKEN=mock-token
step "mock at $url"

# --- glibc ---------------------------------------------------------------------------------
step "GLIBC symbol versions"
check "glibc <= 2.17 in the archive and the wheel" bash "$root/scripts/check-glibc.sh" "$archive" "$wheel"

# --- the C archive ---------------------------------------------------------------------------
tar -C "$work" -xzf "$archive"
prefix=$(echo "$work"/droplet_action-*-x86_64-linux-gnu)
run_documented() { # PROGRAM: prints the documented action, and the line must name it
  local out
  out=$("$@" 3164444 36804636) || return 1
  echo "  $out"
  case "$out" in "action 36804636: "*) return 0 ;; *) return 1 ;; esac
}

step "CMake consumer (find_package, shared and static targets)"
cmake_consumer() {
  cmake -S "$root/tests/cmake-consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 \
    && cmake --build "$work/cmake" -j 2 >>"$work/cmake.log" 2>&1 \
    || { cat "$work/cmake.log" >&2; return 1; }
  # The shared programs load the archive's library (CMake's build RPATH), not another one.
  ldd "$work/cmake/get_action_shared" >"$work/ldd-shared.txt"
  grep -q "libdroplet_action.so.0.1 => $prefix/lib/" "$work/ldd-shared.txt" \
    || { cat "$work/ldd-shared.txt" >&2; return 1; }
  ldd "$work/cmake/get_action_static" >"$work/ldd-static.txt"
  ! grep -q libdroplet_action "$work/ldd-static.txt" || { cat "$work/ldd-static.txt" >&2; return 1; }
  (cd "$work/cmake" && ctest --output-on-failure)
}
check "cmake consumer" cmake_consumer

step "pkg-config consumer"
pkg_config_consumer() {
  export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
  local libdir cflags libs static_libs
  libdir=$(pkg-config --variable=libdir droplet_action)
  cflags=$(pkg-config --cflags droplet_action)
  libs=$(pkg-config --libs droplet_action)
  static_libs=$(pkg-config --static --libs-only-l droplet_action | sed 's/-ldroplet_action//')
  # shellcheck disable=SC2086
  cc -std=c11 -Wall -Werror "$root/examples/c/get_action.c" $cflags $libs -Wl,-rpath,"$libdir" \
    -o "$work/pc_c_shared" \
    && c++ -std=c++17 -Wall -Werror "$root/examples/cpp/get_action.cpp" $cflags $libs \
      -Wl,-rpath,"$libdir" -o "$work/pc_cpp_shared" \
    && cc -std=c11 -Wall -Werror "$root/examples/c/get_action.c" $cflags "$libdir/libdroplet_action.a" \
      $static_libs -o "$work/pc_c_static" \
    || return 1
  local program
  for program in pc_c_shared pc_cpp_shared pc_c_static; do
    run_documented "$work/$program" || return 1
  done
}
check "pkg-config consumer" pkg_config_consumer

# --- the wheel -------------------------------------------------------------------------------
step "the wheel in a fresh virtual environment"
python3 -m venv "$work/venv"
python=$work/venv/bin/python
wheel_consumer() {
  "$python" -m pip install -q --disable-pip-version-check "$wheel" || return 1
  # From outside the source tree, so the installed package is the one imported.
  (cd "$work" && "$python" -c 'import droplet_action') || return 1
  (cd "$work" && "$python" - <<'PY'
import droplet_action as da, pathlib
print("  loaded", pathlib.Path(da.__file__).parent)
with da.Client.from_env() as client:
    action = client.get(3164444, 36804636)
    assert action.id == 36804636, action
    print("  action", action.id, action.type, action.status.value)
PY
  )
}
check "wheel: import and get" wheel_consumer
if [ "$pytest" = 1 ]; then
  python_tests() {
    "$python" -m pip install -q --disable-pip-version-check pytest h11 mypy || return 1
    (cd "$work" && DROPLET_ACTION_MOCK=$mock "$python" -m pytest -q -p no:cacheprovider \
      "$root/bindings/python/tests" >"$work/pytest.log" 2>&1) \
      || { tail -40 "$work/pytest.log" >&2; return 1; }
    tail -n 1 "$work/pytest.log" | sed 's/^/  /'
  }
  check "wheel: the Python tests" python_tests
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
