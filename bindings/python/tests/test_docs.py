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
