"""fork(): a client inherited by a child process works there, never hangs, and never shares
a connection with its parent.

Each child runs under ``multiprocessing`` with the fork start method and reports through a
queue; a child that does not finish in time counts as a hang.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from typing import Any, Callable, List, Tuple

import pytest

import droplet_action as da
from conftest import TOKEN, Mock

FORK = multiprocessing.get_context("fork")
HANG = 20.0


def in_child(
    body: Callable[[], Any], meanwhile: Callable[[], None] = lambda: None
) -> Tuple[str, Any]:
    """Runs ``body`` in a forked child: ("ok", its value) or ("error", repr of what it
    raised), and ``meanwhile`` in the parent while the child runs."""
    results: "multiprocessing.queues.SimpleQueue[Tuple[str, Any]]" = FORK.SimpleQueue()

    def run() -> None:
        try:
            results.put(("ok", body()))
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            results.put(("error", repr(error)))

    process = FORK.Process(target=run)
    process.start()
    meanwhile()
    process.join(HANG)
    if process.is_alive():
        process.kill()
        process.join()
        pytest.fail(f"the child hung for {HANG} s")
    assert process.exitcode == 0
    return results.get()


def test_a_client_used_before_fork_answers_in_the_child(client: da.Client) -> None:
    assert client.get(3164444, 36804636).id == 36804636
    assert in_child(lambda: [client.get(7, 900150 + n).id for n in range(3)]) == (
        "ok",
        [900150, 900151, 900152],
    )
    # The parent's client goes on as before.
    assert client.get(3164444, 36804636).id == 36804636


def test_parent_and_child_never_share_a_connection(client: da.Client) -> None:
    """The client's connection is idle when the child is forked, and both processes then
    call at once, each for its own actions: a shared socket would cross their answers (an
    action id that was not asked for), fail them, or hang them."""
    assert client.get(3164444, 36804636).id == 36804636
    parent: List[Tuple[int, Any]] = []

    def parent_calls() -> None:
        for a in range(900101, 900190):
            for _ in range(3):
                try:
                    parent.append((a, client.get(1, a).id))
                except da.Error as error:
                    parent.append((a, repr(error)))

    outcome = in_child(
        lambda: [(a, client.get(2, a).id) for a in range(900201, 900290) for _ in range(3)],
        parent_calls,
    )
    assert outcome == ("ok", [(a, a) for a in range(900201, 900290) for _ in range(3)])
    assert parent == [(a, a) for a in range(900101, 900190) for _ in range(3)]


def test_a_call_running_on_another_thread_at_fork_does_not_block_the_child(
    mock: Mock,
) -> None:
    """A thread of the parent is inside a call (holding what a call holds) when the child
    is forked: the child's calls and its close go on."""
    client = da.Client(TOKEN, base_url=mock.url)
    started = threading.Event()

    def long_wait() -> None:
        started.set()
        client.wait(3, 5000002, poll_interval=0.05, timeout=10.0)

    thread = threading.Thread(target=long_wait)
    thread.start()
    started.wait()

    def child() -> Tuple[Any, bool]:
        action_id = client.get(3164444, 36804636).id
        client.close()
        return action_id, client.closed

    assert in_child(child) == ("ok", (36804636, True))
    thread.join()
    client.close()


def test_an_async_client_answers_in_the_child(mock: Mock) -> None:
    client = da.AsyncClient(TOKEN, base_url=mock.url, max_workers=2)

    async def many() -> List[Any]:
        return [a.id for a in await asyncio.gather(*(client.get(4, 900111 + n) for n in range(4)))]

    # The parent's pool has started all its threads.
    assert asyncio.run(many()) == [900111, 900112, 900113, 900114]
    assert in_child(lambda: asyncio.run(many())) == ("ok", [900111, 900112, 900113, 900114])
    assert asyncio.run(many()) == [900111, 900112, 900113, 900114]
    client.close()


def test_a_closed_async_client_stays_closed_in_the_child(mock: Mock) -> None:
    client = da.AsyncClient(TOKEN, base_url=mock.url)
    client.close()

    def child() -> str:
        try:
            asyncio.run(client.get(1, 1))
        except da.InvalidArgumentError as error:
            return str(error)
        return "answered"

    assert in_child(child) == ("ok", "the client is closed")
