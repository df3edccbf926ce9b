#!/usr/bin/env python3
"""Runs every code block of README.md as a reader would, so the README cannot rot.

- sh: run with bash from the repository root, in order, with a fresh HOME (so
  "$HOME/.local" is a new prefix) and no DIGITALOCEAN_* variables; the block that runs
  .ci/run is this script's caller and is skipped.
- c / cpp: compiled with the project's strict flags and pkg-config from that prefix, then
  run against a mock server started for them.
- python: run from the repository root against the same mock server.
- js: run with node as an ECMAScript module in "$HOME/app", where the README's sh block
  installed the npm package, against the same mock server.
- rust: run as doctests of droplet-action-transport (cargo test); only counted here.

Prints "N passed, M failed" and exits non-zero on any failure.
"""

import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
STRICT = ["-Wall", "-Wextra", "-Wpedantic", "-Werror"]
LEFTOVERS = ["get_action", "get_action_static", "mock.log"]


def blocks(text):
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)]


def main():
    readme = (ROOT / "README.md").read_text()
    home = tempfile.mkdtemp(prefix="readme-home-")
    prefix = pathlib.Path(home) / ".local"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGITALOCEAN_")}
    # A fresh HOME, but the same Rust toolchain and crate cache.
    real_home = pathlib.Path.home()
    env.setdefault("RUSTUP_HOME", str(real_home / ".rustup"))
    env.setdefault("CARGO_HOME", str(real_home / ".cargo"))
    env["HOME"] = home
    build = pathlib.Path(tempfile.mkdtemp(prefix="readme-build-"))
    passed, failed = 0, 0
    mock = None

    def start_mock():
        proc = subprocess.Popen(
            ["cargo", "run", "-q", "-p", "droplet-action-mock", "--", "--port", "0"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline().strip()
        assert line.startswith("listening on "), line
        return proc, line.split()[-1]

    def check(name, ok, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"README {name} failed:\n{detail}", file=sys.stderr)

    try:
        for index, (lang, code) in enumerate(blocks(readme)):
            name = f"block {index + 1} ({lang})"
            if lang == "sh":
                if ".ci/run" in code:
                    continue
                run = subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=ROOT, env=env,
                                     capture_output=True, text=True, timeout=900)
                check(name, run.returncode == 0, run.stdout + run.stderr)
            elif lang in ("c", "cpp", "python", "js"):
                if mock is None:
                    mock = start_mock()
                run_env = dict(env, DIGITALOCEAN_ACCESS_TOKEN="mock-token",
                               DIGITALOCEAN_API_URL=mock[1],
                               PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"),
                               LD_LIBRARY_PATH=str(prefix / "lib"))
                if lang == "python":
                    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=run_env,
                                         capture_output=True, text=True, timeout=120)
                    check(name, run.returncode == 0, run.stdout + run.stderr)
                    continue
                if lang == "js":
                    app = pathlib.Path(home) / "app"
                    script = app / f"block{index}.mjs"
                    script.write_text(code)
                    run = subprocess.run(["node", str(script)], cwd=app, env=run_env,
                                         capture_output=True, text=True, timeout=120)
                    check(name, run.returncode == 0, run.stdout + run.stderr)
                    continue
                source = build / f"block{index}.{lang}"
                source.write_text(code)
                exe = build / f"block{index}"
                flags = subprocess.run(["pkg-config", "--cflags", "--libs", "droplet_action"],
                                       env=run_env, capture_output=True, text=True, check=True)
                compiler = ["gcc", "-std=c11"] if lang == "c" else \
                    ["g++", "-std=c++17"]
                compile_run = subprocess.run(
                    compiler + STRICT + [str(source), "-o", str(exe)] + flags.stdout.split(),
                    env=run_env, capture_output=True, text=True)
                if compile_run.returncode != 0:
                    check(name, False, compile_run.stderr)
                    continue
                run = subprocess.run([str(exe)], env=run_env, capture_output=True, text=True,
                                     timeout=120)
                check(name, run.returncode == 0, run.stdout + run.stderr)
            elif lang == "rust":
                passed += 1  # a doctest of droplet-action-transport
    finally:
        if mock is not None:
            mock[0].terminate()
            mock[0].wait()
        for leftover in LEFTOVERS:
            (ROOT / leftover).unlink(missing_ok=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
