#!/usr/bin/env python3
"""Checks that the dependency requirements the crates publish are true.

1. rust-version: no package the crates need (their dependencies, not the tests') declares a
   rust-version above the workspace's.
2. Lower bounds: in a copy of the workspace without its dev-dependencies (which a user's
   build never resolves), every direct dependency of every crate (normal
   and build dependencies: what a user's build resolves) is moved down to the lowest version
   its requirement allows (`cargo update --precise`, repeated until nothing moves), then the
   libraries and binaries must compile (`cargo check`). A bound the rest of the graph keeps from being reached
   fails too: raise the requirement to what the graph allows.

    scripts/lower-bounds.py [--target-dir DIR]   (default: target/lower-bounds)

Needs cargo and the crates.io index; the copy's build goes into its own target folder, so a
second run builds only what changed.
"""

import argparse
import json
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
USER_KINDS = (None, "build")


def version_tuple(text):
    return tuple(int(part) for part in re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text).groups(default="0"))


def lowest_allowed(requirement):
    """The lowest version a cargo requirement (as `cargo metadata` prints it) accepts."""
    lowest = (0, 0, 0)
    for comparator in requirement.split(","):
        comparator = comparator.strip()
        match = re.fullmatch(r"(\^|~|=|>=|<|<=)?\s*(\d+(?:\.\d+){0,2})(?:\.\*)?", comparator)
        if comparator == "*" or comparator == "":
            continue
        if not match:
            raise SystemExit(f"requirement {requirement!r}: cannot read {comparator!r}")
        if match.group(1) in ("<", "<="):
            continue
        lowest = max(lowest, version_tuple(match.group(2)))
    return lowest


def compat(version):
    """The part of a version that semver keeps compatible: 1.x.y, 0.14.y."""
    return version[:1] if version[0] > 0 else version[:2]


def dotted(version):
    return ".".join(str(part) for part in version)


def metadata(cwd):
    run = subprocess.run(["cargo", "metadata", "--format-version", "1", "--locked"], cwd=cwd,
                         check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(run.stdout)


def check_rust_version(meta):
    packages = {p["id"]: p for p in meta["packages"]}
    members = set(meta["workspace_members"])
    ours = {packages[m]["rust_version"] for m in members}
    if len(ours) != 1 or None in ours:
        raise SystemExit(f"every crate declares one rust-version: {sorted(map(str, ours))}")
    ours = ours.pop()
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    seen, todo = set(), list(members)
    while todo:
        node = nodes[todo.pop()]
        for dep in node["deps"]:
            if any(k["kind"] in USER_KINDS for k in dep["dep_kinds"]) and dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                todo.append(dep["pkg"])
    newer = sorted(f"{packages[p]['name']} {packages[p]['version']} needs {packages[p]['rust_version']}"
                   for p in seen - members
                   if packages[p].get("rust_version")
                   and version_tuple(packages[p]["rust_version"]) > version_tuple(ours))
    highest = max((version_tuple(packages[p]["rust_version"]), packages[p]["name"])
                  for p in seen - members if packages[p].get("rust_version"))
    print(f"rust-version {ours}: {len(seen - members)} dependencies, the highest needs "
          f"{dotted(highest[0])} ({highest[1]})")
    return newer


def direct_minimums(meta):
    """{name: (locked version, lowest allowed)} for every direct registry dependency."""
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    wanted = {}
    for member in meta["workspace_members"]:
        requirements = {}
        for dep in packages[member]["dependencies"]:
            if dep["kind"] in USER_KINDS and (dep.get("source") or "").startswith("registry+"):
                low = lowest_allowed(dep["req"])
                requirements[dep["name"]] = max(requirements.get(dep["name"], low), low)
        for dep in nodes[member]["deps"]:
            package = packages[dep["pkg"]]
            if package["name"] not in requirements:
                continue
            if not any(k["kind"] in USER_KINDS for k in dep["dep_kinds"]):
                continue
            key = (package["name"], compat(version_tuple(package["version"])))
            low = requirements[package["name"]]
            wanted[key] = max(wanted.get(key, low), low)
    return wanted


def drop_dev_dependencies(manifest):
    """Removes the dev-dependency tables: a user's build never resolves them."""
    kept, skipping = [], False
    for line in manifest.read_text().splitlines(keepends=True):
        if line.startswith("["):
            skipping = "dev-dependencies" in line
        if not skipping:
            kept.append(line)
    manifest.write_text("".join(kept))


def locked_versions(lockfile):
    lock = tomllib.loads(lockfile.read_text())
    versions = {}
    for package in lock["package"]:
        if "source" in package:
            versions.setdefault(package["name"], []).append(package["version"])
    return versions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-dir", default=str(ROOT / "target" / "lower-bounds"))
    args = parser.parse_args()

    meta = metadata(ROOT)
    failures = check_rust_version(meta)
    wanted = direct_minimums(meta)

    with tempfile.TemporaryDirectory(prefix="lower-bounds-") as scratch:
        copy = pathlib.Path(scratch) / "workspace"
        shutil.copytree(ROOT, copy, symlinks=True,
                        ignore=shutil.ignore_patterns("target", ".git", "dist", "__pycache__"))
        for manifest in (copy / "crates").glob("*/Cargo.toml"):
            drop_dev_dependencies(manifest)
        subprocess.run(["cargo", "metadata", "-q", "--format-version", "1"], cwd=copy, check=True,
                       stdout=subprocess.DEVNULL)
        refusals = {}
        for _ in range(4):
            moved = False
            locked = locked_versions(copy / "Cargo.lock")
            for (name, line), low in sorted(wanted.items()):
                current = [v for v in locked.get(name, []) if compat(version_tuple(v)) == line]
                if not current or version_tuple(current[0]) == low:
                    continue
                # Down to the declared minimum, else to what the package that refused it
                # asks for (cargo names it in its error), which is the lowest the graph allows.
                goal = low
                for _ in range(3):
                    run = subprocess.run(["cargo", "update", "-q", "-p", f"{name}@{current[0]}",
                                          "--precise", dotted(goal)], cwd=copy,
                                         capture_output=True, text=True)
                    if run.returncode == 0:
                        moved |= version_tuple(current[0]) != goal
                        break
                    refusals[name] = run.stderr.strip().splitlines()
                    asked = re.search(rf"requirement `{re.escape(name)} = \"([^\"]+)\"`", run.stderr)
                    if not asked or lowest_allowed(asked.group(1)) <= goal:
                        break
                    goal = lowest_allowed(asked.group(1))
                    if goal >= version_tuple(current[0]):
                        break
            if not moved:
                break
        locked = locked_versions(copy / "Cargo.lock")
        for (name, line), low in sorted(wanted.items()):
            versions = [version_tuple(v) for v in locked.get(name, [])]
            reached = [v for v in versions if compat(v) == line]
            got = min(reached) if reached else None
            mark = "ok" if got == low else "NOT REACHED"
            print(f"  {name} {dotted(low)}: {dotted(got) if got else '-'} {mark}")
            if got != low:
                why = " / ".join(line.strip() for line in refusals.get(name, [])[:6])
                failures.append(f"{name} cannot go down to {dotted(low)} (lowest reached: "
                                f"{dotted(got) if got else '-'}): raise the requirement ({why})")
        build = subprocess.run(["cargo", "check", "--workspace", "--lib", "--bins", "--locked",
                                "--target-dir", args.target_dir], cwd=copy)
        if build.returncode != 0:
            failures.append("the crates do not build with their dependencies at the lowest versions")
    for failure in failures:
        print(f"lower bounds: {failure}", file=sys.stderr)
    print("lower bounds: " + ("failed" if failures else "every direct dependency builds at its minimum"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
