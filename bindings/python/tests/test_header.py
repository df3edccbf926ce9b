"""The ctypes declarations mirror ``include/droplet_action.h``: every function with its
argument and return types, every struct's size and field offsets (measured by a C
compiler), every status constant."""

from __future__ import annotations

import ctypes
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import REPO
from droplet_action import _ffi

HEADER = REPO / "include" / "droplet_action.h"
STRUCTS = [
    _ffi.droplet_region,
    _ffi.droplet_action,
    _ffi.droplet_rate_limit,
    _ffi.droplet_action_result,
    _ffi.droplet_poll_event,
    _ffi.droplet_call_options,
    _ffi.droplet_action_ref,
    _ffi.droplet_header,
    _ffi.droplet_request,
    _ffi.droplet_wait_step,
    _ffi.droplet_defaults,
]
OPAQUE = ("droplet_client", "droplet_client_builder", "droplet_cancel_token", "droplet_waiter")
SCALARS = {
    "int64_t": ctypes.c_int64,
    "uint16_t": ctypes.c_uint16,
    "uint32_t": ctypes.c_uint32,
    "uint64_t": ctypes.c_uint64,
    "size_t": ctypes.c_size_t,
    "bool": ctypes.c_bool,
    "droplet_status": ctypes.c_uint32,
    "const char *": ctypes.c_char_p,
    # Declared as c_char_p so that bytes pass without a copy; the length travels apart.
    "const uint8_t *": ctypes.c_char_p,
    "void *": ctypes.c_void_p,
    "uint64_t *": ctypes.POINTER(ctypes.c_uint64),
    "droplet_log_callback": _ffi.droplet_log_callback,
}


def functions() -> dict[str, tuple[str, list[str]]]:
    """Every function the header declares: name -> (return type, argument types)."""
    found = {}
    for line in HEADER.read_text().splitlines():
        if line.startswith("DROPLET_DEPRECATED("):
            continue  # the names of earlier versions: the package uses the current ones
        match = re.fullmatch(r"(.+?)\s*\b(droplet_\w+)\((.*)\);", line)
        if match:
            arguments = [] if match[3] == "void" else [a.strip() for a in match[3].split(",")]
            # Drop each argument's name, keep its type.
            types = [re.sub(r"\s*\b\w+$", "", a).strip() for a in arguments]
            found[match[2]] = (match[1].strip(), types)
    return found


def expected_ctype(c_type: str) -> object:
    """The ctypes type a C type must be declared as."""
    c_type = re.sub(r"\s+\*", " *", c_type)
    if c_type in SCALARS:
        return SCALARS[c_type]
    match = re.fullmatch(r"(?:const )?(?:struct )?(droplet_\w+)((?: \*{1,2})?)", c_type)
    assert match, f"no ctypes mapping for {c_type!r}"
    name, stars = match[1], match[2].strip()
    if name in OPAQUE:
        return {"*": ctypes.c_void_p, "**": ctypes.POINTER(ctypes.c_void_p)}[stars]
    struct = getattr(_ffi, name)
    return ctypes.POINTER(struct) if stars == "*" else struct


def test_every_function_of_the_header_is_declared() -> None:
    declared = {
        name
        for name, value in vars(_ffi).items()
        if name.startswith("droplet_") and not isinstance(value, type) and hasattr(value, "argtypes")
    }
    assert sorted(functions()) == sorted(declared)
    # No prototype escapes the line parser of functions(): every name the header's code
    # (comments and deprecated declarations aside) calls like a function is one it found.
    code = re.sub(
        r"/\*.*?\*/|//[^\n]*|^DROPLET_DEPRECATED\([^\n]*", "", HEADER.read_text(), flags=re.S | re.M
    )
    assert sorted(declared) == sorted(set(re.findall(r"\b(droplet_\w+)\(", code)))


@pytest.mark.parametrize("name", sorted(functions()))
def test_each_function_is_declared_with_the_header_types(name: str) -> None:
    returns, arguments = functions()[name]
    declared = getattr(_ffi, name)
    assert declared.argtypes == [expected_ctype(a) for a in arguments]
    assert declared.restype == (None if returns == "void" else expected_ctype(returns))


def measure(program: str) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        source, exe = Path(folder) / "layout.c", Path(folder) / "layout"
        source.write_text(program)
        subprocess.run(
            ["gcc", "-std=c11", "-Wall", "-Werror", f"-I{HEADER.parent}", str(source), "-o", str(exe)],
            check=True,
        )
        return subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()


def test_struct_sizes_and_offsets_match_the_c_compiler() -> None:
    lines = ["#include <droplet_action.h>", "#include <stddef.h>", "#include <stdio.h>",
             "int main(void) {"]
    expected = []
    for struct in STRUCTS:
        name = struct.__name__
        lines.append(f'  printf("{name}=%zu\\n", sizeof({name}));')
        expected.append(f"{name}={ctypes.sizeof(struct)}")
        for field, *_ in struct._fields_:
            lines.append(f'  printf("{name}.{field}=%zu\\n", offsetof({name}, {field}));')
            expected.append(f"{name}.{field}={getattr(struct, field).offset}")
    lines += ["  return 0;", "}"]
    assert measure("\n".join(lines)) == expected


def test_status_constants_match_the_header() -> None:
    names = re.findall(r"\b(DROPLET_(?:ACTION_)?STATUS_\w+) = (\d+)", HEADER.read_text())
    assert len(names) == 15
    assert {name: getattr(_ffi, name) for name, _ in names} == {
        name: int(value) for name, value in names
    }


def test_the_defaults_come_from_the_library() -> None:
    import inspect

    import droplet_action as da

    d = _ffi.droplet_defaults_get()
    assert (d.timeout_ms, d.connect_timeout_ms, d.max_retries, d.backoff_base_ms,
            d.backoff_max_ms, d.max_retry_after_ms, d.body_limit, d.wait_timeout_ms,
            d.poll_interval_ms, d.requests_per_minute, d.requests_per_hour) == (
        30000, 10000, 2, 200, 5000, 60000, 4194304, 600000, 3000, 250, 5000)
    client = inspect.signature(da.Client).parameters
    assert [client[n].default for n in ("timeout", "connect_timeout", "max_retries", "backoff",
                                         "body_limit")] == [30.0, 10.0, 2, (0.2, 5.0), 4194304]
    wait = inspect.signature(da.Client.wait).parameters
    assert (wait["timeout"].default, wait["poll_interval"].default) == (600.0, 3.0)
