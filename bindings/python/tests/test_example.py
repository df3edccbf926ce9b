"""The asyncio + h11 + sans-IO example runs against the mock and prints what it should."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import REPO, TOKEN, Mock

EXAMPLE = REPO / "examples" / "python" / "asyncio_sansio.py"


def test_a_hundred_requests_on_one_thread(mock: Mock) -> None:
    env = dict(os.environ, DIGITALOCEAN_ACCESS_TOKEN=TOKEN, DIGITALOCEAN_API_URL=mock.url)
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=60
    )
    elapsed = time.monotonic() - started
    assert (run.returncode, run.stderr) == (0, "")
    assert run.stdout.splitlines() == [
        "100 requests on 1 thread(s)",
        "  5 ApiError 404 not_found",
        " 90 completed after 1 attempt(s)",
        "  5 completed after 2 attempt(s)",
    ]
    # Five retries each paused one second, as the 429 asked: at the same time, not in turn.
    assert 1.0 <= elapsed < 3.0
    # Every request reached the server: 100, and the 5 retries.
    assert mock.headers()["x-request-id"] == mock.request_id(106)
