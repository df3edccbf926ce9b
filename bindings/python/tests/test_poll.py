"""Every request of a wait is observable: ``on_poll`` on the blocking and async waits, and
``AsyncClient.watch``, an async iterator of the same ``PollEvent`` s."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any, List, Tuple

import pytest

import droplet_action as da
from conftest import TOKEN, Mock

IN_PROGRESS = da.ActionStatus.IN_PROGRESS
COMPLETED = da.ActionStatus.COMPLETED
ERRORED = da.ActionStatus.ERRORED


def shape(event: da.PollEvent) -> Tuple[Any, ...]:
    """The event without its times."""
    return (
        event.droplet_id,
        event.action_id,
        event.status,
        event.status_text,
        event.http_status,
        event.polls,
        event.requests,
        event.next_poll_in is not None,
    )


def test_a_wait_reports_each_poll(client: da.Client) -> None:
    events: List[da.PollEvent] = []
    action = client.wait(301, 900102, poll_interval=0.02, on_poll=events.append)
    assert action.status is COMPLETED
    assert [shape(e) for e in events] == [
        (301, 900102, IN_PROGRESS, "in-progress", 200, 1, 1, True),
        (301, 900102, IN_PROGRESS, "in-progress", 200, 2, 2, True),
        (301, 900102, COMPLETED, "completed", 200, 3, 3, False),
    ]
    assert [e.next_poll_in for e in events] == [0.02, 0.02, None]
    assert events[0].elapsed < events[1].elapsed < events[2].elapsed
    assert events[2].elapsed >= 0.04


def test_a_failed_request_is_reported_with_its_http_status(mock: Mock) -> None:
    events: List[da.PollEvent] = []
    with da.Client(TOKEN, base_url=mock.url, backoff=(0.01, 0.04)) as client:
        client.wait(302, 900500, poll_interval=0.02, on_poll=events.append)
    assert [shape(e) for e in events] == [
        (302, 900500, None, None, 500, 1, 1, True),
        (302, 900500, None, None, 500, 1, 2, True),
        (302, 900500, COMPLETED, "completed", 200, 1, 3, False),
    ]


def test_on_poll_runs_on_the_thread_that_waits(client: da.Client) -> None:
    threads: List[int] = []
    worker = threading.Thread(
        target=lambda: client.wait(
            303, 900101, poll_interval=0.01, on_poll=lambda _e: threads.append(threading.get_ident())
        )
    )
    worker.start()
    worker.join()
    assert threads == [worker.ident, worker.ident]


def test_an_exception_from_on_poll_is_logged_and_the_wait_goes_on(
    client: da.Client, caplog: pytest.LogCaptureFixture
) -> None:
    calls: List[int] = []

    def broken(event: da.PollEvent) -> None:
        calls.append(event.polls)
        raise RuntimeError("broken on_poll")

    with caplog.at_level(logging.ERROR, logger="droplet_action"):
        action = client.wait(304, 900102, poll_interval=0.01, on_poll=broken)
        assert da.flush_logs(2.0)
    assert action.status is COMPLETED
    assert calls == [1, 2, 3]
    raised = [r for r in caplog.records if r.getMessage().startswith("on_poll raised")]
    assert [r.getMessage() for r in raised] == ["on_poll raised for action 900102; the wait goes on"] * 3
    assert all(r.exc_info and r.exc_info[0] is RuntimeError for r in raised)


def test_wait_many_reports_every_action(client: da.Client) -> None:
    events: List[da.PollEvent] = []
    client.wait_many([(305, 900101), (306, 900102)], poll_interval=0.01, on_poll=events.append)
    assert sorted((e.droplet_id, e.polls, e.status) for e in events) == [
        (305, 1, IN_PROGRESS),
        (305, 2, COMPLETED),
        (306, 1, IN_PROGRESS),
        (306, 2, IN_PROGRESS),
        (306, 3, COMPLETED),
    ]


def test_on_poll_must_be_callable(client: da.Client) -> None:
    with pytest.raises(da.InvalidArgumentError, match="on_poll must be callable"):
        client.wait(307, 900101, on_poll=42)  # type: ignore[arg-type]


def test_async_on_poll_runs_on_the_event_loop(mock: Mock) -> None:
    async def main() -> Tuple[List[Tuple[Any, ...]], List[int], int]:
        events: List[Tuple[Any, ...]] = []
        threads: List[int] = []

        def seen(event: da.PollEvent) -> None:
            events.append(shape(event))
            threads.append(threading.get_ident())

        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            await client.wait(308, 900102, poll_interval=0.01, on_poll=seen)
            await client.wait_many([(309, 900101)], poll_interval=0.01, on_poll=seen)
        return events, threads, threading.get_ident()

    events, threads, loop_thread = asyncio.run(main())
    assert events == [
        (308, 900102, IN_PROGRESS, "in-progress", 200, 1, 1, True),
        (308, 900102, IN_PROGRESS, "in-progress", 200, 2, 2, True),
        (308, 900102, COMPLETED, "completed", 200, 3, 3, False),
        (309, 900101, IN_PROGRESS, "in-progress", 200, 1, 1, True),
        (309, 900101, COMPLETED, "completed", 200, 2, 2, False),
    ]
    assert set(threads) == {loop_thread}


def test_watch_yields_each_poll_then_ends(mock: Mock) -> None:
    async def main() -> List[Tuple[Any, ...]]:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            return [shape(e) async for e in client.watch(310, 900102, poll_interval=0.01)]

    assert asyncio.run(main()) == [
        (310, 900102, IN_PROGRESS, "in-progress", 200, 1, 1, True),
        (310, 900102, IN_PROGRESS, "in-progress", 200, 2, 2, True),
        (310, 900102, COMPLETED, "completed", 200, 3, 3, False),
    ]


def test_watch_raises_what_wait_raises_after_the_last_event(mock: Mock) -> None:
    async def main() -> Tuple[List[Any], BaseException]:
        seen: List[Any] = []
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            try:
                async for event in client.watch(311, 900201, poll_interval=0.01):
                    seen.append(event.status)
            except da.Error as error:
                return seen, error
        raise AssertionError("no error")

    seen, error = asyncio.run(main())
    assert seen == [IN_PROGRESS, ERRORED]
    assert isinstance(error, da.ActionErroredError)
    assert str(error) == "action 900201 ended with status errored"


def test_leaving_watch_early_ends_the_wait(mock: Mock) -> None:
    async def main() -> int:
        before = mock.stats()["requests"]
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            async for event in client.watch(312, 900199, poll_interval=0.01):
                if event.polls == 3:
                    break
            await asyncio.sleep(0.2)
        return int(mock.stats()["requests"]) - before

    assert asyncio.run(main()) == 3


def test_closing_a_watch_held_by_a_name_ends_the_wait(mock: Mock) -> None:
    async def main() -> int:
        before = mock.stats()["requests"]
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            events = client.watch(313, 900199, poll_interval=0.01)
            async with contextlib.aclosing(events):
                async for event in events:
                    if event.polls == 2:
                        break
            await asyncio.sleep(0.2)
            after = int(mock.stats()["requests"]) - before
            del events
        return after

    assert asyncio.run(main()) == 2


def test_keyboard_interrupt_from_on_poll_ends_the_wait_and_is_raised(client: da.Client) -> None:
    calls: List[int] = []

    def interrupt(event: da.PollEvent) -> None:
        calls.append(event.polls)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.wait(314, 900199, poll_interval=0.01, on_poll=interrupt)
    assert calls == [1]
    # The client stays usable.
    assert client.get(3164444, 36804636).id == 36804636


def test_from_env_with_a_token_keeps_the_environments_base_url(
    mock: Mock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.setenv("DIGITALOCEAN_API_URL", mock.url)
    with da.Client.from_env(token=TOKEN) as client:
        assert client.get(3164444, 36804636).id == 36804636
