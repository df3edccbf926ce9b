"""The exceptions, one per failure status of the C library, and the conversion of a
``droplet_action_result`` into an ``Action`` or one of them."""

from __future__ import annotations

import builtins
import ctypes
import enum
from typing import TYPE_CHECKING, Any, Dict, Optional, Tuple, Type, TypedDict, Union

from . import _ffi
from ._model import Action, RateLimit, action_from_c, rate_limit_from_c

if TYPE_CHECKING:
    from typing_extensions import Unpack


class Status(enum.IntEnum):
    """What a call ended with: the C library's ``droplet_status``, one member per value.
    Each ``Error`` subclass has one (``error.status``); a value this package does not know
    (from a newer library) is a member named ``UNKNOWN_<value>``."""

    #: Success.
    OK = _ffi.DROPLET_STATUS_OK
    #: ``InvalidArgumentError``.
    INVALID_ARGUMENT = _ffi.DROPLET_STATUS_INVALID_ARGUMENT
    #: ``TransportError``.
    TRANSPORT = _ffi.DROPLET_STATUS_TRANSPORT
    #: ``TimeoutError``.
    TIMEOUT = _ffi.DROPLET_STATUS_TIMEOUT
    #: ``ApiError``.
    API_ERROR = _ffi.DROPLET_STATUS_API_ERROR
    #: ``DecodeError``.
    DECODE = _ffi.DROPLET_STATUS_DECODE
    #: ``BodyTooLargeError``.
    BODY_TOO_LARGE = _ffi.DROPLET_STATUS_BODY_TOO_LARGE
    #: ``ActionErroredError``.
    ACTION_ERRORED = _ffi.DROPLET_STATUS_ACTION_ERRORED
    #: ``InternalError``.
    PANIC = _ffi.DROPLET_STATUS_PANIC
    #: ``CancelledError``.
    CANCELLED = _ffi.DROPLET_STATUS_CANCELLED
    #: ``RateLimitedError``.
    RATE_LIMITED = _ffi.DROPLET_STATUS_RATE_LIMITED

    @classmethod
    def _missing_(cls, value: object) -> Optional["Status"]:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**32:
            member = int.__new__(cls, value)
            member._name_ = f"UNKNOWN_{value}"
            member._value_ = value
            return member
        return None


class _Fields(TypedDict, total=False):
    """What every error carries besides its message (the keywords of ``Error``)."""

    http_status: Optional[int]
    error_id: Optional[str]
    request_id: Optional[str]
    rate_limit: Optional[RateLimit]
    attempts: int
    raw_body: Optional[bytes]


class Error(Exception):
    """The base of every error this package raises for a call.

    Besides the message (``str(error)``, never holding the token), every error carries what
    is known about the last answer: ``http_status`` (``None`` when no answer came),
    ``error_id`` (the API's, such as ``"not_found"``), ``request_id``, ``rate_limit``
    (a ``RateLimit`` or ``None``), ``attempts`` (requests sent, 0 when nothing was sent)
    and ``raw_body`` (the last body exactly as received, or ``None``).
    """

    #: The C library's status for this kind of error (``droplet_status``).
    status: Status = Status.OK

    def __init__(
        self,
        message: str,
        *,
        http_status: Optional[int] = None,
        error_id: Optional[str] = None,
        request_id: Optional[str] = None,
        rate_limit: Optional[RateLimit] = None,
        attempts: int = 0,
        raw_body: Optional[bytes] = None,
    ) -> None:
        super().__init__(message)
        #: What went wrong.
        self.message = message
        #: The HTTP status of the last answer, or ``None`` when no answer came.
        self.http_status = http_status
        #: The API's error id (``"not_found"``, ``"unauthorized"``, ...), or ``None``.
        self.error_id = error_id
        #: The request id, from the error body or the ``x-request-id`` header, or ``None``.
        self.request_id = request_id
        #: The rate limit of the last answer, or ``None`` when it carried none.
        self.rate_limit = rate_limit
        #: How many requests were sent (0 when refused before sending).
        self.attempts = attempts
        #: The last body received, exactly as received, or ``None``.
        self.raw_body = raw_body

    def __reduce__(self) -> Tuple[Any, ...]:
        return (_restore, (type(self), self.message, self.__dict__))


def _restore(cls: Type[Error], message: str, state: Dict[str, Any]) -> Error:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InvalidArgumentError(Error, ValueError):
    """An argument or setting was refused (an id below 1, a malformed URL or token, a
    closed client). Nothing was sent. Also a ``ValueError``."""

    status = Status.INVALID_ARGUMENT


class TransportError(Error):
    """No answer came: name resolution, connection, TLS, or broken HTTP, after retries."""

    status = Status.TRANSPORT


class TimeoutError(Error, builtins.TimeoutError):
    """No answer in time, or a wait's deadline passed. Also the built-in ``TimeoutError``.

    ``last`` is the last ``Action`` a wait saw, or ``None``.
    """

    status = Status.TIMEOUT

    def __init__(self, message: str, *, last: Optional[Action] = None, **fields: Unpack[_Fields]) -> None:
        super().__init__(message, **fields)
        #: The last state a wait saw, or ``None``.
        self.last = last


class ApiError(Error):
    """The API answered with an error status: see ``http_status``, ``error_id``,
    ``message`` and ``request_id``. 401: check the token; 404: check the ids; 429 and 5xx
    were retried."""

    status = Status.API_ERROR


class DecodeError(Error):
    """The answer was not a valid action (``raw_body`` holds it)."""

    status = Status.DECODE


class BodyTooLargeError(Error):
    """The answer was larger than the client's body limit."""

    status = Status.BODY_TOO_LARGE


class ActionErroredError(Error):
    """A wait ended because the action finished as ``errored``; ``action`` holds it."""

    status = Status.ACTION_ERRORED

    def __init__(self, message: str, *, action: Action, **fields: Unpack[_Fields]) -> None:
        super().__init__(message, **fields)
        #: The failed action.
        self.action = action


class InternalError(Error):
    """An internal error of the C library was contained; the library stays usable."""

    status = Status.PANIC


class CancelledError(Error):
    """The call's ``CancelToken`` was triggered. ``last`` is the last ``Action`` a wait
    saw, or ``None``. The client stays usable."""

    status = Status.CANCELLED

    def __init__(self, message: str, *, last: Optional[Action] = None, **fields: Unpack[_Fields]) -> None:
        super().__init__(message, **fields)
        #: The last state a wait saw, or ``None``.
        self.last = last


class RateLimitedError(Error):
    """A wait saw the rate limit spent while the action ran, and the limit resets after
    the wait's deadline or after the longest pause honoured: ``rate_limit.reset_at`` says
    when to try again. ``last`` is the last ``Action`` the wait saw."""

    status = Status.RATE_LIMITED

    def __init__(self, message: str, *, last: Optional[Action] = None, **fields: Unpack[_Fields]) -> None:
        super().__init__(message, **fields)
        #: The last state the wait saw.
        self.last = last


_ERRORS: Dict[Status, Type[Error]] = {
    cls.status: cls
    for cls in (
        InvalidArgumentError,
        TransportError,
        TimeoutError,
        ApiError,
        DecodeError,
        BodyTooLargeError,
        ActionErroredError,
        InternalError,
        CancelledError,
        RateLimitedError,
    )
}


def _text(value: Optional[bytes]) -> Optional[str]:
    return None if value is None else value.decode("utf-8", "replace")


def outcome_from_c(result: _ffi.droplet_action_result) -> Union[Action, Error]:
    """Copies what a result holds: the ``Action`` on success, else the ``Error`` to raise.
    The caller frees the result."""
    try:
        action = action_from_c(result.action.contents) if result.action else None
    except (ValueError, OverflowError) as failure:
        # A valid RFC 3339 time that Python's datetime cannot hold (year 0000).
        action = None
        unreadable: Optional[str] = f"the action cannot be represented in Python: {failure}"
    else:
        unreadable = None
    if result.status == _ffi.DROPLET_STATUS_OK and action is not None:
        return action
    cls = _ERRORS.get(result.status, Error)
    message = _text(result.error_message) or _text(_ffi.droplet_status_str(result.status)) or ""
    if unreadable is not None and result.status in (
        _ffi.DROPLET_STATUS_OK, _ffi.DROPLET_STATUS_ACTION_ERRORED
    ):
        cls, message = DecodeError, unreadable
    fields: _Fields = {
        "http_status": result.http_status or None,
        "error_id": _text(result.error_id),
        "request_id": _text(result.request_id),
        "rate_limit": rate_limit_from_c(result.rate_limit),
        "attempts": result.attempts,
        "raw_body": ctypes.string_at(result.raw_body, result.raw_body_len)
        if result.raw_body
        else None,
    }
    if cls is ActionErroredError and action is not None:
        return ActionErroredError(message, action=action, **fields)
    if cls is TimeoutError or cls is CancelledError or cls is RateLimitedError:
        return cls(message, last=action, **fields)
    error = cls(message, **fields)
    if cls is Error:
        error.status = Status(result.status)
    return error


def take_result(result: _ffi.droplet_action_result) -> Union[Action, Error]:
    """``outcome_from_c``, then frees the result."""
    try:
        return outcome_from_c(result)
    finally:
        _ffi.droplet_action_result_free(ctypes.byref(result))


def unwrap(outcome: Union[Action, Error]) -> Action:
    """The action, or raises the error."""
    if isinstance(outcome, Error):
        raise outcome
    return outcome


def build_error() -> InvalidArgumentError:
    """The error for a refused builder call, with the library's reason for it (read on
    the thread that made the call)."""
    return InvalidArgumentError(_text(_ffi.droplet_last_error_message()) or "invalid argument")
