"""Builds a platform wheel that carries libdroplet_action.so next to the Python code.

The library comes from DROPLET_ACTION_LIB when that names a file; otherwise cargo builds
the droplet-action-ffi crate, in release mode, and the library is taken from where cargo
reports it. The crate is that of the workspace this folder belongs to, or, in an sdist,
the copy of the workspace the sdist carries (in rust/), so that installing from the sdist
needs cargo and nothing else. The package itself is plain Python (ctypes), so the wheel is
tagged py3-none-<platform>: any Python 3 on that platform.
"""

import json
import os
import pathlib
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.bdist_wheel import bdist_wheel
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = pathlib.Path(__file__).resolve().parent
LIBRARY = "libdroplet_action.so"
# What of the workspace an sdist carries: enough for cargo to build droplet-action-ffi.
WORKSPACE_FILES = ["Cargo.toml", "Cargo.lock", "LICENSE-MIT", "LICENSE-APACHE"]
WORKSPACE_FOLDERS = ["crates"]


def workspace() -> pathlib.Path:
    """The cargo workspace: an sdist's copy, or the checkout this folder is in."""
    for candidate in (HERE / "rust", HERE.parent.parent):
        if (candidate / "Cargo.toml").is_file() and (candidate / "crates" / "ffi").is_dir():
            return candidate
    raise SystemExit(f"set DROPLET_ACTION_LIB to a {LIBRARY}: no cargo workspace for {HERE}")


def cargo_library() -> pathlib.Path:
    """Builds the C library with cargo and returns the path cargo reports for it."""
    root = workspace()
    command = ["cargo", "build", "--release", "-p", "droplet-action-ffi", "--lib",
               "--message-format=json-render-diagnostics"]
    try:
        run = subprocess.run(command, cwd=root, check=True, stdout=subprocess.PIPE, text=True)
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


class SdistWithWorkspace(sdist):
    """Puts the cargo workspace's sources (not its build output) into the sdist."""

    def make_release_tree(self, base_dir: str, files: "list[str]") -> None:
        super().make_release_tree(base_dir, files)
        root = workspace()
        target = pathlib.Path(base_dir) / "rust"
        for name in WORKSPACE_FILES:
            if (root / name).is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / name, target / name)
        for name in WORKSPACE_FOLDERS:
            shutil.copytree(root / name, target / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("target", "__pycache__"))


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
    cmdclass={
        "build_py": BuildPyWithLibrary,
        "bdist_wheel": PlatformWheel,
        "sdist": SdistWithWorkspace,
    },
)
