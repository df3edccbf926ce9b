#!/usr/bin/env bash
# Tests the npm tarball as a user gets it: installed offline (an empty npm cache, no
# registry) into an empty folder, then
#   - the README's Node example, from that folder, against the mock server, and every js
#     block of bindings/node/README.md;
#   - both entry points by name: `import` and `require`;
#   - the types: tsc --strict on consumer files (ESM and CommonJS), and a file of mistakes
#     that must not compile;
#   - the tests of test/ (node --test) against the installed package.
#
#   bindings/node/scripts/test-package.sh TARBALL
#
# The mock is DROPLET_ACTION_MOCK when set, else the workspace's target/release one. tsc
# comes from bindings/node/node_modules (npm ci there first).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
[ $# = 1 ] && [ -f "$1" ] || { sed -n '2,15p' "$0"; exit 2; }
tarball=$(realpath "$1")
mock=${DROPLET_ACTION_MOCK:-$root/target/release/droplet-action-mock}
tsc=$here/node_modules/.bin/tsc
[ -x "$tsc" ] || { echo "run npm ci in $here first (for tsc)" >&2; exit 2; }

work=$(mktemp -d)
mock_pid=
cleanup() {
  [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
passed=0
failed=0
check() { # NAME COMMAND...: runs the command, counts it
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"
  else failed=$((failed + 1)); echo "FAILED: $name" >&2; fi
}

app=$work/app
mkdir -p "$app"
(cd "$app" && npm_config_cache="$work/empty-cache" npm install --offline --no-audit --no-fund \
  --loglevel=error "$tarball" >/dev/null)
package=$app/node_modules/droplet-action

"$mock" --port 0 >"$work/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/mock.log" && break; sleep 0.1; done
url=$(sed -n '1s/^listening on //p' "$work/mock.log")
[ -n "$url" ] || { cat "$work/mock.log" >&2; exit 1; }

readme_example() {
  # The first js block of the README's Node.js section, as a reader would save it.
  awk '/^## Node.js/ {on = 1} on && /^```js$/ {code = 1; next} code && /^```$/ {exit} code' \
    "$root/README.md" >"$app/example.mjs"
  [ -s "$app/example.mjs" ] || { echo "no js block in the README's Node.js section" >&2; return 1; }
  local out
  out=$(cd "$app" && DIGITALOCEAN_ACCESS_TOKEN=mock-token DIGITALOCEAN_API_URL=$url node example.mjs) || return 1
  echo "$out" | sed 's/^/  /'
  [ "$(echo "$out" | head -1)" = "create completed 2020-11-14T16:29:21.000Z" ]
}
check "the README's Node example, from the installed tarball" readme_example

package_readme() {
  # Every js block of this package's README, each saved as a reader would, run in turn.
  local blocks
  blocks=$(awk -v dir="$app" '/^```js$/ {n++; code = 1; next} code && /^```$/ {code = 0; next}
    code {print > (dir "/package-readme-" n ".mjs")} END {print n + 0}' "$here/README.md")
  [ "$blocks" -gt 0 ] || { echo "no js block in bindings/node/README.md" >&2; return 1; }
  local n out
  for n in $(seq "$blocks"); do
    out=$(cd "$app" && DIGITALOCEAN_ACCESS_TOKEN=mock-token DIGITALOCEAN_API_URL=$url \
      node "package-readme-$n.mjs") || { echo "block $n of bindings/node/README.md failed" >&2; return 1; }
    echo "$out" | sed "s/^/  [$n] /"
  done
}
check "bindings/node/README.md's js blocks, from the installed tarball" package_readme

entry_points() {
  (cd "$app" && node --input-type=module -e "import { Client } from 'droplet-action'; if (typeof Client !== 'function') process.exit(1)") \
    && (cd "$app" && node -e "const { Client, Status } = require('droplet-action'); if (typeof Client !== 'function' || Status.OK !== 0) process.exit(1)") \
    && [ "$(cd "$app" && node -p "require.resolve('droplet-action')")" = "$package/lib/index.cjs" ]
}
check "import and require by name" entry_points

types() {
  mkdir -p "$app/typing"
  cp "$here"/test/typing/*.mts "$here"/test/typing/*.cts "$app/typing/"
  sed "s|\"types\": \[\"node\"\]|\"types\": [\"node\"], \"typeRoots\": [\"$here/node_modules/@types\"]|" \
    "$here/test/typing/tsconfig.json" >"$app/typing/tsconfig.json"
  (cd "$app/typing" && "$tsc" -p tsconfig.json) || return 1
  # The mistakes: each line of wrong.mts is one error, and nothing else is.
  local errors
  errors=$(cd "$app/typing" && "$tsc" --strict --noEmit --module node16 --moduleResolution node16 \
    --target es2022 --types node --typeRoots "$here/node_modules/@types" wrong.mts | grep -c 'error TS' || true)
  [ "$errors" = 4 ] || { echo "wrong.mts: $errors errors, not 4" >&2; return 1; }
}
check "tsc --strict on consumer files; mistakes refused" types

node_tests() {
  DROPLET_ACTION_NODE_PACKAGE=$package DROPLET_ACTION_MOCK=$mock \
    node --test "$here"/test/*.test.mjs >"$work/node-test.log" 2>&1 \
    || { tail -60 "$work/node-test.log" >&2; return 1; }
  grep -E '^# (tests|pass|fail)|^# .*(waits|RSS)' "$work/node-test.log" | sed 's/^/  /'
}
check "node --test against the installed package" node_tests

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
