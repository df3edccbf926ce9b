"""Logging: the library's events become records of the ``droplet_action`` logger."""

from __future__ import annotations

import logging
import re

import pytest

import droplet_action as da
from conftest import TOKEN, Mock

PATH = "GET /v2/droplets/3164444/actions/36804636"


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


def test_a_get_logs_its_attempt_and_outcome_at_debug(
    mock: Mock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url) as client:
        client.get(3164444, 36804636)
    assert records(caplog) == [
        ("droplet_action", logging.DEBUG, f"{PATH}: attempt 1"),
        (
            "droplet_action",
            logging.DEBUG,
            f"{PATH}: 200 after 1 attempt(s) (request id {mock.request_id(1)})",
        ),
    ]


def test_retries_log_at_info_and_failures_at_warning(
    mock: Mock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url, max_retries=1, backoff=(0.001, 0.002)) as client:
        with pytest.raises(da.ApiError):
            client.get(150, 900599)
    logged = records(caplog)
    assert [(name, level) for name, level, _ in logged] == [
        ("droplet_action", logging.INFO),
        ("droplet_action", logging.WARNING),
    ]
    error = "HTTP 500 Internal Server Error: server_error: Unexpected server-side error"
    assert re.fullmatch(
        rf"GET /v2/droplets/150/actions/900599: retrying in [0-9.]+[µm]?s after attempt 1: "
        rf"{error} \(request id {mock.request_id(1)}\)",
        logged[0][2],
    ), logged[0][2]
    assert logged[1][2] == (
        f"GET /v2/droplets/150/actions/900599: failed after 2 attempt(s): {error} "
        f"(request id {mock.request_id(2)})"
    )


def test_the_level_is_fixed_when_the_client_is_made(
    mock: Mock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url) as client:
        # The library was told "warnings and errors only": debug events are not even made.
        caplog.set_level(logging.DEBUG, logger="droplet_action")
        client.get(3164444, 36804636)
        with pytest.raises(da.ApiError):
            client.get(151, 12345)
    assert [(level, message.split(":")[0]) for _, level, message in records(caplog)] == [
        (logging.WARNING, "GET /v2/droplets/151/actions/12345"),
    ]


def test_above_error_nothing_is_logged(mock: Mock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url) as client:
        caplog.set_level(logging.DEBUG, logger="droplet_action")
        with pytest.raises(da.ApiError):
            client.get(152, 12345)
    assert records(caplog) == []


def test_the_token_is_never_logged(mock: Mock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url, backoff=(0.001, 0.002)) as client:
        client.get(153, 900500)
        client.wait(153, 900102, poll_interval=0.01)
    assert len(caplog.records) == 12  # 6 for a get retried twice, 2 per poll of the wait
    assert all(TOKEN not in message for _, _, message in records(caplog))


def test_the_package_logs_nothing_without_a_handler_of_the_application(
    mock: Mock, capsys: pytest.CaptureFixture[str]
) -> None:
    with da.Client(TOKEN, base_url=mock.url) as client:
        with pytest.raises(da.ApiError):
            client.get(154, 12345)
    assert capsys.readouterr().err == ""
