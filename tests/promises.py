#!/usr/bin/env python3
"""Checks tests/PROMISES.md: every file a promise names exists, and every test it names is
defined (a Rust `fn`, a Python `def`, a C or C++ function, a JavaScript `test('...')` of
node:test, a shell function) in the project's tests.

Run from anywhere: python3 tests/promises.py. Exits 1, naming each missing one, otherwise.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEST_DIRS = ["tests", "crates", "bindings", "examples"]
SOURCE_SUFFIXES = {".rs", ".py", ".c", ".cpp", ".h", ".hpp", ".mjs", ".sh"}


def defined_names() -> set:
    """Every function name defined in the project's test and example sources."""
    pattern = re.compile(
        r"^\s*(?:pub\s+)?(?:async\s+)?(?:fn|def)\s+([A-Za-z_][A-Za-z0-9_]*)"
        r"|^(?:static\s+)?(?:void|int|bool)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\("
        r"|^\s*test\(\s*'([^']+)'"
        r"|^([A-Za-z_][A-Za-z0-9_]*)\(\) \{",
        re.MULTILINE,
    )
    names = set()
    for top in TEST_DIRS:
        for path in (ROOT / top).rglob("*"):
            if (
                path.suffix in SOURCE_SUFFIXES
                and "target" not in path.parts
                and "node_modules" not in path.parts
            ):
                text = path.read_text(encoding="utf-8", errors="replace")
                for match in pattern.finditer(text):
                    names.add(next(group for group in match.groups() if group))
    return names


def main() -> int:
    promises = (ROOT / "tests" / "PROMISES.md").read_text(encoding="utf-8")
    names = defined_names()
    problems = []
    rows = 0
    for line in promises.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("promise", "---") or set(cells[0]) <= {"-", ":"}:
            continue
        rows += 1
        promise, files, tests = cells
        for part in files.split(";"):
            part = part.strip()
            path = part.split(" ", 1)[0]
            if not (ROOT / path).exists():
                problems.append(f"{promise!r}: no file {path}")
                continue
            inner = re.search(r"\(([^)]*)\)", part)
            if inner and (ROOT / path).is_dir():
                for name in re.findall(r"`([^`]+)`", inner.group(1)):
                    if not list((ROOT / path).glob(f"{name}.*")):
                        problems.append(f"{promise!r}: no {name} in {path}")
        for name in re.findall(r"`([^`]+)`", tests):
            if name not in names:
                problems.append(f"{promise!r}: no test named {name}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"promises: {rows} rows checked, {len(problems)} missing")
    return 1 if problems or rows == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
