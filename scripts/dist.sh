#!/usr/bin/env bash
# Builds every release artifact into dist/ from a clean checkout (work in progress).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p dist
echo "dist: nothing built yet" >&2
