"""``Client``: the blocking calls, and the settings every client takes."""

from __future__ import annotations

import ctypes
import os
import threading
import weakref
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Iterable,
    List,
    Literal,
    Optional,
    Tuple,
    TypedDict,
    TypeVar,
    Union,
    cast,
    overload,
)

from . import _ffi
from ._errors import (
    Error,
    InvalidArgumentError,
    build_error,
    outcome_from_c,
    take_result,
    unwrap,
)
from ._model import Action

if TYPE_CHECKING:

    from typing_extensions import Unpack

T = TypeVar("T")

from . import _interrupt, _logs
from ._args import (
    _DEFAULT_BACKOFF,
    _DEFAULT_BODY_LIMIT,
    _DEFAULT_CONNECT_TIMEOUT,
    _DEFAULT_MAX_RETRIES,
    _DEFAULT_POLL_INTERVAL,
    _DEFAULT_TIMEOUT,
    _DEFAULT_WAIT_TIMEOUT,
    _NO_CANCEL,
    _UINT32_MAX,
    CancelToken,
    OnPoll,
    _c_text,
    _check_token,
    _count,
    _id,
    _milliseconds,
    _poll_callback,
)
from ._interrupt import _on_main_thread, _raise_interruption, _run_on_main_thread
from ._logs import _LOG_CALLBACK, LOGGER, _calls, _max_log_level

if TYPE_CHECKING:
    from ._async import AsyncClient

# Every live client, for the child of a fork().
_clients: "weakref.WeakSet[Client]" = weakref.WeakSet()
_async_clients: "weakref.WeakSet[AsyncClient]" = weakref.WeakSet()


def _reset_in_child() -> None:
    """After ``fork()``, in the child: the package's threads and locks are made anew, and
    every client forgets the calls that were running on other threads. (The C library
    gives the child new connections on its own: it never sends on the parent's.)"""
    _logs.reset_in_child()
    _interrupt.reset_in_child()
    for client in list(_clients):
        client._after_fork()
    for async_client in list(_async_clients):
        async_client._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)


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
                token,
                _ffi.droplet_action_get_with_options,
                droplet_id,
                action_id,
                ctypes.byref(options),
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
                token,
                _ffi.droplet_action_wait_with_options,
                droplet_id,
                action_id,
                ctypes.byref(options),
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


def library_version() -> str:
    """The version of the C library in use (``droplet_version()``)."""
    return str(_ffi.droplet_version().decode("ascii"))
