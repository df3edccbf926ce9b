"""Every public name of the package has a docstring, and so does every public method and
property of its classes."""

from __future__ import annotations

import inspect

import pytest

import droplet_action as da
from droplet_action import sansio

PUBLIC = [(da, name) for name in da.__all__] + [(sansio, name) for name in sansio.__all__]


def test_the_public_names() -> None:
    assert sorted(da.__all__) == [
        "Action", "ActionErroredError", "ActionStatus", "ApiError", "AsyncClient",
        "BodyTooLargeError", "CancelToken", "CancelledError", "Client", "DecodeError", "Error",
        "InternalError", "InvalidArgumentError", "PollEvent", "RateLimit", "RateLimitedError", "Region", "Status",
        "TimeoutError", "TransportError", "flush_logs", "library_version", "sansio",
    ]
    assert sansio.__all__ == ["build_request", "parse_response", "retry_advice"]


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[name for _, name in PUBLIC])
def test_documented(module: object, name: str) -> None:
    value = getattr(module, name)
    assert (value.__doc__ or "").strip(), f"{name} has no docstring"
    if inspect.isclass(value):
        for member, attribute in vars(value).items():
            if member.startswith("_") or not isinstance(
                attribute, (property, classmethod, staticmethod, type(test_documented))
            ):
                continue
            assert (getattr(value, member).__doc__ or "").strip(), f"{name}.{member} has no docstring"


def test_the_vocabulary_table_names_what_the_package_has() -> None:
    import inspect as _inspect
    import pathlib
    import re

    from test_header import HEADER

    readme = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("## Vocabulary\n")[1].split("\n\n")[1]
    header = HEADER.read_text()
    checked = 0
    for row in table.splitlines()[2:]:
        cells = [cell.strip() for cell in row.split("|")]
        for name in re.findall(r"`([^`]+)`", cells[2]):
            if "." not in name and not hasattr(da, name):
                # A keyword argument of the calls.
                assert name in _inspect.signature(da.Client.wait).parameters, name
                checked += 1
                continue
            value: object = da
            for part in name.split("."):
                value = getattr(value, part)
            assert _inspect.isclass(value) or callable(value) or isinstance(value, property)
            checked += 1
        for name in re.findall(r"`([^`]+)`", cells[3]):
            assert re.search(rf"^[^/D].*\b{name}\b", header, re.MULTILINE), name
            checked += 1
    assert checked == 19
