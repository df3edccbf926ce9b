"""``Client``: sharing between threads, ``wait_many``, lifetime, ``from_env``, and the
installed package itself."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import importlib.metadata
import os
import pathlib
import signal
import threading
import time

import pytest

import droplet_action as da
from conftest import REPO, TOKEN, Mock
from expected import DOCUMENTED, generated


def test_the_installed_package_is_under_test_with_its_own_library() -> None:
    package = pathlib.Path(da.__file__).resolve().parent
    assert REPO / "bindings" / "python" / "src" not in package.parents
    assert (package / "libdroplet_action.so").is_file()
    assert pathlib.Path(da._ffi.lib._name).resolve() == package / "libdroplet_action.so"
    assert (package / "py.typed").is_file()


def test_versions_of_package_and_library() -> None:
    assert da.__version__ == importlib.metadata.version("droplet-action") == "0.1.0"
    assert da.library_version() == "0.1.0"


def test_threads_sharing_one_client_all_get_the_documented_action(client: da.Client) -> None:
    def twenty_five(_: int) -> list[da.Action]:
        return [client.get(3164444, 36804636) for _ in range(25)]

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = [a for batch in pool.map(twenty_five, range(8)) for a in batch]
    assert results == [DOCUMENTED] * 200


def test_calls_on_threads_run_at_the_same_time(client: da.Client) -> None:
    # Four answers that each take 500 ms: one after another would take 2 s.
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: client.get(500, 900800), range(4)))
    elapsed = time.monotonic() - started
    assert results == [generated(500, 900800)] * 4
    assert 0.5 <= elapsed < 1.5


def test_errors_on_other_threads_are_the_same_errors(client: da.Client) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        future = pool.submit(client.get, 90, 900401)
        with pytest.raises(da.ApiError) as caught:
            future.result()
    assert (caught.value.http_status, caught.value.error_id) == (401, "unauthorized")


def test_wait_many_returns_the_actions_in_order(client: da.Client) -> None:
    refs = [(91, 900103), (92, 900101), (3164444, 36804636)]
    assert client.wait_many(refs, poll_interval=0.01) == [
        generated(91, 900103),
        generated(92, 900101),
        DOCUMENTED,
    ]


def test_wait_many_waits_for_all_at_once(client: da.Client) -> None:
    # Each action needs three polls 300 ms apart: one after another would take 1.8 s.
    refs = [(93, 900103), (94, 900103), (95, 900103)]
    started = time.monotonic()
    assert client.wait_many(refs, poll_interval=0.3) == [generated(d, a) for d, a in refs]
    assert 0.6 <= time.monotonic() - started < 1.5


def test_wait_many_raises_the_first_failure_in_order(client: da.Client) -> None:
    refs = [(96, 900101), (97, 12345), (98, 900201)]
    with pytest.raises(da.ApiError) as caught:
        client.wait_many(refs, poll_interval=0.01)
    assert (caught.value.http_status, caught.value.error_id) == (404, "not_found")


def test_wait_many_can_return_the_failures_in_place(client: da.Client) -> None:
    refs = [(99, 900101), (100, 900201), (101, 900150)]
    outcomes = client.wait_many(refs, timeout=0.5, poll_interval=0.1, return_exceptions=True)
    assert outcomes[0] == generated(99, 900101)
    assert isinstance(outcomes[1], da.ActionErroredError)
    assert outcomes[1].action == generated(100, 900201, "errored")
    assert isinstance(outcomes[2], da.TimeoutError)
    assert outcomes[2].last == generated(101, 900150, "in-progress")


def test_wait_many_of_nothing_is_invalid(client: da.Client) -> None:
    with pytest.raises(da.InvalidArgumentError, match="^no actions to wait for$"):
        client.wait_many([])


def test_wait_many_is_cancelled_whole_by_its_token(client: da.Client) -> None:
    token = da.CancelToken()
    timer = threading.Timer(0.2, token.cancel)
    timer.start()
    started = time.monotonic()
    outcomes = client.wait_many(
        [(102, 900150), (103, 900150)], poll_interval=10.0, cancel=token, return_exceptions=True
    )
    timer.join()
    assert time.monotonic() - started < 1.0
    assert [type(o) for o in outcomes] == [da.CancelledError, da.CancelledError]
    assert [o.last for o in outcomes] == [
        generated(102, 900150, "in-progress"),
        generated(103, 900150, "in-progress"),
    ]


def test_a_closed_client_refuses_calls(mock: Mock) -> None:
    client = da.Client(TOKEN, base_url=mock.url)
    assert client.get(3164444, 36804636) == DOCUMENTED
    client.close()
    client.close()
    assert client.closed
    with pytest.raises(da.InvalidArgumentError, match="^the client is closed$"):
        client.get(3164444, 36804636)
    assert repr(client) == "<droplet_action.Client closed>"


def test_closing_during_a_call_lets_it_finish(mock: Mock) -> None:
    client = da.Client(TOKEN, base_url=mock.url)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        running = pool.submit(client.get, 300, 900800)
        time.sleep(0.1)
        client.close()
        assert running.result() == generated(300, 900800)
    with pytest.raises(da.InvalidArgumentError):
        client.get(3164444, 36804636)


def test_context_manager_closes(mock: Mock) -> None:
    with da.Client(TOKEN, base_url=mock.url) as client:
        assert not client.closed
    assert client.closed


def test_from_env_reads_token_and_url(mock: Mock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("DIGITALOCEAN_API_URL", mock.url)
    with da.Client.from_env() as client:
        assert client.get(3164444, 36804636) == DOCUMENTED


def test_from_env_falls_back_to_digitalocean_token(
    mock: Mock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", TOKEN)
    monkeypatch.setenv("DIGITALOCEAN_API_URL", mock.url)
    with da.Client.from_env(max_retries=0) as client:
        assert client.get(3164444, 36804636) == DOCUMENTED


def test_from_env_arguments_win_over_the_environment(
    mock: Mock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", "wrong-token")
    monkeypatch.setenv("DIGITALOCEAN_API_URL", "http://127.0.0.1:1")
    with da.Client.from_env(token=TOKEN, base_url=mock.url) as client:
        assert client.get(3164444, 36804636) == DOCUMENTED


def test_from_env_without_a_token_is_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    with pytest.raises(da.InvalidArgumentError) as caught:
        da.Client.from_env()
    assert caught.value.message == (
        "build: invalid argument: no API token: set DIGITALOCEAN_ACCESS_TOKEN or "
        "DIGITALOCEAN_TOKEN"
    )


def test_a_per_call_timeout_bounds_retries_too(client: da.Client) -> None:
    # The 429 asks for a second's pause: more than the call has left, so it gives up.
    started = time.monotonic()
    with pytest.raises(da.ApiError) as caught:
        client.get(104, 900429, timeout=0.3)
    assert time.monotonic() - started < 0.3
    assert (caught.value.http_status, caught.value.error_id, caught.value.attempts) == (
        429,
        "too_many_requests",
        1,
    )


def test_actions_are_frozen_and_hashable(client: da.Client) -> None:
    action = client.get(3164444, 36804636)
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.id = 1  # type: ignore[misc]
    assert len({action, client.get(3164444, 36804636)}) == 1


def test_rate_limit_reset_as_a_datetime() -> None:
    assert da.RateLimit(limit=5000, remaining=1, reset=1605371361).reset_at.isoformat() == (
        "2020-11-14T16:29:21+00:00"
    )


def test_a_call_inside_a_running_event_loop_works(client: da.Client) -> None:
    # asyncio.run installs its own SIGINT handler: the call runs on the worker thread.
    async def main() -> da.Action:
        return client.get(3164444, 36804636)

    assert asyncio.run(main()) == DOCUMENTED


def test_a_call_keeps_a_wakeup_fd_the_application_set(client: da.Client) -> None:
    read_fd, write_fd = os.pipe()
    os.set_blocking(write_fd, False)
    try:
        assert signal.set_wakeup_fd(write_fd) == -1
        assert client.get(3164444, 36804636) == DOCUMENTED
        assert signal.set_wakeup_fd(-1) == write_fd
    finally:
        signal.set_wakeup_fd(-1)
        os.close(read_fd)
        os.close(write_fd)


def test_a_call_on_the_main_thread_leaves_no_wakeup_fd(client: da.Client) -> None:
    assert client.get(3164444, 36804636) == DOCUMENTED
    assert signal.set_wakeup_fd(-1) == -1


def test_settings_of_the_wrong_kind_or_size_are_refused(mock: Mock) -> None:
    with pytest.raises(da.InvalidArgumentError, match="timeout must be above 0"):
        da.Client(TOKEN, base_url=mock.url, timeout=10**400)
    with pytest.raises(TypeError, match="allow_insecure_http must be a bool, not str"):
        da.Client(TOKEN, base_url=mock.url, allow_insecure_http="no")  # type: ignore[arg-type]
    for backoff in [(1.0,), (0.1, 1.0, 2.0), 5.0]:
        with pytest.raises(TypeError, match=r"backoff must be a pair \(base, max\) of seconds"):
            da.Client(TOKEN, base_url=mock.url, backoff=backoff)  # type: ignore[arg-type]
