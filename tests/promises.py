#!/usr/bin/env python3
"""Checks tests/PROMISES.md: every file a promise names exists, and every test it names is
defined (a Rust `fn`, a Python `def`, a C or C++ function, a JavaScript `test('...')` of
node:test, a shell function) in one of the files the row names (a Rust module's own folder
counts with it: `wait.rs` holds what `wait/tests.rs` defines). A name in parentheses, such
as "(in `control_calls_hold_from_c`)", is the runner of the test before it and may be
defined anywhere in the project's tests.

Run from anywhere: python3 tests/promises.py. Exits 1, naming each missing one, otherwise.
"""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEST_DIRS = ["tests", "crates", "bindings", "examples"]
SOURCE_SUFFIXES = {".rs", ".py", ".c", ".cpp", ".h", ".hpp", ".mjs", ".sh"}


PATTERN = re.compile(
        r"^\s*(?:pub\s+)?(?:async\s+)?(?:fn|def)\s+([A-Za-z_][A-Za-z0-9_]*)"
        r"|^(?:static\s+)?(?:void|int|bool)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\("
        r"|^\s*test\(\s*'([^']+)'"
        r"|^([A-Za-z_][A-Za-z0-9_]*)\(\) \{",
    re.MULTILINE,
)


def names_in(path: pathlib.Path) -> set:
    """The function names a source file defines."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return {next(group for group in match.groups() if group) for match in PATTERN.finditer(text)}


def sources(path: pathlib.Path):
    """The source files a named path stands for: itself, or every source below a folder, and
    a Rust module file's own folder (`wait.rs` and `wait/`)."""
    candidates = [path] if path.is_file() else []
    folders = [path] if path.is_dir() else []
    if path.suffix == ".rs" and path.with_suffix("").is_dir():
        folders.append(path.with_suffix(""))
    for folder in folders:
        candidates += [p for p in folder.rglob("*") if p.is_file()]
    return [
        p
        for p in candidates
        if p.suffix in SOURCE_SUFFIXES and not {"target", "node_modules"} & set(p.parts)
    ]


def defined_names() -> set:
    """Every function name defined in the project's test and example sources."""
    names = set()
    for top in TEST_DIRS:
        for path in sources(ROOT / top):
            names |= names_in(path)
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
        local = set()
        for part in files.split(";"):
            part = part.strip()
            path = part.split(" ", 1)[0]
            if not (ROOT / path).exists():
                problems.append(f"{promise!r}: no file {path}")
                continue
            for source in sources(ROOT / path):
                local |= names_in(source)
            inner = re.search(r"\(([^)]*)\)", part)
            if inner and (ROOT / path).is_dir():
                for name in re.findall(r"`([^`]+)`", inner.group(1)):
                    if not list((ROOT / path).glob(f"{name}.*")):
                        problems.append(f"{promise!r}: no {name} in {path}")
        runners = set()
        for group in re.findall(r"\(([^)]*)\)", tests):
            runners |= set(re.findall(r"`([^`]+)`", group))
        for name in re.findall(r"`([^`]+)`", tests):
            if name in runners:
                if name not in names:
                    problems.append(f"{promise!r}: no test named {name}")
            elif name not in local:
                problems.append(f"{promise!r}: no test named {name} in {files}")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"promises: {rows} rows checked, {len(problems)} missing")
    return 1 if problems or rows == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
