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
import os
import queue
import select
import signal
import threading
from typing import (
    TYPE_CHECKING,
    Any,
    Callable,
    Optional,
    TypeVar,
)

if TYPE_CHECKING:

    pass

T = TypeVar("T")

from ._args import CancelToken
from ._logs import _calls

_WAIT_SLICE = 0.05


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


def reset_in_child() -> None:
    """After ``fork()``, in the child: only the forking thread lives on. Every lock another
    thread may have held is made anew, calls that were running on other threads are
    forgotten, and threads are started again when first needed."""
    global _worker, _threads_lock, _watch
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
