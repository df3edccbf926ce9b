"""What every call checks and converts: ids, durations, texts, the defaults read from the
library, cancel tokens and poll callbacks."""

from __future__ import annotations

import math
import os
import time
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Optional,
    Tuple,
    TypeVar,
    Union,
)

from . import _ffi
from ._errors import (
    InvalidArgumentError,
)
from ._model import PollEvent, poll_event_from_c

if TYPE_CHECKING:

    pass

T = TypeVar("T")

from ._logs import LOGGER, interrupt_call

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
            interrupt_call(error)

    return _ffi.droplet_poll_callback(bridge)


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


def _now_ms() -> int:
    """The monotonic clock in milliseconds: the waiters' clock."""
    return time.monotonic_ns() // 1_000_000


def _seconds(value: float, name: str) -> float:
    _milliseconds(value, name)
    return float(value)
