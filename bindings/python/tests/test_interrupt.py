"""Ctrl-C: SIGINT to a process blocked in a call raises KeyboardInterrupt within 200 ms,
ends the call in the library (no poll follows), and leaves the client usable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import TOKEN, Mock

CHILD = textwrap.dedent(
    """
    import signal, sys, time
    # A program started in the background of a shell inherits SIGINT ignored; Python then
    # installs no handler of its own. These children are the foreground programs Ctrl-C
    # reaches: they start with Python's handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import droplet_action as da

    if sys.argv[4] == "own-handler":
        def handler(signum, frame):
            raise KeyboardInterrupt("from the application's own handler")
        signal.signal(signal.SIGINT, handler)
    client = da.Client(sys.argv[1], base_url=sys.argv[2])
    call = {
        "wait": lambda: client.wait(110, 900199, poll_interval=1.0),
        "get": lambda: client.get(10000, 900800),
        "wait_many": lambda: client.wait_many([(111, 900199), (112, 900199)], poll_interval=1.0),
    }[sys.argv[3]]
    print("calling", flush=True)
    try:
        call()
        print("returned", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.monotonic():.6f}", flush=True)
    print(client.get(3164444, 36804636).id, flush=True)
    """
)


def interrupt(mock: Mock, mode: str, handler: str = "python") -> tuple[float, list[str]]:
    """Runs a child blocked in ``mode`` and sends it SIGINT; the delay to its
    KeyboardInterrupt (both clocks are CLOCK_MONOTONIC) and the lines it printed after.
    ``handler``: Python's own SIGINT handler, or the application's ("own-handler")."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, TOKEN, mock.url, mode, handler],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    try:
        assert child.stdout.readline() == "calling\n"
        time.sleep(0.4)
        sent = time.monotonic()
        os.kill(child.pid, signal.SIGINT)
        word, at = child.stdout.readline().split()
        assert word == "interrupted"
        rest = child.stdout.read().splitlines()
        assert child.wait(timeout=10) == 0
        return float(at) - sent, rest
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def answers_so_far(mock: Mock) -> int:
    """How many answers the mock gave before this one (request ids count them)."""
    return int(mock.headers()["x-request-id"].rsplit("-", 1)[1], 16) - 1


@pytest.mark.parametrize("handler", ["python", "own-handler"])
@pytest.mark.parametrize("mode", ["wait", "get", "wait_many"])
def test_ctrl_c_interrupts_within_200_ms_and_the_client_still_works(
    mock: Mock, mode: str, handler: str
) -> None:
    delay, after = interrupt(mock, mode, handler)
    assert 0 <= delay < 0.2, f"KeyboardInterrupt {delay * 1000:.0f} ms after SIGINT"
    assert after == ["36804636"]


@pytest.mark.parametrize("handler", ["python", "own-handler"])
@pytest.mark.parametrize(("mode", "polls"), [("wait", 1), ("wait_many", 2)])
def test_ctrl_c_ends_the_wait_in_the_library(
    mock: Mock, mode: str, polls: int, handler: str
) -> None:
    interrupt(mock, mode, handler)
    # A wait still running would poll again one second after its first poll.
    time.sleep(1.2)
    assert answers_so_far(mock) == polls + 1


LOOP_CHILD = textwrap.dedent(
    """
    import faulthandler, os, random, signal, sys, threading, time
    # A program started in the background of a shell inherits SIGINT ignored; Python then
    # installs no handler of its own. These children are the foreground programs Ctrl-C
    # reaches: they start with Python's handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import droplet_action as da

    faulthandler.dump_traceback_later(20, exit=True)
    if sys.argv[4] == "own-handler":
        def handler(signum, frame):
            raise KeyboardInterrupt("from the application's own handler")
        signal.signal(signal.SIGINT, handler)
    client = da.Client(sys.argv[1], base_url=sys.argv[2])
    call = {
        "wait": lambda: client.wait(3164444, 36804636),
        "get": lambda: client.get(3164444, 36804636),
        "wait_many": lambda: client.wait_many([(3164444, 36804636)]),
    }[sys.argv[3]]
    sent = []

    def interrupt():
        sent.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    random.seed(int(sys.argv[6]))
    for _ in range(int(sys.argv[5])):
        sent.clear()
        threading.Timer(random.uniform(0.01, 0.1), interrupt).start()
        try:
            while True:
                call()
        except KeyboardInterrupt:
            delay = time.monotonic() - sent[0]
        # Left behind: Python's wakeup fd (none was set) and the calls in flight.
        print(f"{delay:.6f} {signal.set_wakeup_fd(-1)} {client._in_flight}", flush=True)
        print(client.get(3164444, 36804636).id, flush=True)
    """
)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("handler", ["python", "own-handler"])
@pytest.mark.parametrize("mode", ["wait", "get", "wait_many"])
def test_ctrl_c_at_any_moment_of_a_call_loop_is_raised_at_once(
    mock: Mock, mode: str, handler: str, seed: int
) -> None:
    # SIGINT at random moments of back-to-back calls: some land while a call waits for the
    # worker, some just as it ends. Each must be raised, at once, and leave the client usable.
    runs = 25
    child = subprocess.run(
        [sys.executable, "-c", LOOP_CHILD, TOKEN, mock.url, mode, handler, str(runs), str(seed)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (child.returncode, child.stderr) == (0, "")
    lines = child.stdout.splitlines()
    assert len(lines) == 2 * runs
    for line, action_id in zip(lines[::2], lines[1::2]):
        delay, wakeup_fd, in_flight = line.split()
        assert 0 <= float(delay) < 0.2, f"KeyboardInterrupt {float(delay) * 1000:.0f} ms after SIGINT"
        assert (wakeup_fd, in_flight, action_id) == ("-1", "0", "36804636")


LOG_CHILD = textwrap.dedent(
    """
    import faulthandler, logging, os, signal, sys, threading, time
    # A program started in the background of a shell inherits SIGINT ignored; Python then
    # installs no handler of its own. These children are the foreground programs Ctrl-C
    # reaches: they start with Python's handler.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    import droplet_action as da

    faulthandler.dump_traceback_later(20, exit=True)

    class Slow(logging.Handler):
        sent = False

        def emit(self, record):
            # SIGINT lands while this handler runs (on the package's log thread) and the
            # main thread is in the call.
            if not Slow.sent:
                Slow.sent = True
                threading.Timer(0.02, os.kill, (os.getpid(), signal.SIGINT)).start()
            time.sleep(1)

    logger = logging.getLogger("droplet_action")
    logger.setLevel(logging.DEBUG)
    slow = Slow()
    logger.addHandler(slow)
    client = da.Client(sys.argv[1], base_url=sys.argv[2])
    started = time.monotonic()
    try:
        if sys.argv[3] == "get":
            client.get(10000, 900800)
        else:
            client.wait(110, 900199, poll_interval=1.0)
        print("returned")
    except KeyboardInterrupt:
        print(f"interrupted {time.monotonic() - started < 1.2}")
    except da.Error as error:
        print(type(error).__name__)
    logger.removeHandler(slow)
    print(client.get(3164444, 36804636).id)
    """
)


@pytest.mark.parametrize("mode", ["get", "wait"])
def test_ctrl_c_while_a_slow_log_handler_runs_is_raised_at_once(mock: Mock, mode: str) -> None:
    child = subprocess.run(
        [sys.executable, "-c", LOG_CHILD, TOKEN, mock.url, mode],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (child.returncode, child.stderr, child.stdout) == (0, "", "interrupted True\n36804636\n")
