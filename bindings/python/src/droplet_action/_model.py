"""The values a call returns: ``Action``, ``Region``, ``ActionStatus``, ``RateLimit`` and
``PollEvent``, and their conversion from the C structs (done once, while the result is alive)."""

from __future__ import annotations

import ctypes
import datetime as _dt
import enum
from dataclasses import dataclass
from typing import Optional, Tuple

from . import _ffi


class ActionStatus(enum.Enum):
    """The status of an action. The text the API sent is ``Action.status_text``."""

    #: ``"in-progress"``: the action is running.
    IN_PROGRESS = "in-progress"
    #: ``"completed"``: the action finished successfully.
    COMPLETED = "completed"
    #: ``"errored"``: the action failed.
    ERRORED = "errored"
    #: A status this library does not know (``Action.status_text`` holds it).
    UNKNOWN = "unknown"


_STATUS_FROM_C = {
    _ffi.DROPLET_ACTION_STATUS_UNKNOWN: ActionStatus.UNKNOWN,
    _ffi.DROPLET_ACTION_STATUS_IN_PROGRESS: ActionStatus.IN_PROGRESS,
    _ffi.DROPLET_ACTION_STATUS_COMPLETED: ActionStatus.COMPLETED,
    _ffi.DROPLET_ACTION_STATUS_ERRORED: ActionStatus.ERRORED,
}


@dataclass(frozen=True)
class Region:
    """A region, as embedded in an action. Every field is ``None`` (or empty) when absent."""

    #: The slug (``"nyc3"``).
    slug: Optional[str]
    #: The display name (``"New York 3"``).
    name: Optional[str]
    #: The size slugs available in the region.
    sizes: Tuple[str, ...]
    #: The features of the region (``"private_networking"``, ...).
    features: Tuple[str, ...]
    #: Whether new droplets can be created there; ``None`` when absent.
    available: Optional[bool]


@dataclass(frozen=True)
class Action:
    """A droplet action. Every field is optional in the API: ``None`` when absent or null."""

    #: The action id.
    id: Optional[int]
    #: The status: ``None`` when absent or null, ``ActionStatus.UNKNOWN`` for a new one.
    status: Optional[ActionStatus]
    #: The status exactly as sent (``"in-progress"``, ``"paused"``, ...), or ``None``.
    status_text: Optional[str]
    #: The kind of action (``"create"``, ...).
    type: Optional[str]
    #: When the action started, with the offset that was sent.
    started_at: Optional[_dt.datetime]
    #: When it ended; ``None`` while it runs.
    completed_at: Optional[_dt.datetime]
    #: The id of the resource (the droplet).
    resource_id: Optional[int]
    #: The kind of resource (``"droplet"``).
    resource_type: Optional[str]
    #: The region slug (``"nyc3"``).
    region_slug: Optional[str]
    #: The region.
    region: Optional[Region]


@dataclass(frozen=True)
class RateLimit:
    """The account's rate limit, from the ``ratelimit-*`` headers of the last answer."""

    #: Requests allowed in the window.
    limit: int
    #: Requests left in the window.
    remaining: int
    #: Unix seconds at which the oldest request in the window expires.
    reset: int

    @property
    def reset_at(self) -> _dt.datetime:
        """``reset`` as an aware UTC datetime."""
        return _dt.datetime.fromtimestamp(self.reset, _dt.timezone.utc)


@dataclass(frozen=True)
class PollEvent:
    """What a wait reports after each request (``droplet_poll_event``): the response's
    action status, or the failure a retry answers. Durations are seconds."""

    #: The droplet.
    droplet_id: int
    #: The action.
    action_id: int
    #: The action's status in the response; ``None`` when absent or when no action came.
    status: Optional[ActionStatus]
    #: The status exactly as sent, or ``None``.
    status_text: Optional[str]
    #: The response's HTTP status; ``None`` when no response came.
    http_status: Optional[int]
    #: Seconds since the wait started.
    elapsed: float
    #: Polls so far, this one included.
    polls: int
    #: Requests so far, retries included.
    requests: int
    #: Seconds until the next poll; ``None`` once the wait is over.
    next_poll_in: Optional[float]


def poll_event_from_c(event: _ffi.droplet_poll_event) -> PollEvent:
    """Copies a ``droplet_poll_event``."""
    return PollEvent(
        droplet_id=event.droplet_id,
        action_id=event.action_id,
        status=None
        if event.status_text is None
        else _STATUS_FROM_C.get(event.status, ActionStatus.UNKNOWN),
        status_text=_text(event.status_text),
        http_status=event.http_status or None,
        elapsed=event.elapsed_ms / 1000,
        polls=event.polls,
        requests=event.requests,
        next_poll_in=event.next_poll_in_ms / 1000 if event.more else None,
    )


def _text(value: Optional[bytes]) -> Optional[str]:
    return None if value is None else value.decode("utf-8")


def _texts(pointer: ctypes._Pointer[ctypes.c_char_p], length: int) -> Tuple[str, ...]:
    if not pointer:
        return ()
    return tuple(pointer[i].decode("utf-8") for i in range(length))


def _timestamp(text: Optional[bytes], unix: int, present: bool) -> Optional[_dt.datetime]:
    """An aware datetime from an RFC 3339 text the library already checked."""
    if not present or text is None:
        return None
    value = text.decode("ascii")
    try:
        return _dt.datetime.fromisoformat(value)
    except ValueError:
        pass
    # Before Python 3.11, fromisoformat takes neither "Z" nor fractions other than 3 or 6
    # digits: give it the same instant in the form it reads.
    date_time, offset = value[:19], value[19:]
    fraction = ""
    if offset.startswith("."):
        rest = offset[1:]
        offset = rest.lstrip("0123456789")
        fraction = rest[: len(rest) - len(offset)]
    if offset in ("Z", "z"):
        offset = "+00:00"
    try:
        parsed = _dt.datetime.fromisoformat(date_time.replace("t", "T") + offset)
    except ValueError:
        return _dt.datetime.fromtimestamp(unix, _dt.timezone.utc)
    return parsed.replace(microsecond=int((fraction + "000000")[:6]))


def region_from_c(region: _ffi.droplet_region) -> Region:
    """Copies a ``droplet_region``."""
    return Region(
        slug=_text(region.slug),
        name=_text(region.name),
        sizes=_texts(region.sizes, region.sizes_len),
        features=_texts(region.features, region.features_len),
        available=region.available if region.has_available else None,
    )


def action_from_c(action: _ffi.droplet_action) -> Action:
    """Copies a ``droplet_action``."""
    return Action(
        id=action.id if action.has_id else None,
        status=None
        if action.status_text is None
        else _STATUS_FROM_C.get(action.status, ActionStatus.UNKNOWN),
        status_text=_text(action.status_text),
        type=_text(action.type),
        started_at=_timestamp(action.started_at, action.started_at_unix, action.has_started_at),
        completed_at=_timestamp(
            action.completed_at, action.completed_at_unix, action.has_completed_at
        ),
        resource_id=action.resource_id if action.has_resource_id else None,
        resource_type=_text(action.resource_type),
        region_slug=_text(action.region_slug),
        region=region_from_c(action.region.contents) if action.region else None,
    )


def rate_limit_from_c(rate_limit: _ffi.droplet_rate_limit) -> Optional[RateLimit]:
    """Copies a ``droplet_rate_limit``; ``None`` when the headers were absent."""
    if not rate_limit.present:
        return None
    return RateLimit(limit=rate_limit.limit, remaining=rate_limit.remaining, reset=rate_limit.reset)
