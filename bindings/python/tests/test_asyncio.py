"""``AsyncClient``: calls on the event loop, and task cancellation that ends the C call."""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable

import pytest

import droplet_action as da
from conftest import TOKEN, Mock
from expected import DOCUMENTED, generated


run = asyncio.run


def test_get_and_wait(mock: Mock) -> None:
    async def main() -> list[da.Action]:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            return [
                await client.get(3164444, 36804636),
                await client.wait(120, 900102, poll_interval=0.01),
            ]

    assert run(main()) == [DOCUMENTED, generated(120, 900102)]


def test_many_calls_at_once_share_the_client(mock: Mock) -> None:
    # Eight waits of three polls 400 ms apart: one after another would take 6.4 s.
    refs = [(d, 900103) for d in range(130, 138)]

    async def main() -> tuple[list[da.Action], float]:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            started = time.monotonic()
            actions = await asyncio.gather(*(client.wait(d, a, poll_interval=0.4) for d, a in refs))
            return list(actions), time.monotonic() - started

    actions, elapsed = run(main())
    assert actions == [generated(d, a) for d, a in refs]
    assert 0.8 <= elapsed < 2.0


def test_errors_are_raised_in_the_task(mock: Mock) -> None:
    async def main() -> None:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            await client.get(121, 12345)

    with pytest.raises(da.ApiError) as caught:
        run(main())
    assert (caught.value.http_status, caught.value.error_id, caught.value.request_id) == (
        404,
        "not_found",
        mock.request_id(1),
    )


def test_wait_many(mock: Mock) -> None:
    async def main() -> list[object]:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            return await client.wait_many(
                [(122, 900102), (123, 900201)], poll_interval=0.01, return_exceptions=True
            )

    outcomes = run(main())
    assert isinstance(outcomes, list)
    assert outcomes[0] == generated(122, 900102)
    assert isinstance(outcomes[1], da.ActionErroredError)


async def cancel_after(call: Awaitable[object], delay: float) -> float:
    """Cancels the task running ``call`` after ``delay`` seconds; how long it took to end."""
    task = asyncio.ensure_future(call)
    await asyncio.sleep(delay)
    assert not task.done()
    cancelled = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return time.monotonic() - cancelled


@pytest.mark.parametrize("call", ["get", "wait", "wait_many"])
def test_cancelling_the_task_ends_the_call_within_100_ms(mock: Mock, call: str) -> None:
    async def main() -> tuple[float, da.Action]:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            calls: dict[str, Callable[[], Awaitable[object]]] = {
                "get": lambda: client.get(10000, 900800),
                "wait": lambda: client.wait(124, 900199, poll_interval=1.0),
                "wait_many": lambda: client.wait_many(
                    [(125, 900199), (126, 900199)], poll_interval=1.0
                ),
            }
            blocked = calls[call]()
            took = await cancel_after(blocked, 0.3)
            return took, await client.get(3164444, 36804636)

    took, after = run(main())
    assert took < 0.1, f"the task ended {took * 1000:.0f} ms after cancel()"
    assert after == DOCUMENTED


def test_cancelling_a_call_still_queued_for_a_thread_ends_it_at_once(mock: Mock) -> None:
    async def main() -> tuple[float, float]:
        async with da.AsyncClient(TOKEN, base_url=mock.url, max_workers=1) as client:
            # The one thread is busy with a five-second answer; the next call waits for it.
            busy = asyncio.ensure_future(client.get(5000, 900800))
            await asyncio.sleep(0.1)
            queued_took = await cancel_after(client.get(3164444, 36804636), 0.2)
            busy_took = await cancel_after(busy, 0.0)
            return queued_took, busy_took

    queued_took, busy_took = run(main())
    assert queued_took < 0.1, f"the queued task ended {queued_took * 1000:.0f} ms after cancel()"
    assert busy_took < 0.1, f"the running task ended {busy_took * 1000:.0f} ms after cancel()"
    # Only the busy call reached the server: the queued one was never sent.
    assert mock.stats()["requests"] == 1


def test_a_cancelled_wait_polls_no_more(mock: Mock) -> None:
    async def main() -> None:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            await cancel_after(client.wait(127, 900199, poll_interval=1.0), 0.3)
            await asyncio.sleep(1.2)  # a wait still running would have polled again

    run(main())
    # One poll, then this request.
    assert mock.headers()["x-request-id"] == mock.request_id(2)


def test_closed_async_client_refuses_calls(mock: Mock) -> None:
    async def main() -> da.AsyncClient:
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:
            assert not client.closed
        assert client.closed
        with pytest.raises(da.InvalidArgumentError, match="^the client is closed$"):
            await client.get(3164444, 36804636)
        return client

    assert repr(run(main())) == "<droplet_action.AsyncClient closed>"


def test_from_env(mock: Mock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("DIGITALOCEAN_API_URL", mock.url)

    async def main() -> da.Action:
        async with da.AsyncClient.from_env(max_workers=2) as client:
            return await client.get(3164444, 36804636)

    assert run(main()) == DOCUMENTED


def test_a_thousand_waits_share_a_few_threads_and_keep_their_timeouts(mock: Mock) -> None:
    """1,000 concurrent waits (each completes at its third poll, 50 ms apart) on the event
    loop: at most 16 threads in the process at any time, each wait within its timeout plus
    0.5 s."""
    import threading

    async def main() -> tuple[int, list[float], list[int]]:
        most = threading.active_count()
        async with da.AsyncClient(TOKEN, base_url=mock.url) as client:

            async def one(droplet: int) -> tuple[float, int]:
                started = time.monotonic()
                action = await client.wait(droplet, 900102, timeout=20.0, poll_interval=0.05)
                return time.monotonic() - started, action.id or 0

            tasks = [asyncio.ensure_future(one(d)) for d in range(1, 1001)]
            while not all(task.done() for task in tasks):
                most = max(most, threading.active_count())
                await asyncio.sleep(0.01)
            results = [task.result() for task in tasks]
        return most, [took for took, _ in results], [action for _, action in results]

    most, took, actions = asyncio.run(main())
    assert actions == [900102] * 1000
    assert most <= 16, f"{most} threads"
    assert max(took) < 20.5, f"slowest {max(took):.2f} s"
    assert sum(mock.stats()["tokens"]["mock-token"].values()) == 3000


def test_a_timeout_counts_time_queued_for_a_thread(mock: Mock) -> None:
    """One thread, busy 3 s with a slow answer: a get queued behind it with timeout=1 fails
    at 1 s, never sent; a wait queued behind it with timeout=1 ends at its deadline."""

    async def main() -> tuple[str, float, str, float]:
        async with da.AsyncClient(TOKEN, base_url=mock.url, max_workers=1) as client:
            slow = asyncio.ensure_future(client.get(3000, 900800))
            await asyncio.sleep(0.1)
            started = time.monotonic()
            try:
                await client.get(3164444, 36804636, timeout=1.0)
                got = "answered"
            except da.TimeoutError as error:
                got = type(error).__name__
            get_took = time.monotonic() - started
            started = time.monotonic()
            try:
                await client.wait(3164444, 36804636, timeout=1.0)
                waited = "answered"
            except da.TimeoutError as error:
                waited = type(error).__name__
            wait_took = time.monotonic() - started
            await slow
        return got, get_took, waited, wait_took

    got, get_took, waited, wait_took = asyncio.run(main())
    assert got == "TimeoutError" and 0.9 <= get_took < 1.5, (got, get_took)
    assert waited == "TimeoutError" and 0.9 <= wait_took < 1.5, (waited, wait_took)
