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


CTRL_C = REPO / "examples" / "python" / "ctrl_c_threads.py"


def test_ctrl_c_cancels_waits_on_other_threads(mock: Mock) -> None:
    """SIGINT while three waits run on worker threads: each ends with CancelledError and its
    last state, within 0.5 s, and the program exits with 130."""
    import signal

    env = dict(os.environ, DIGITALOCEAN_ACCESS_TOKEN=TOKEN, DIGITALOCEAN_API_URL=mock.url)
    refs = ["1:900199", "2:900199", "3164444:36804636"]
    process = subprocess.Popen(
        [sys.executable, str(CTRL_C), *refs],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "waiting for 3 action(s); Ctrl-C cancels them\n"
    time.sleep(0.5)  # every wait has polled once and sleeps until its next poll, 3 s on
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    took = time.monotonic() - sent
    assert (process.returncode, err) == (130, "")
    assert out.splitlines() == [
        "1:900199 cancelled (last seen: in-progress)",
        "2:900199 cancelled (last seen: in-progress)",
        "3164444:36804636 completed",
    ]
    assert took < 0.5, f"the waits ended {took:.3f} s after SIGINT"
