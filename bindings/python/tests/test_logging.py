"""Logging: the library's events become records of the ``droplet_action`` logger, handed to
its handlers on a thread of the package (``da.flush_logs`` waits for them), at the level
the logger has when each call starts."""

from __future__ import annotations

import logging
import re
import signal
import threading
import time

import pytest

import droplet_action as da
from conftest import TOKEN, Mock

PATH = "GET /v2/droplets/3164444/actions/36804636"


def records(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str]]:
    assert da.flush_logs(5.0)
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


def test_a_level_change_takes_effect_on_the_next_call(
    mock: Mock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url) as client:
        client.get(3164444, 36804636)
        caplog.set_level(logging.DEBUG, logger="droplet_action")
        client.get(3164444, 36804636)
        # A handler's own level is read when it gets the record: the debug records reach
        # it before its level goes up.
        assert da.flush_logs(5.0)
        caplog.set_level(logging.ERROR, logger="droplet_action")
        with pytest.raises(da.ApiError):
            client.get(151, 12345)
        caplog.set_level(logging.WARNING, logger="droplet_action")
        with pytest.raises(da.ApiError):
            client.get(151, 12346)
    assert [(level, message.split(":")[0]) for _, level, message in records(caplog)] == [
        (logging.DEBUG, PATH),
        (logging.DEBUG, PATH),
        (logging.WARNING, "GET /v2/droplets/151/actions/12346"),
    ]


def test_above_error_nothing_is_logged(mock: Mock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.CRITICAL, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url) as client:
        with pytest.raises(da.ApiError):
            client.get(152, 12345)
    assert records(caplog) == []


def test_a_slow_handler_never_holds_up_a_call(mock: Mock) -> None:
    """Each record takes its handler 0.3 s; a get that logs six records (two retries) within
    a 0.5 s timeout still succeeds at once. The records then arrive in order, made on the
    calling thread."""
    seen: list[tuple[str, str]] = []

    class Slow(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            time.sleep(0.3)
            seen.append((record.threadName or "", record.getMessage().split(":")[1].strip()))

    logger = logging.getLogger("droplet_action")
    slow = Slow()
    logger.addHandler(slow)
    logger.setLevel(logging.DEBUG)
    # With Python's own SIGINT handler (not inherited as ignored), a call of the main thread
    # runs on it.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with da.Client(TOKEN, base_url=mock.url, backoff=(0.001, 0.002)) as client:
            started = time.monotonic()
            assert client.get(155, 900500, timeout=0.5).id == 900500
            took = time.monotonic() - started
            assert took < 0.25, f"the call took {took:.3f} s"
        assert da.flush_logs(5.0)
    finally:
        signal.signal(signal.SIGINT, previous)
        logger.removeHandler(slow)
        logger.setLevel(logging.NOTSET)
    thread = threading.current_thread().name
    assert [s[0] for s in seen] == [thread] * 6
    assert [s[1].split(" ")[0] for s in seen] == [
        "attempt", "retrying", "attempt", "retrying", "attempt", "200",
    ]


def test_a_handler_raising_keyboard_interrupt_does_not_stop_later_records(mock: Mock) -> None:
    seen: list[str] = []

    class Raising(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())
            if len(seen) == 1:
                raise KeyboardInterrupt("from a handler")

    logger = logging.getLogger("droplet_action")
    raising = Raising()
    logger.addHandler(raising)
    logger.setLevel(logging.DEBUG)
    try:
        with da.Client(TOKEN, base_url=mock.url) as client:
            client.get(3164444, 36804636)
            client.get(3164444, 36804636)
        assert da.flush_logs(5.0)
    finally:
        logger.removeHandler(raising)
        logger.setLevel(logging.NOTSET)
    assert len(seen) == 4


def test_flush_logs_is_bounded_by_its_timeout(mock: Mock) -> None:
    release = threading.Event()

    class Stuck(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            release.wait(10)

    logger = logging.getLogger("droplet_action")
    stuck = Stuck()
    logger.addHandler(stuck)
    logger.setLevel(logging.DEBUG)
    try:
        with da.Client(TOKEN, base_url=mock.url) as client:
            client.get(3164444, 36804636)
        started = time.monotonic()
        assert da.flush_logs(0.2) is False
        assert 0.2 <= time.monotonic() - started < 1.0
        release.set()
        assert da.flush_logs(5.0) is True
    finally:
        release.set()
        logger.removeHandler(stuck)
        logger.setLevel(logging.NOTSET)


def test_the_token_is_never_logged(mock: Mock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="droplet_action")
    with da.Client(TOKEN, base_url=mock.url, backoff=(0.001, 0.002)) as client:
        client.get(153, 900500)
        client.wait(153, 900102, poll_interval=0.01)
    assert da.flush_logs(5.0)
    assert len(caplog.records) == 12  # 6 for a get retried twice, 2 per poll of the wait
    assert all(TOKEN not in message for _, _, message in records(caplog))


def test_the_package_logs_nothing_without_a_handler_of_the_application(
    mock: Mock, capsys: pytest.CaptureFixture[str]
) -> None:
    with da.Client(TOKEN, base_url=mock.url) as client:
        with pytest.raises(da.ApiError):
            client.get(154, 12345)
    assert capsys.readouterr().err == ""
