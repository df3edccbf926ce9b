"""The mock's modes: HTTPS with its own CA (``ca_file``), and a rate limit that the
client's own request budget (``requests_per_minute``) and retries live with."""

from __future__ import annotations

import pathlib
import re
import time
from typing import Iterator

import pytest

import droplet_action as da
from conftest import TOKEN, Mock, start_mock, stop_mock
from expected import DOCUMENTED


@pytest.fixture
def tls_mock(tmp_path: pathlib.Path) -> Iterator[tuple[Mock, pathlib.Path]]:
    ca = tmp_path / "mock-ca.pem"
    server = start_mock("--tls", "--ca-out", str(ca))
    try:
        yield server, ca
    finally:
        stop_mock(server)


def test_https_with_the_mock_ca_trusted(tls_mock: tuple[Mock, pathlib.Path]) -> None:
    server, ca = tls_mock
    assert server.url.startswith("https://127.0.0.1:")
    with da.Client(TOKEN, base_url=server.url, ca_file=ca) as client:
        assert client.get(3164444, 36804636) == DOCUMENTED


def test_https_without_the_mock_ca_is_refused_at_once(tls_mock: tuple[Mock, pathlib.Path]) -> None:
    server, _ = tls_mock
    with da.Client(TOKEN, base_url=server.url) as client:
        with pytest.raises(da.TransportError) as caught:
            client.get(3164444, 36804636)
    assert caught.value.message == (
        "transport error after 1 attempt(s): TLS failed: invalid peer certificate: UnknownIssuer"
    )
    assert caught.value.attempts == 1


def test_plain_http_to_the_https_port_is_a_bad_request(tls_mock: tuple[Mock, pathlib.Path]) -> None:
    server, _ = tls_mock
    with da.Client(TOKEN, base_url=server.url.replace("https", "http")) as client:
        with pytest.raises(da.ApiError) as caught:
            client.get(3164444, 36804636)
    assert (caught.value.http_status, caught.value.error_id, caught.value.message) == (
        400,
        "bad_request",
        "HTTP 400 Bad Request: bad_request: This port speaks HTTPS; the request was sent as "
        "plain HTTP.",
    )


def test_a_spent_request_budget_fails_a_call_at_once(mock: Mock) -> None:
    with da.Client(TOKEN, base_url=mock.url, requests_per_minute=1) as client:
        assert client.get(3164444, 36804636) == DOCUMENTED
        started = time.monotonic()
        with pytest.raises(da.TimeoutError) as caught:
            client.get(3164444, 36804636, timeout=0.3)
    assert time.monotonic() - started < 0.1
    assert re.fullmatch(
        r"the request budget has no slot for 6\d\.\d+s, longer than the 29\d\.\d+ms the call "
        r"allows \(after 0 attempt\(s\)\)",
        caught.value.message,
    ), caught.value.message
    assert (caught.value.attempts, caught.value.http_status) == (0, None)


def test_the_servers_rate_limit_is_waited_out(tmp_path: pathlib.Path) -> None:
    # Two requests a (scaled) minute, a minute lasting one real second: the third request
    # is refused with retry-after, and the client retries after it.
    server = start_mock("--rate-limit=2/1000", "--time-scale", "60")
    try:
        with da.Client(TOKEN, base_url=server.url) as client:
            started = time.monotonic()
            assert [client.get(3164444, 36804636) for _ in range(3)] == [DOCUMENTED] * 3
            assert 0.9 <= time.monotonic() - started < 3.0
        assert server.stats() == {
            "requests": 4,
            "too_many_requests": 1,
            "tokens": {TOKEN: {"requests": 4, "too_many_requests": 1}},
        }
    finally:
        stop_mock(server)
