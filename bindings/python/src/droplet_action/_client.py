"""``Client``, ``AsyncClient`` and ``CancelToken``: the blocking C calls, made so that
Ctrl-C and task cancellation end them at once.

A C call blocks the thread that makes it, and Python runs signal handlers only on the main
thread, between bytecodes. So a call made on the main thread holds a cancel token that a
signal can reach. While Python's own SIGINT handler is in place, the call runs on the main
thread, and Python's signal wakeup fd brings SIGINT to a watcher thread that triggers the
token. With another handler in place (one that may raise anything), the call runs on a
worker thread while the main thread waits for it in short slices, and whatever a handler
raises there triggers the token. Either way the C call ends within about 20 ms and the
exception goes on, with the client still usable. Calls made on other threads run on the
calling thread directly: ctypes releases the GIL during every C call, so threads sharing a
client really run at the same time.
"""

from __future__ import annotations

import _thread
import atexit
import ctypes
import logging
import math
import os
import queue
import select
import signal
import threading
import time
import weakref
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Iterable,
    List,
    Literal,
    Optional,
    Sequence,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
    cast,
    overload,
)

from . import _errors, _ffi
from ._errors import (
    Error,
    InvalidArgumentError,
    build_error,
    outcome_from_c,
    take_result,
    unwrap,
)
from ._model import Action, PollEvent, poll_event_from_c

if TYPE_CHECKING:
    import concurrent.futures

    from typing_extensions import Unpack

T = TypeVar("T")

LOGGER = logging.getLogger("droplet_action")
# A library logs but never prints: without a handler of the application's, records end here
# rather than in logging's last-resort handler on standard error.
LOGGER.addHandler(logging.NullHandler())
_LOG_LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}
_INT64_MAX = 2**63 - 1
_UINT32_MAX = 2**32 - 1
# The library's defaults, read from it: never restated here.
_DEFAULTS = _ffi.droplet_defaults_get()
_DEFAULT_BODY_LIMIT: int = _DEFAULTS.body_limit
_DEFAULT_TIMEOUT: float = _DEFAULTS.timeout_ms / 1000
_DEFAULT_CONNECT_TIMEOUT: float = _DEFAULTS.connect_timeout_ms / 1000
_DEFAULT_MAX_RETRIES: int = _DEFAULTS.max_retries
_DEFAULT_BACKOFF: Tuple[float, float] = (
    _DEFAULTS.backoff_base_ms / 1000,
    _DEFAULTS.backoff_max_ms / 1000,
)
_DEFAULT_WAIT_TIMEOUT: float = _DEFAULTS.wait_timeout_ms / 1000
_DEFAULT_POLL_INTERVAL: float = _DEFAULTS.poll_interval_ms / 1000
_WAIT_SLICE = 0.05

#: A function that receives each ``PollEvent`` of a wait.
OnPoll = Callable[[PollEvent], object]


def _report_poll(on_poll: OnPoll, event: PollEvent) -> None:
    """Hands ``event`` to ``on_poll``; an ``Exception`` it raises is logged and the wait
    goes on (anything else, such as ``KeyboardInterrupt``, is not caught here)."""
    try:
        on_poll(event)
    except Exception:
        LOGGER.exception("on_poll raised for action %d; the wait goes on", event.action_id)


def _poll_callback(on_poll: Optional[OnPoll]) -> Any:
    """The C callback that hands each poll event to ``on_poll`` (on the thread that waits),
    or ``None``. Keep it alive as long as the options that hold it."""
    if on_poll is None:
        return None
    if not callable(on_poll):
        raise InvalidArgumentError("on_poll must be callable")

    def bridge(_userdata: Any, event: Any) -> None:
        try:
            _report_poll(on_poll, poll_event_from_c(event.contents))
        except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt, SystemExit, ...
            # ctypes would print it and drop it: the call is cancelled instead, and it is
            # raised on this thread once the call returns (as for a log handler).
            if _calls.interruption is None:
                _calls.interruption = error
            token = _calls.token
            if token is not None and token._pointer:
                token.cancel()

    return _ffi.droplet_poll_callback(bridge)


class _CallState(threading.local):
    """What the log callback knows of the C call running on this thread."""

    token: Optional["CancelToken"] = None
    interruption: Optional[BaseException] = None


_calls = _CallState()


class _LogHandoff:
    """Hands the library's log records to the ``droplet_action`` logger's handlers on a
    thread of its own, in order: a slow handler never holds up a call.

    The record is made on the calling thread (its time, thread and level are the event's);
    only the handlers run on the ``droplet_action-log`` thread.
    """

    def __init__(self) -> None:
        self.records: "queue.SimpleQueue[Union[logging.LogRecord, threading.Event]]" = (
            queue.SimpleQueue()
        )
        self.thread: Optional[threading.Thread] = None
        self.lock = threading.Lock()

    def put(self, record: Union[logging.LogRecord, threading.Event]) -> None:
        if self.thread is None:
            with self.lock:
                if self.thread is None:
                    thread = threading.Thread(
                        target=self._serve, name="droplet_action-log", daemon=True
                    )
                    thread.start()
                    self.thread = thread
        self.records.put(record)

    def _serve(self) -> None:
        while True:
            record = self.records.get()
            if isinstance(record, threading.Event):
                record.set()
                continue
            try:
                LOGGER.handle(record)
            except BaseException:  # noqa: BLE001 - nothing a handler raises ends this thread
                pass

    def flush(self, timeout: Optional[float]) -> bool:
        if self.thread is None:
            return True
        done = threading.Event()
        self.records.put(done)
        return done.wait(timeout)


_handoff = _LogHandoff()


def flush_logs(timeout: Optional[float] = None) -> bool:
    """Waits until the handlers of the ``droplet_action`` logger have received every record
    of the calls that already returned, at most ``timeout`` seconds (``None``: no limit).
    True when they have. Records reach the handlers on a thread of the package, in order,
    so that a slow handler never holds up a call; this is for a program that reads its
    logs right after a call, and it runs at exit for one second at most."""
    return _handoff.flush(timeout)


atexit.register(flush_logs, 1.0)


def _log_from_library(_userdata: Optional[int], level: int, message: Optional[bytes]) -> None:
    try:
        try:
            python_level = _LOG_LEVELS.get(level, logging.DEBUG)
            if LOGGER.isEnabledFor(python_level):
                text = (message or b"").decode("utf-8", "replace")
                _handoff.put(
                    LOGGER.makeRecord(
                        LOGGER.name, python_level, __file__, 0, "%s", (text,), None
                    )
                )
        except Exception:  # noqa: BLE001 - an exception must not cross back into C
            pass
    except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt, SystemExit, ...
        # ctypes would print it and drop it: the call is cancelled instead, and it is
        # raised on this thread once the call returns.
        if _calls.interruption is None:
            _calls.interruption = error
        token = _calls.token
        if token is not None and token._pointer:
            token.cancel()


# One C function pointer for every client: it lives as long as this module, so as long
# as any client that holds it (each client keeps a reference too).
_LOG_CALLBACK = _ffi.droplet_log_callback(_log_from_library)


def _max_log_level(logger: logging.Logger) -> int:
    """The C library's level (4 debug .. 1 error, 0 off) for what ``logger`` lets through."""
    level = logger.getEffectiveLevel()
    for c_level, python_level in ((4, logging.DEBUG), (3, logging.INFO), (2, logging.WARNING)):
        if level <= python_level:
            return c_level
    return 1 if level <= logging.ERROR else 0


def _c_text(value: Union[str, "os.PathLike[str]"], name: str) -> bytes:
    text = os.fspath(value)
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in text:
        raise InvalidArgumentError(f"{name} holds a NUL character")
    return text.encode("utf-8")


def _id(value: int, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
        raise InvalidArgumentError(f"{name} {value} does not fit in 64 bits")
    return value


def _milliseconds(seconds: Optional[float], name: str) -> int:
    """Seconds as whole milliseconds (rounded up) for the C library; 0 for ``None``."""
    if seconds is None:
        return 0
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        raise TypeError(f"{name} must be a number of seconds, not {type(seconds).__name__}")
    # An int may be too large for a float: compare it as an int.
    not_finite = isinstance(seconds, float) and not math.isfinite(seconds)
    if not_finite or seconds <= 0 or seconds * 1000 > _UINT32_MAX:
        raise InvalidArgumentError(
            f"{name} must be above 0 and at most {_UINT32_MAX / 1000} seconds, not {seconds!r}"
        )
    return max(1, math.ceil(seconds * 1000))


class CancelToken:
    """Ends every call that holds it, from any thread: the call raises ``CancelledError``
    within about 20 ms, and the client stays usable. Once cancelled it stays cancelled:
    make a new one for new calls."""

    __slots__ = ("_pointer",)

    def __init__(self) -> None:
        pointer = _ffi.droplet_cancel_token_new()
        if not pointer:
            raise MemoryError("droplet_cancel_token_new")
        self._pointer: int = pointer

    def cancel(self) -> None:
        """Cancels every call holding this token, now and later. Thread-safe."""
        _ffi.droplet_cancel_token_cancel(self._pointer)

    @property
    def cancelled(self) -> bool:
        """Whether ``cancel`` was called."""
        return bool(_ffi.droplet_cancel_token_is_cancelled(self._pointer))

    def __del__(self, _free: Callable[[int], None] = _ffi.droplet_cancel_token_free) -> None:
        # A call holding the token holds a reference to this object, so none is running.
        pointer = getattr(self, "_pointer", None)
        if pointer:
            self._pointer = 0
            _free(pointer)

    def __repr__(self) -> str:
        return f"<droplet_action.CancelToken cancelled={self.cancelled}>"


class _Job:
    """A call for the worker thread, and its outcome.

    ``finished`` is the truth about the call having ended: the worker sets it before it
    releases ``wake``, which only serves to wake the waiting thread early. An interruption
    can land anywhere in the waiting thread (even just after it took ``wake``), and the
    flag still says whether the call ended.
    """

    __slots__ = ("call", "outcome", "error", "finished", "wake")

    def __init__(self, call: Callable[[], Any]) -> None:
        self.call: Optional[Callable[[], Any]] = call
        self.outcome: Any = None
        self.error: Optional[BaseException] = None
        self.finished = False
        self.wake = _thread.allocate_lock()
        self.wake.acquire()

    def run(self) -> None:
        try:
            assert self.call is not None
            self.outcome = self.call()
        except BaseException as error:  # handed to the waiting thread
            self.error = error
        finally:
            self.call = None
            self.finished = True
            self.wake.release()

    def wait_slice(self) -> None:
        """Waits for the call to end, at most one slice (a signal handler may raise)."""
        if not self.finished:
            self.wake.acquire(timeout=_WAIT_SLICE)


class _MainThreadCalls:
    """The worker thread that makes the main thread's blocking calls."""

    def __init__(self) -> None:
        self._jobs: "queue.SimpleQueue[_Job]" = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._serve, name="droplet_action-calls", daemon=True
        )
        self._thread.start()

    def _serve(self) -> None:
        while True:
            self._jobs.get().run()

    def submit(self, job: _Job) -> None:
        self._jobs.put(job)


_worker: Optional[_MainThreadCalls] = None
_threads_lock = threading.Lock()
# Every live client, for the child of a fork().
_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()
_async_clients: "weakref.WeakSet[AsyncClient]" = weakref.WeakSet()


def _reset_threads_in_child() -> None:
    """After ``fork()``, in the child: only the forking thread lives on. Every lock another
    thread may have held is made anew, calls that were running on other threads are
    forgotten, and threads are started again when first needed. (The C library gives the
    child new connections on its own: it never sends on the parent's.)"""
    global _worker, _threads_lock, _watch, _handoff
    _handoff = _LogHandoff()
    if _watch is not None:
        # The fork may have come while a call of the (new) main thread had the pipe as its
        # signal wakeup fd: it is taken back before its number can be reused.
        try:
            current = signal.set_wakeup_fd(-1)
            if current not in (-1, _watch.write_fd):
                signal.set_wakeup_fd(current)
        except ValueError:
            pass
        os.close(_watch.read_fd)
        os.close(_watch.write_fd)
    _worker = None
    _watch = None
    _threads_lock = threading.Lock()
    for client in list(_clients):
        client._after_fork()
    for async_client in list(_async_clients):
        async_client._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_threads_in_child)


def _main_thread_worker() -> _MainThreadCalls:
    global _worker
    with _threads_lock:
        if _worker is None:
            _worker = _MainThreadCalls()
        return _worker


def _run_interruptibly(call: Callable[[], T], cancel: CancelToken) -> T:
    """Runs ``call`` (which holds ``cancel``) so that a signal handler raising on the main
    thread cancels it, waits for it to end (within about 20 ms), and then raises.

    A second interruption while the cancelled call ends is raised at once: the worker
    finishes the cancelled call alone.
    """
    job = _Job(call)
    _main_thread_worker().submit(job)
    interruption: Optional[BaseException] = None
    try:
        while not job.finished:
            try:
                if interruption is not None:
                    cancel.cancel()
                job.wait_slice()
            except BaseException as error:
                if interruption is not None:
                    raise
                interruption = error
    finally:
        # Whatever escapes (a second interruption, or one landing outside the inner try),
        # the call must not go on running.
        if not job.finished:
            cancel.cancel()
    if interruption is not None:
        try:
            raise interruption
        finally:
            interruption = None
    if job.error is not None:
        raise job.error
    outcome: T = job.outcome
    return outcome


def _on_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class _SigintWatch:
    """Cancels the main thread's current call when SIGINT arrives.

    During the call, Python's signal wakeup fd is this pipe: Python's own handler still
    runs (and raises ``KeyboardInterrupt`` as soon as the call returns), and also writes
    the signal's number here, where this thread reads it and triggers the call's token.
    """

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()
        os.set_blocking(self.write_fd, False)
        os.set_blocking(self.read_fd, False)
        self.current: Optional[CancelToken] = None
        # Held while reading the pipe and while a call ends: a SIGINT that came during one
        # call never cancels the next one.
        self.lock = threading.Lock()
        threading.Thread(target=self._watch, name="droplet_action-sigint", daemon=True).start()

    def _watch(self) -> None:
        while True:
            select.select([self.read_fd], [], [])
            with self.lock:
                try:
                    data = os.read(self.read_fd, 64)
                except BlockingIOError:
                    continue
                token = self.current
                if signal.SIGINT in data and token is not None:
                    token.cancel()

    def end_call(self) -> None:
        """After the wakeup fd is reset: forgets the call's token and any SIGINT it got."""
        with self.lock:
            self.current = None
            try:
                os.read(self.read_fd, 4096)
            except BlockingIOError:
                pass


_watch: Optional[_SigintWatch] = None


def _sigint_watch() -> _SigintWatch:
    global _watch
    with _threads_lock:
        if _watch is None:
            _watch = _SigintWatch()
        return _watch


def _run_on_main_thread(
    call: Callable[[CancelToken], T], cancel: Optional[CancelToken], by_value: bool
) -> T:
    """Runs a call made on the main thread so that Ctrl-C ends it at once.

    With Python's own SIGINT handler in place and no wakeup fd taken, a call whose result
    comes back by value (freed even if an exception drops it) runs on this thread, and
    SIGINT reaches its token through ``_SigintWatch``: no thread switch. Otherwise
    (another handler, which may raise anything, or asyncio's wakeup fd), it runs on the
    worker thread, and any exception a handler raises cancels it.
    """
    owned = cancel is None
    token = _take_spare_token() if cancel is None else cancel
    try:
        if by_value and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            return _run_with_watch(call, token)
        return _run_interruptibly(lambda: call(token), token)
    finally:
        if owned:
            _give_back_token(token)


def _run_with_watch(call: Callable[[CancelToken], T], token: CancelToken) -> T:
    watch = _sigint_watch()
    try:
        try:
            previous = signal.set_wakeup_fd(watch.write_fd, warn_on_full_buffer=False)
        except ValueError:  # the main thread of a subinterpreter: no wakeup fd there
            return _run_interruptibly(lambda: call(token), token)
        if previous != -1:
            signal.set_wakeup_fd(previous)
            return _run_interruptibly(lambda: call(token), token)
        watch.current = token
        return call(token)
    finally:
        # Runs however the call ended, even when the interruption landed right after the
        # wakeup fd was taken: the fd is given back unless it is another's.
        try:
            current = signal.set_wakeup_fd(-1)
            if current != watch.write_fd and current != -1:
                signal.set_wakeup_fd(current)
        except ValueError:
            pass
        watch.end_call()


# The token of the main thread's calls made without one: kept between calls (while not
# triggered) so that no token is freed, by a finalizer where an interruption is lost, on
# the way of every call.
_spare_token: Optional[CancelToken] = None


def _take_spare_token() -> CancelToken:
    global _spare_token
    token, _spare_token = _spare_token, None
    return token if token is not None else CancelToken()


def _give_back_token(token: CancelToken) -> None:
    global _spare_token
    if not token.cancelled:
        _spare_token = token


ActionRef = Tuple[int, int]
WaitOutcome = Union[Action, Error]


class Client:
    """A client for ``GET /v2/droplets/{droplet_id}/actions/{action_id}``.

    Thread-safe: share one between threads; calls run at the same time (the GIL is
    released during each). Keeps connections alive between calls. Use it as a context
    manager, or call ``close``. Ctrl-C during a call on the main thread raises
    ``KeyboardInterrupt`` at once and leaves the client usable; a call on another thread is
    ended by its ``CancelToken`` (Python runs signal handlers on the main thread only).
    Inherited through ``fork()``, it works in the child, on connections of its own.

    ``token`` is the API token. ``base_url`` defaults to ``https://api.digitalocean.com``
    (plain ``http`` only for loopback unless ``allow_insecure_http``). ``timeout`` bounds
    each attempt and ``connect_timeout`` the connection, in seconds; failed requests
    (connection errors, 408, 429, 5xx) are sent again up to ``max_retries`` times with a
    backoff from ``backoff[0]`` doubling to ``backoff[1]`` seconds, honouring
    ``retry-after``. Answers above ``body_limit`` bytes are refused. ``proxy`` is an
    ``http://``, ``socks4://``, ``socks4a://``, ``socks5://`` or ``socks5h://`` URL;
    ``proxy_from_env=True`` takes it from the environment instead, when the client is made,
    as curl does (``https_proxy``, ``HTTPS_PROXY``, ``all_proxy``, ``ALL_PROXY``, for plain
    ``http`` ``http_proxy``; hosts listed in ``no_proxy`` or ``NO_PROXY`` are reached
    directly; without it, the environment is never read for a proxy); ``ca_file`` a PEM
    bundle trusted beside the system's and the bundled roots. ``requests_per_minute`` paces every request of the client, from
    every thread (default: 250 for DigitalOcean's API, the limit of a token; none for any
    other base URL; ``2**32 - 1``: no pacing; 0 is refused). ``user_agent`` is printable
    ASCII and spaces (anything else is refused). Waiting for a slot counts in a call's own
    ``timeout``, not in an attempt's: a call whose slot lies beyond its ``timeout`` fails at
    once with ``TimeoutError``; a call without one waits for its slot.

    Events (attempts, retries, outcomes) go to ``logging.getLogger("droplet_action")``,
    at the levels that logger lets through when each call starts. Its handlers run on a
    thread of the package, in order, so that a slow one never holds up a call
    (``flush_logs`` waits for them).
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: Optional[str] = None,
        timeout: float = _DEFAULT_TIMEOUT,
        connect_timeout: float = _DEFAULT_CONNECT_TIMEOUT,
        max_retries: int = _DEFAULT_MAX_RETRIES,
        backoff: Tuple[float, float] = _DEFAULT_BACKOFF,
        body_limit: int = _DEFAULT_BODY_LIMIT,
        user_agent: Optional[str] = None,
        proxy: Optional[str] = None,
        proxy_from_env: bool = False,
        ca_file: Optional[Union[str, "os.PathLike[str]"]] = None,
        allow_insecure_http: bool = False,
        requests_per_minute: Optional[int] = None,
    ) -> None:
        self._lock = threading.Lock()
        self._pointer: Optional[int] = None
        self._in_flight = 0
        self._closing = False
        self._log_callback = _LOG_CALLBACK
        self._log_level = _max_log_level(LOGGER)
        _clients.add(self)
        if not isinstance(allow_insecure_http, bool):
            raise TypeError(
                f"allow_insecure_http must be a bool, not {type(allow_insecure_http).__name__}"
            )
        if not isinstance(proxy_from_env, bool):
            raise TypeError(f"proxy_from_env must be a bool, not {type(proxy_from_env).__name__}")
        if proxy is not None and proxy_from_env:
            raise InvalidArgumentError("proxy and proxy_from_env=True exclude each other")
        if not isinstance(backoff, (tuple, list)) or len(backoff) != 2:
            raise TypeError("backoff must be a pair (base, max) of seconds")
        settings: List[Tuple[str, Callable[..., int], Tuple[Any, ...]]] = [
            ("timeout", _ffi.droplet_client_builder_set_timeout_ms,
             (_milliseconds(timeout, "timeout"),)),
            ("connect_timeout", _ffi.droplet_client_builder_set_connect_timeout_ms,
             (_milliseconds(connect_timeout, "connect_timeout"),)),
            ("max_retries", _ffi.droplet_client_builder_set_max_retries,
             (_count(max_retries, "max_retries", _UINT32_MAX),)),
            ("backoff", _ffi.droplet_client_builder_set_backoff_ms,
             (_milliseconds(backoff[0], "backoff[0]"), _milliseconds(backoff[1], "backoff[1]"))),
            ("body_limit", _ffi.droplet_client_builder_set_body_limit,
             (_count(body_limit, "body_limit", 2**64 - 1),)),
            ("allow_insecure_http", _ffi.droplet_client_builder_set_allow_insecure_http,
             (bool(allow_insecure_http),)),
            ("log", _ffi.droplet_client_builder_set_log_callback,
             (self._log_callback, None, self._log_level)),
        ]
        if not isinstance(token, _FromEnv) or token.given:
            settings.insert(0, ("token", _ffi.droplet_client_builder_set_token,
                                (_c_text(str(token), "token"),)))
        if base_url is not None:
            settings.append(("base_url", _ffi.droplet_client_builder_set_base_url,
                             (_c_text(base_url, "base_url"),)))
        if user_agent is not None:
            settings.append(("user_agent", _ffi.droplet_client_builder_set_user_agent,
                             (_c_text(user_agent, "user_agent"),)))
        if proxy is not None:
            settings.append(("proxy", _ffi.droplet_client_builder_set_proxy,
                             (_c_text(proxy, "proxy"),)))
        if proxy_from_env:
            settings.append(("proxy_from_env", _ffi.droplet_client_builder_set_proxy_from_env,
                             (True,)))
        if type(body_limit) is int and body_limit == 0:
            # The C library reads 0 as its default; here a default is the keyword's own.
            raise InvalidArgumentError("body_limit must be at least 1 byte, not 0")
        if type(requests_per_minute) is int and requests_per_minute == 0:
            raise InvalidArgumentError(
                "requests_per_minute must be at least 1 (None: the default pacing, "
                "2**32 - 1: none), not 0"
            )
        if requests_per_minute is not None:
            settings.append(("requests_per_minute",
                             _ffi.droplet_client_builder_set_requests_per_minute,
                             (_count(requests_per_minute, "requests_per_minute", _UINT32_MAX),)))
        if ca_file is not None:
            settings.append(("ca_file", _ffi.droplet_client_builder_set_ca_file,
                             (_c_text(ca_file, "ca_file"),)))
        if isinstance(token, _FromEnv):
            builder = _ffi.droplet_client_builder_new_from_env()
        else:
            builder = _ffi.droplet_client_builder_new()
        if not builder:
            raise MemoryError("droplet_client_builder_new")
        for _name, setter, arguments in settings:
            if setter(builder, *arguments) != _ffi.DROPLET_STATUS_OK:
                error = build_error()
                _ffi.droplet_client_builder_free(builder)
                raise error
        pointer = ctypes.c_void_p()
        # The build frees the builder in every case.
        if _ffi.droplet_client_builder_build(builder, ctypes.byref(pointer)) != 0:
            raise build_error()
        self._pointer = pointer.value

    @classmethod
    def from_env(cls, **settings: Unpack[EnvSettings]) -> "Client":
        """A client configured from the environment: the token from
        ``DIGITALOCEAN_ACCESS_TOKEN``, else ``DIGITALOCEAN_TOKEN``; the base URL from
        ``DIGITALOCEAN_API_URL`` when set. Keyword arguments are as for ``Client`` and
        win over the environment. ``InvalidArgumentError`` when no token is set."""
        token, rest = _settings_from_env(settings)
        return cls(token, **rest)

    # -- the calls

    def get(
        self,
        droplet_id: int,
        action_id: int,
        *,
        timeout: Optional[float] = None,
        cancel: Optional[CancelToken] = None,
    ) -> Action:
        """Retrieves one action, with the client's retries.

        ``timeout`` bounds the whole call, retries and pauses included (default: each
        attempt has the client's timeout). Raises an ``Error`` subclass on failure.
        """
        call = self._get_call(droplet_id, action_id, timeout, cancel)
        return unwrap(self._run(call, cancel))

    def wait(
        self,
        droplet_id: int,
        action_id: int,
        *,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        cancel: Optional[CancelToken] = None,
        on_poll: Optional[OnPoll] = None,
    ) -> Action:
        """Polls an action every ``poll_interval`` seconds until it completes, and returns
        it. Raises ``ActionErroredError`` when it ended ``errored``, ``TimeoutError``
        (with ``.last``) when ``timeout`` seconds passed, and the call's own error for a
        failure that retrying cannot cure (401, 404, an answer that is not an action).

        ``on_poll``, when given, is called with a ``PollEvent`` after each request, on the
        thread that runs the wait (the calling thread, or, for some calls from the main
        thread, the package's call thread: keep it thread-safe). An ``Exception`` it raises
        is logged to the ``droplet_action`` logger and the wait goes on; anything else
        (``KeyboardInterrupt``, ``SystemExit``) ends the wait and is raised from it.
        """
        call = self._wait_call(droplet_id, action_id, timeout, poll_interval, cancel, on_poll)
        return unwrap(self._run(call, cancel))

    @overload
    def wait_many(
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
    def wait_many(
        self,
        refs: Iterable[ActionRef],
        *,
        timeout: float = ...,
        poll_interval: float = ...,
        return_exceptions: bool,
        cancel: Optional[CancelToken] = ...,
        on_poll: Optional[OnPoll] = ...,
    ) -> List[WaitOutcome]: ...

    def wait_many(
        self,
        refs: Iterable[ActionRef],
        *,
        timeout: float = _DEFAULT_WAIT_TIMEOUT,
        poll_interval: float = _DEFAULT_POLL_INTERVAL,
        return_exceptions: bool = False,
        cancel: Optional[CancelToken] = None,
        on_poll: Optional[OnPoll] = None,
    ) -> Union[List[Action], List[WaitOutcome]]:
        """Waits for many actions, given as ``(droplet_id, action_id)`` pairs, at once,
        under one deadline of ``timeout`` seconds. Returns their ``Action`` s in the
        order given. When one fails, raises the error of the first failed one in that
        order once all have finished, or, with ``return_exceptions``, puts each error in
        the list in place of its action (as ``asyncio.gather`` does).

        The library polls them in turn on one thread (``droplet_action_wait_many``), the one
        that started earliest first, under the client's one request budget. ``on_poll`` is
        as for ``wait``, called for every action's requests.
        """
        call = self._wait_many_call(refs, timeout, poll_interval, cancel, on_poll)
        outcomes = self._run(call, cancel, by_value=False)
        if not return_exceptions:
            for outcome in outcomes:
                if isinstance(outcome, Error):
                    raise outcome
        return outcomes

    # -- lifetime

    def close(self) -> None:
        """Frees the client once the calls running on it end; later calls raise
        ``InvalidArgumentError``. Closing twice does nothing."""
        with self._lock:
            self._closing = True
            pointer = self._pointer if self._in_flight == 0 else None
            if pointer is not None:
                self._pointer = None
        if pointer is not None:
            _ffi.droplet_client_free(pointer)

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._closing

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        pointer = getattr(self, "_pointer", None)
        if pointer:
            self._pointer = None
            _ffi.droplet_client_free(pointer)

    def __repr__(self) -> str:
        return f"<droplet_action.Client{' closed' if self._closing else ''}>"

    # -- how calls are made

    def _after_fork(self) -> None:
        """In a forked child: the calls that were running belonged to the parent's
        threads, which the child does not have."""
        self._lock = threading.Lock()
        self._in_flight = 0
        if self._closing and self._pointer is not None:
            pointer, self._pointer = self._pointer, None
            _ffi.droplet_client_free(pointer)

    def _acquire(self, held: List[bool]) -> int:
        """Counts a call in flight; ``held[0]`` turns true in the same step, so that the
        ``finally`` that releases it knows, wherever an interruption lands."""
        with self._lock:
            if self._closing or self._pointer is None:
                raise InvalidArgumentError("the client is closed")
            self._in_flight += 1
            held[0] = True
            return self._pointer

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1
            pointer = self._pointer if self._closing and self._in_flight == 0 else None
            if pointer is not None:
                self._pointer = None
        if pointer is not None:
            _ffi.droplet_client_free(pointer)

    def _call_c(self, token: CancelToken, function: Callable[..., T], *arguments: Any) -> T:
        """``function(client, *arguments)``: counted in flight, with ``token`` known to the
        log callback. Whatever a log handler raised that is not an ``Exception`` (Ctrl-C)
        is left in ``_calls.interruption`` for the caller to raise once the result is
        freed."""
        held = [False]
        _calls.token = token
        _calls.interruption = None
        try:
            pointer = self._acquire(held)
            level = _max_log_level(LOGGER)
            if level != self._log_level:
                # The logger's level changed since the last call: the library follows it.
                self._log_level = level
                _ffi.droplet_client_set_log_level(pointer, level)
            return function(pointer, *arguments)
        finally:
            _calls.token = None
            if held[0]:
                self._release()

    def _run(
        self, call: Callable[[CancelToken], T], cancel: Optional[CancelToken], by_value: bool = True
    ) -> T:
        """Runs a call on this thread, or, on the main thread, interruptibly."""
        if not _on_main_thread():
            return call(cancel) if cancel is not None else call(_NO_CANCEL)
        return _run_on_main_thread(call, cancel, by_value)

    def _options(
        self,
        cancel: CancelToken,
        timeout_ms: int,
        poll_interval_ms: int,
        on_poll: Any = None,
    ) -> _ffi.droplet_call_options:
        options = _ffi.droplet_call_options(
            ctypes.sizeof(_ffi.droplet_call_options),
            cancel._pointer if cancel is not _NO_CANCEL else None,
            timeout_ms,
            poll_interval_ms,
        )
        if on_poll is not None:
            options.on_poll = on_poll
        return options

    def _get_call(
        self,
        droplet_id: int,
        action_id: int,
        timeout: Optional[float],
        cancel: Optional[CancelToken],
    ) -> Callable[[CancelToken], WaitOutcome]:
        droplet_id = _id(droplet_id, "droplet_id")
        action_id = _id(action_id, "action_id")
        timeout_ms = _milliseconds(timeout, "timeout")
        _check_token(cancel)

        def call(token: CancelToken) -> WaitOutcome:
            options = self._options(token, timeout_ms, 0)
            result = self._call_c(
                token, _ffi.droplet_action_get_with_options, droplet_id, action_id, ctypes.byref(options)
            )
            return _raise_interruption(take_result(result))

        return call

    def _wait_call(
        self,
        droplet_id: int,
        action_id: int,
        timeout: float,
        poll_interval: float,
        cancel: Optional[CancelToken],
        on_poll: Optional[OnPoll] = None,
    ) -> Callable[[CancelToken], WaitOutcome]:
        droplet_id = _id(droplet_id, "droplet_id")
        action_id = _id(action_id, "action_id")
        timeout_ms = _milliseconds(timeout, "timeout")
        poll_ms = _milliseconds(poll_interval, "poll_interval")
        _check_token(cancel)
        callback = _poll_callback(on_poll)

        def call(token: CancelToken) -> WaitOutcome:
            options = self._options(token, timeout_ms, poll_ms, callback)
            result = self._call_c(
                token, _ffi.droplet_action_wait_with_options, droplet_id, action_id, ctypes.byref(options)
            )
            return _raise_interruption(take_result(result))

        return call

    def _wait_many_call(
        self,
        refs: Iterable[ActionRef],
        timeout: float,
        poll_interval: float,
        cancel: Optional[CancelToken],
        on_poll: Optional[OnPoll] = None,
    ) -> Callable[[CancelToken], List[WaitOutcome]]:
        pairs = [(_id(d, "droplet_id"), _id(a, "action_id")) for d, a in refs]
        if not pairs:
            raise InvalidArgumentError("no actions to wait for")
        timeout_ms = _milliseconds(timeout, "timeout")
        poll_ms = _milliseconds(poll_interval, "poll_interval")
        _check_token(cancel)
        callback = _poll_callback(on_poll)

        def call(token: CancelToken) -> List[WaitOutcome]:
            count = len(pairs)
            refs = (_ffi.droplet_action_ref * count)(*(_ffi.droplet_action_ref(*p) for p in pairs))
            results = (_ffi.droplet_action_result * count)()
            options = self._options(token, timeout_ms, poll_ms, callback)
            try:
                self._call_c(
                    token, _ffi.droplet_action_wait_many, refs, count, ctypes.byref(options), results
                )
                return _raise_interruption([outcome_from_c(result) for result in results])
            finally:
                for result in results:
                    _ffi.droplet_action_result_free(ctypes.byref(result))

        return call


def _raise_interruption(outcome: T) -> T:
    """``outcome``, or raises what a log handler raised during the call (Ctrl-C)."""
    interruption = _calls.interruption
    if interruption is not None:
        _calls.interruption = None
        try:
            raise interruption
        finally:
            interruption = None
    return outcome


class _NoCancel(CancelToken):
    """The token of calls nobody can cancel: passed as NULL."""

    __slots__ = ()

    def __init__(self) -> None:
        self._pointer = 0

    def cancel(self) -> None:  # pragma: no cover - never handed out
        raise InvalidArgumentError("this call cannot be cancelled")


_NO_CANCEL = _NoCancel()


def _check_token(cancel: Optional[CancelToken]) -> None:
    if cancel is not None and (not isinstance(cancel, CancelToken) or cancel is _NO_CANCEL):
        raise TypeError(f"cancel must be a CancelToken, not {type(cancel).__name__}")


def _count(value: int, name: str, maximum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise InvalidArgumentError(f"{name} must be between 0 and {maximum}, not {value}")
    return value


class Settings(TypedDict, total=False):
    """The keyword settings of ``Client`` (and ``AsyncClient``, ``from_env``), for typing."""

    base_url: Optional[str]
    timeout: float
    connect_timeout: float
    max_retries: int
    backoff: Tuple[float, float]
    body_limit: int
    user_agent: Optional[str]
    proxy: Optional[str]
    proxy_from_env: bool
    ca_file: Optional[Union[str, "os.PathLike[str]"]]
    allow_insecure_http: bool
    requests_per_minute: Optional[int]


class EnvSettings(Settings, total=False):
    """``Settings`` and the token, which ``from_env`` reads from the environment unless
    given."""

    token: str


class _FromEnv(str):
    """The token of a client built by ``from_env``: the library's builder reads the token
    and the base URL from the environment (``droplet_client_builder_new_from_env``), so the
    rule of which variables count lives there alone. A token given to ``from_env`` is this
    string's value (``given``), and wins over the environment's."""

    given: bool = False


def _from_env_token(token: Optional[str]) -> _FromEnv:
    marked = _FromEnv(token or "")
    marked.given = token is not None
    return marked


def _settings_from_env(settings: EnvSettings) -> Tuple[str, Settings]:
    """The token (given, or to be read from the environment by the library) and the other
    settings, which win over the environment."""
    rest = cast(Settings, {k: v for k, v in settings.items() if k != "token"})
    return _from_env_token(settings.get("token")), rest


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


def _now_ms() -> int:
    """The monotonic clock in milliseconds: the waiters' clock."""
    return time.monotonic_ns() // 1_000_000


def _seconds(value: float, name: str) -> float:
    _milliseconds(value, name)
    return float(value)


def library_version() -> str:
    """The version of the C library in use (``droplet_version()``)."""
    return str(_ffi.droplet_version().decode("ascii"))


__all__: Sequence[str] = [
    "AsyncClient",
    "CancelToken",
    "Client",
    "flush_logs",
    "library_version",
]
