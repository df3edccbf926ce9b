"""The library's log records, handed to the ``droplet_action`` logger on a thread of the
package, and what the C call running on each thread knows (its token, an interruption)."""

from __future__ import annotations

import atexit
import logging
import queue
import threading
from typing import (
    TYPE_CHECKING,
    Optional,
    TypeVar,
    Union,
)

from . import _ffi

if TYPE_CHECKING:

    from ._args import CancelToken


T = TypeVar("T")

LOGGER = logging.getLogger("droplet_action")
# A library logs but never prints: without a handler of the application's, records end here
# rather than in logging's last-resort handler on standard error.
LOGGER.addHandler(logging.NullHandler())
_LOG_LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}


class _CallState(threading.local):
    """What the log callback knows of the C call running on this thread."""

    token: Optional["CancelToken"] = None
    interruption: Optional[BaseException] = None


_calls = _CallState()


def interrupt_call(error: BaseException) -> None:
    """What a callback of the library (a log handler, ``on_poll``) raised that is not an
    ``Exception`` (``KeyboardInterrupt``, ``SystemExit``): ctypes would print it and drop
    it, so the call running on this thread is cancelled instead, and it is raised on this
    thread once the call returns."""
    if _calls.interruption is None:
        _calls.interruption = error
    token = _calls.token
    if token is not None and token._pointer:
        token.cancel()


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
        interrupt_call(error)


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


def reset_in_child() -> None:
    """After ``fork()``, in the child: a new hand-off (its thread did not survive)."""
    global _handoff
    _handoff = _LogHandoff()
