"""``AsyncClient``: the calls for asyncio; a wait runs on the event loop, driven by the
library's wait engine, and only each HTTP request runs on a thread of the pool."""

from __future__ import annotations

import ctypes
import time
from typing import (
    TYPE_CHECKING,
    AsyncIterator,
    Callable,
    Iterable,
    List,
    Literal,
    Optional,
    TypeVar,
    Union,
    overload,
)

from . import _errors, _ffi
from ._errors import (
    Error,
    InvalidArgumentError,
    build_error,
    take_result,
    unwrap,
)
from ._model import Action, PollEvent, poll_event_from_c

if TYPE_CHECKING:

    from typing_extensions import Unpack

T = TypeVar("T")

from ._args import (
    _DEFAULT_POLL_INTERVAL,
    _DEFAULT_WAIT_TIMEOUT,
    CancelToken,
    OnPoll,
    _check_token,
    _id,
    _milliseconds,
    _now_ms,
    _report_poll,
    _seconds,
)
from ._client import (
    ActionRef,
    Client,
    EnvSettings,
    Settings,
    WaitOutcome,
    _async_clients,
    _settings_from_env,
)


class AsyncClient:
    """``Client`` for asyncio. A wait runs on the event loop, driven by the library's wait
    engine (``droplet_waiter_*``): its pauses are ``asyncio.sleep``, and only each HTTP
    request runs on a thread of the client's pool (``max_workers``, default 8), so any
    number of waits share those few threads; the request budget is the only limit. A
    ``get`` runs on a thread of the pool. Every ``timeout`` counts from the call's start,
    time queued for a thread included. Cancelling the awaiting task cancels the request in
    flight, which ends within about 20 ms; the task's ``CancelledError`` is raised once it
    has. Settings are those of ``Client``.

    Use it as an async context manager, or ``await aclose()``.
    """

    def __init__(
        self, token: str, *, max_workers: int = 8, **settings: Unpack[Settings]
    ) -> None:
        # Imported here: asyncio and its executors take longer to import than the rest of
        # this package, and only this class needs them.
        import concurrent.futures

        self._client = Client(token, **settings)
        self._max_workers = max_workers
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers, thread_name_prefix="droplet_action-async"
        )
        _async_clients.add(self)

    def _after_fork(self) -> None:
        """In a forked child: the pool's threads stayed in the parent, so the child gets a
        pool of its own (the inherited one would queue every call forever)."""
        import concurrent.futures

        self._executor = concurrent.futures.ThreadPoolExecutor(
            self._max_workers, thread_name_prefix="droplet_action-async"
        )
        if self.closed:
            self._executor.shutdown(wait=False)

    @classmethod
    def from_env(
        cls, *, max_workers: int = 8, **settings: Unpack[EnvSettings]
    ) -> "AsyncClient":
        """``Client.from_env`` for asyncio."""
        token, rest = _settings_from_env(settings)
        return cls(token, max_workers=max_workers, **rest)

    async def get(
        self,
        droplet_id: int,
        action_id: int,
        *,
        timeout: Optional[float] = None,
        cancel: Optional[CancelToken] = None,
    ) -> Action:
        """``Client.get``, awaited. ``timeout`` counts from this call, time queued for a
        thread included: a call still queued when it passes raises ``TimeoutError``."""
        deadline = None if timeout is None else time.monotonic() + _seconds(timeout, "timeout")
        # Checked now, so that a bad argument raises here.
        self._client._get_call(droplet_id, action_id, timeout, cancel)

        def call(token: CancelToken) -> WaitOutcome:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return _errors.TimeoutError(
                    "no thread was free to send the request within the call's timeout"
                )
            return self._client._get_call(droplet_id, action_id, left, cancel)(token)

        return unwrap(await self._run(call, cancel, deadline))

    async def wait(
        self,
        droplet_id: int,
        action_id: int,
        *,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        cancel: Optional[CancelToken] = None,
        on_poll: Optional[OnPoll] = None,
    ) -> Action:
        """``Client.wait``, on the event loop: the library's wait engine decides each step;
        pauses are ``asyncio.sleep``; each request runs on a thread of the pool.
        ``on_poll`` is called on the event loop with each ``PollEvent``; an ``Exception``
        it raises is logged and the wait goes on; anything else ends the wait and is raised
        from it."""
        return unwrap(
            await self._wait_outcome(
                droplet_id, action_id, timeout, poll_interval, cancel, on_poll
            )
        )

    async def watch(
        self,
        droplet_id: int,
        action_id: int,
        *,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        cancel: Optional[CancelToken] = None,
    ) -> AsyncIterator[PollEvent]:
        """``wait`` as an async iterator of its ``PollEvent`` s, one per request. It ends
        when the action completed, and raises what ``wait`` raises otherwise. Closing the
        iterator early (``aclose()``, ``contextlib.aclosing``, or dropping the last
        reference to it) ends the wait.

        ::

            async with contextlib.aclosing(client.watch(3164444, 36804636)) as events:
                async for event in events:
                    print(event.status_text, event.polls)
        """
        import asyncio

        events: "asyncio.Queue[PollEvent]" = asyncio.Queue()
        task = asyncio.ensure_future(
            self._wait_outcome(
                droplet_id, action_id, timeout, poll_interval, cancel, events.put_nowait
            )
        )
        try:
            while True:
                if events.empty() and task.done():
                    break
                getting = asyncio.ensure_future(events.get())
                await asyncio.wait([getting, task], return_when=asyncio.FIRST_COMPLETED)
                if getting.done():
                    yield getting.result()
                else:
                    getting.cancel()
            unwrap(task.result())
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait([task])

    async def _wait_outcome(
        self,
        droplet_id: int,
        action_id: int,
        timeout: float,
        poll_interval: float,
        cancel: Optional[CancelToken],
        on_poll: Optional[OnPoll] = None,
    ) -> WaitOutcome:
        import asyncio

        droplet_id = _id(droplet_id, "droplet_id")
        action_id = _id(action_id, "action_id")
        timeout_ms = _milliseconds(timeout, "timeout")
        poll_ms = _milliseconds(poll_interval, "poll_interval")
        _check_token(cancel)
        if self._client.closed:
            raise InvalidArgumentError("the client is closed")
        if on_poll is not None and not callable(on_poll):
            raise InvalidArgumentError("on_poll must be callable")
        token = cancel if cancel is not None else CancelToken()
        # Events come on the thread that sends; they are handed to ``on_poll`` on the loop.
        polled: List[PollEvent] = []
        callback = _ffi.droplet_poll_callback(
            lambda _userdata, event: polled.append(poll_event_from_c(event.contents))
        )
        options = _ffi.droplet_call_options(
            ctypes.sizeof(_ffi.droplet_call_options), token._pointer, timeout_ms, poll_ms
        )
        if on_poll is not None:
            options.on_poll = callback
        waiter = _ffi.droplet_waiter_new(droplet_id, action_id, ctypes.byref(options), _now_ms())
        if not waiter:
            raise build_error()
        loop = asyncio.get_running_loop()
        sending: "Optional[asyncio.Future[None]]" = None
        try:
            step = _ffi.droplet_wait_step()
            while True:
                now = _now_ms()
                _ffi.droplet_waiter_next(waiter, now, ctypes.byref(step))
                if step.kind == _ffi.DROPLET_WAIT_DONE:
                    return take_result(_ffi.droplet_waiter_result(waiter, now))
                if step.kind == _ffi.DROPLET_WAIT_SLEEP:
                    await asyncio.sleep(max(0, step.until_ms - now) / 1000)
                    continue
                # The clock is read when a thread takes the request: time queued counts.
                sending = loop.run_in_executor(
                    self._executor,
                    lambda: self._client._call_c(token, _ffi.droplet_waiter_send, waiter, _now_ms()),
                )
                # Still queued for a thread when the deadline comes: never sent, and the
                # waiter, asked again, says the deadline passed.
                done, _ = await asyncio.wait([sending], timeout=step.timeout_ms / 1000)
                if not done and sending.cancel():
                    sending = None
                    continue
                await asyncio.shield(sending)
                sending = None
                if on_poll is not None:
                    for event in polled:
                        _report_poll(on_poll, event)
                    polled.clear()
        except asyncio.CancelledError:
            token.cancel()
            raise
        finally:
            if sending is not None:
                # The waiter is freed only once no thread uses it (the token ends the
                # request within about 20 ms).
                token.cancel()
                await asyncio.wait([sending])
            _ffi.droplet_waiter_free(waiter)

    @overload
    async def wait_many(
        self,
        refs: Iterable[ActionRef],
        *,
        timeout: float = ...,
        poll_interval: float = ...,
        return_exceptions: Literal[False] = ...,
        cancel: Optional[CancelToken] = ...,
        on_poll: Optional[OnPoll] = ...,
    ) -> List[Action]: ...

    @overload
    async def wait_many(
        self,
        refs: Iterable[ActionRef],
        *,
        timeout: float = ...,
        poll_interval: float = ...,
        return_exceptions: bool,
        cancel: Optional[CancelToken] = ...,
        on_poll: Optional[OnPoll] = ...,
    ) -> List[WaitOutcome]: ...

    async def wait_many(
        self,
        refs: Iterable[ActionRef],
        *,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        return_exceptions: bool = False,
        cancel: Optional[CancelToken] = None,
        on_poll: Optional[OnPoll] = None,
    ) -> Union[List[Action], List[WaitOutcome]]:
        """``Client.wait_many``, on the event loop: one wait per action, under the client's
        one request budget, sharing the pool's threads. ``on_poll`` is as for ``wait``."""
        import asyncio

        pairs = [(_id(d, "droplet_id"), _id(a, "action_id")) for d, a in refs]
        if not pairs:
            raise InvalidArgumentError("no actions to wait for")
        _milliseconds(timeout, "timeout")
        _milliseconds(poll_interval, "poll_interval")
        _check_token(cancel)
        token = cancel if cancel is not None else CancelToken()
        outcomes: List[WaitOutcome] = list(
            await asyncio.gather(
                *(
                    self._wait_outcome(d, a, timeout, poll_interval, token, on_poll)
                    for d, a in pairs
                )
            )
        )
        if not return_exceptions:
            for outcome in outcomes:
                if isinstance(outcome, Error):
                    raise outcome
        return outcomes

    async def _run(
        self,
        call: Callable[[CancelToken], T],
        cancel: Optional[CancelToken],
        deadline: Optional[float] = None,
    ) -> T:
        import asyncio

        if self._client.closed:
            raise InvalidArgumentError("the client is closed")
        token = cancel if cancel is not None else CancelToken()
        future = self._executor.submit(call, token)
        running = asyncio.wrap_future(future)
        try:
            if deadline is not None:
                # A call still queued for a thread at its deadline is taken off the queue:
                # nothing was sent. One already running ends by its own timeout.
                await asyncio.wait([running], timeout=max(0.0, deadline - time.monotonic()))
                if not running.done() and future.cancel():
                    raise _errors.TimeoutError(
                        "no thread was free to send the request within the call's timeout"
                    )
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            token.cancel()
            # A call still waiting for a free thread is taken off the queue: nothing was
            # sent. A call already running ends within about 20 ms of its token.
            if not future.cancel():
                await asyncio.wait([running])
            raise

    def close(self) -> None:
        """Frees the client once running calls end (they are not cancelled)."""
        self._executor.shutdown(wait=False)
        self._client.close()

    async def aclose(self) -> None:
        """``close``, for ``async with`` and symmetry with other async resources."""
        self.close()

    @property
    def closed(self) -> bool:
        """Whether the client was closed."""
        return self._client.closed

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<droplet_action.AsyncClient{' closed' if self.closed else ''}>"
