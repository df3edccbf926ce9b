"""Typing: a user program that touches every public name type-checks under
``mypy --strict --disallow-any-expr``, so no ``Any`` leaks out of the package; and the
typed settings of ``AsyncClient`` and ``from_env`` are exactly ``Client``'s."""

from __future__ import annotations

import inspect
import pathlib
import subprocess
import sys

import pytest

import droplet_action as da
from droplet_action import _client

PROGRAM = pathlib.Path(__file__).resolve().parent / "typing" / "user_program.py"


def test_a_user_program_sees_no_any() -> None:
    pytest.importorskip("mypy")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--disallow-any-expr", "--no-incremental",
         "--cache-dir=/dev/null", str(PROGRAM)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (checked.returncode, checked.stdout.strip()) == (
        0,
        "Success: no issues found in 1 source file",
    ), checked.stdout + checked.stderr


def test_the_user_program_names_every_public_name() -> None:
    text = PROGRAM.read_text()
    missing = [name for name in da.__all__ if f"da.{name}" not in text and name != "sansio"]
    missing += [name for name in da.sansio.__all__ if f"sansio.{name}" not in text]
    assert missing == []


def test_the_typed_settings_are_the_clients_keywords() -> None:
    keywords = [
        name
        for name, parameter in inspect.signature(da.Client).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    assert list(_client.Settings.__annotations__) == keywords
    assert set(_client.EnvSettings.__annotations__) == set(keywords) | {"token"}


def test_status_names_every_c_status_and_keeps_unknown_ones() -> None:
    assert [(s.name, s.value) for s in da.Status] == [
        ("OK", 0), ("INVALID_ARGUMENT", 1), ("TRANSPORT", 2), ("TIMEOUT", 3),
        ("API_ERROR", 4), ("DECODE", 5), ("BODY_TOO_LARGE", 6), ("ACTION_ERRORED", 7),
        ("PANIC", 8), ("CANCELLED", 9), ("RATE_LIMITED", 10),
    ]
    assert (da.Status(42).name, int(da.Status(42))) == ("UNKNOWN_42", 42)
    with pytest.raises(ValueError):
        da.Status(-1)
    assert da.TimeoutError("late").status is da.Status.TIMEOUT
