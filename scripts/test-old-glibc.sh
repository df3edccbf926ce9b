#!/usr/bin/env bash
# Proves the old-glibc claim for real: the C example (linked to the shared and to the static
# library of the C archive) and the wheel run inside a Debian 11 root (glibc 2.31, older than
# the 2.34 an ordinary build of this library needs), made with debootstrap from the Debian
# archive, against the mock server running outside it.
#
#   scripts/test-old-glibc.sh [--dist DIR] [--root DIR]
#
# --root  where the Debian 11 root is kept between runs (default: target/debian11-root)
#
# Run as root (debootstrap, chroot, mount); installs debootstrap with apt when it is missing.
# The programs are compiled on this machine by zig (the one scripts/dist.sh installed) for
# glibc 2.17, so the root needs no compiler. Slow the first time (about a minute to make the
# root), so it is not part of the default CI.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
dist=$root/dist
chroot_dir=$target_dir/debian11-root
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$(cd "$2" && pwd); shift 2 ;;
    --root) chroot_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, chroot)" >&2; exit 2; }
archive=$(echo "$dist"/droplet_action-*-x86_64-linux-gnu.tar.gz)
wheel=$(echo "$dist"/python/droplet_action-*manylinux*.whl)
[ -f "$archive" ] && [ -f "$wheel" ] || { echo "run scripts/dist.sh first ($dist)" >&2; exit 2; }
zig=$target_dir/dist-tools/venv/bin/python-zig
[ -x "$zig" ] || zig=zig

if [ ! -x "$chroot_dir/usr/bin/python3" ]; then
  command -v debootstrap >/dev/null 2>&1 || {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  rm -rf "$chroot_dir"
  debootstrap --variant=minbase --include=python3,python3-venv bullseye "$chroot_dir" \
    http://deb.debian.org/debian >"$target_dir/debootstrap.log" 2>&1 \
    || { tail -20 "$target_dir/debootstrap.log" >&2; exit 1; }
fi

work=/tmp/droplet-action-old-glibc
rm -rf "${chroot_dir:?}$work"
mkdir -p "$chroot_dir$work"
mock_pid=
cleanup() {
  [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null || true
  mountpoint -q "$chroot_dir/proc" && umount "$chroot_dir/proc"
  rm -rf "${chroot_dir:?}$work"
}
trap cleanup EXIT
mountpoint -q "$chroot_dir/proc" || mount -t proc proc "$chroot_dir/proc"

tar -C "$chroot_dir$work" -xzf "$archive"
prefix=$(basename "$archive" .tar.gz)
cp "$wheel" "$chroot_dir$work/"
lib=$chroot_dir$work/$prefix
"$zig" cc -target x86_64-linux-gnu.2.17 -std=c11 -I"$lib/include" "$root/examples/c/get_action.c" \
  -L"$lib/lib" -ldroplet_action -Wl,-rpath,"$work/$prefix/lib" -o "$chroot_dir$work/get_action_shared"
"$zig" cc -target x86_64-linux-gnu.2.17 -std=c11 -I"$lib/include" "$root/examples/c/get_action.c" \
  "$lib/lib/libdroplet_action.a" -lunwind -lpthread -ldl -lm -lrt -lutil \
  -o "$chroot_dir$work/get_action_static"

mock=${DROPLET_ACTION_MOCK:-$target_dir/release/droplet-action-mock}
[ -x "$mock" ] || cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p droplet-action-mock --bin droplet-action-mock
"$mock" --port 0 >"$chroot_dir$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$chroot_dir$work/mock.log" && break; sleep 0.1; done
url=$(sed -n '1s/^listening on //p' "$chroot_dir$work/mock.log")
[ -n "$url" ] || { echo "the mock did not start" >&2; exit 1; }

# Inside: the root's own glibc, its own Python; the mock is on the shared loopback.
chroot "$chroot_dir" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/tmp \
  DIGITALOCEAN_API_URL="$url" DIGITALOCEAN_ACCESS_TOKEN=mock-token \
  /bin/bash -euo pipefail -c "
    cd $work
    echo \"glibc: \$(ldd --version | head -n 1)\"
    passed=0
    for program in get_action_shared get_action_static; do
      out=\$(./\$program 3164444 36804636)
      echo \"  \$program: \$out\"
      case \"\$out\" in 'action 36804636: '*) passed=\$((passed + 1)) ;; *) exit 1 ;; esac
    done
    python3 -m venv venv
    venv/bin/python -m pip install -q --no-index --disable-pip-version-check ./$(basename "$wheel")
    venv/bin/python -c '
import droplet_action as da
with da.Client.from_env() as client:
    action = client.get(3164444, 36804636)
    assert action.id == 36804636, action
    print(\"  wheel:\", action.id, action.type, action.status.value)
'
    passed=\$((passed + 1))
    echo \"\$passed passed, 0 failed\"
  "
