"""Fixtures: a fresh mock server per test (the droplet-action-mock binary), and clients on it.

The mock is found through DROPLET_ACTION_MOCK, else in the workspace's target/release. A
fresh server per test makes exact values predictable: request ids count from 1, and
``ratelimit-remaining`` starts at 4999.
"""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import re
import subprocess
from dataclasses import dataclass
from typing import Any, Iterator

import pytest

import droplet_action as da

REPO = pathlib.Path(__file__).resolve().parents[3]
TOKEN = "mock-token"


def mock_binary() -> pathlib.Path:
    explicit = os.environ.get("DROPLET_ACTION_MOCK")
    path = pathlib.Path(explicit) if explicit else REPO / "target" / "release" / "droplet-action-mock"
    assert path.is_file(), f"build the mock: cargo build -p droplet-action-mock --release ({path})"
    return path


@dataclass
class Mock:
    """A running mock server."""

    url: str
    port: int
    process: "subprocess.Popen[str]"

    def request_id(self, n: int) -> str:
        """The x-request-id of this server's n-th answer."""
        return f"{self.port:08x}-0000-4000-8000-{n:012x}"

    def headers(self, path: str = "/v2/droplets/1/actions/1") -> dict[str, str]:
        """The headers of one answer, fetched with the standard library (counts as an answer)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
            response = connection.getresponse()
            response.read()
            return {name.lower(): value for name, value in response.getheaders()}
        finally:
            connection.close()

    def stats(self) -> dict[str, Any]:
        """The mock's counters (``GET /__mock/stats``, not counted as an answer)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/__mock/stats")
            stats: dict[str, Any] = json.loads(connection.getresponse().read())
            return stats
        finally:
            connection.close()

    @property
    def reset(self) -> int:
        """``ratelimit-reset``, fixed for the server's life."""
        return int(self.headers()["ratelimit-reset"])


def start_mock(*flags: str) -> Mock:
    """Starts the mock binary with ``flags`` (``--tls``, ``--rate-limit``, ...)."""
    process = subprocess.Popen(
        [str(mock_binary()), "--port", "0", *flags], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert re.fullmatch(r"listening on https?://127\.0\.0\.1:\d+", line), line
    url = line.split()[-1]
    return Mock(url=url, port=int(url.rsplit(":", 1)[1]), process=process)


def stop_mock(mock: Mock) -> None:
    mock.process.terminate()
    assert mock.process.wait(timeout=10) == 0
    if mock.process.stdout is not None:
        mock.process.stdout.close()


@pytest.fixture
def mock() -> Iterator[Mock]:
    server = start_mock()
    try:
        yield server
    finally:
        stop_mock(server)


@pytest.fixture
def client(mock: Mock) -> Iterator[da.Client]:
    """A client on the mock with short backoffs, so retries take milliseconds."""
    with da.Client(TOKEN, base_url=mock.url, backoff=(0.001, 0.002)) as c:
        yield c
