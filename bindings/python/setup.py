"""Builds a platform wheel that carries libdroplet_action.so next to the Python code.

The library comes from DROPLET_ACTION_LIB when that names a file; otherwise cargo builds
the droplet-action-ffi crate of the workspace this folder belongs to, in release mode, and
the library is taken from where cargo reports it. The package itself is plain Python
(ctypes), so the wheel is tagged py3-none-<platform>: any Python 3 on that platform.
"""

import json
import os
import pathlib
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py

HERE = pathlib.Path(__file__).resolve().parent
WORKSPACE = HERE.parent.parent
LIBRARY = "libdroplet_action.so"


def cargo_library() -> pathlib.Path:
    """Builds the C library with cargo and returns the path cargo reports for it."""
    if not (WORKSPACE / "Cargo.toml").is_file():
        raise SystemExit(f"set DROPLET_ACTION_LIB to a {LIBRARY}: no cargo workspace above {HERE}")
    command = ["cargo", "build", "--release", "-p", "droplet-action-ffi", "--lib",
               "--message-format=json-render-diagnostics"]
    try:
        run = subprocess.run(command, cwd=WORKSPACE, check=True, stdout=subprocess.PIPE, text=True)
    except FileNotFoundError:
        raise SystemExit(f"cargo not found: install Rust, or set DROPLET_ACTION_LIB to a {LIBRARY}")
    for line in run.stdout.splitlines():
        message = json.loads(line)
        if message.get("reason") != "compiler-artifact":
            continue
        for name in message.get("filenames", []):
            if name.endswith("/" + LIBRARY):
                return pathlib.Path(name)
    raise SystemExit(f"cargo built no {LIBRARY}")


def library_path() -> pathlib.Path:
    explicit = os.environ.get("DROPLET_ACTION_LIB")
    if explicit:
        path = pathlib.Path(explicit)
        if not path.is_file():
            raise SystemExit(f"DROPLET_ACTION_LIB={explicit} is not a file")
        return path
    return cargo_library()


class BuildPyWithLibrary(build_py):
    """Copies the C library into the built package."""

    def run(self) -> None:
        super().run()
        target = pathlib.Path(self.build_lib) / "droplet_action" / LIBRARY
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(library_path(), target)
        target.chmod(0o755)


class DistributionWithLibrary(Distribution):
    """Holds a binary: installed as platform code, in a platform wheel."""

    def has_ext_modules(self) -> bool:
        return True


class PlatformWheel(bdist_wheel):
    """A wheel for one platform (it holds a binary) but any Python 3 (ctypes, no extension)."""

    def get_tag(self) -> "tuple[str, str, str]":
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(
    distclass=DistributionWithLibrary,
    cmdclass={"build_py": BuildPyWithLibrary, "bdist_wheel": PlatformWheel},
)
