"""DigitalOcean's Retrieve a Droplet Action (``GET /v2/droplets/{droplet_id}/actions/{action_id}``),
through the droplet-action C library::

    import droplet_action as da

    with da.Client.from_env() as client:        # DIGITALOCEAN_ACCESS_TOKEN
        action = client.get(3164444, 36804636)   # a frozen da.Action
        print(action.status, action.completed_at)
        client.wait(3164444, 36804636, timeout=600.0)

``Client`` blocks (Ctrl-C interrupts a call on the main thread at once; a ``CancelToken``
ends a call on any thread), ``AsyncClient`` is for asyncio, and
``droplet_action.sansio`` builds requests and reads answers for your own HTTP client.
Failures raise subclasses of ``Error``; events are logged to the ``droplet_action`` logger.
"""

from . import sansio
from ._args import CancelToken
from ._async import AsyncClient
from ._client import Client, library_version
from ._errors import (
    ActionErroredError,
    ApiError,
    BodyTooLargeError,
    CancelledError,
    DecodeError,
    Error,
    InternalError,
    InvalidArgumentError,
    RateLimitedError,
    Status,
    TimeoutError,
    TransportError,
)
from ._logs import flush_logs
from ._model import Action, ActionStatus, PollEvent, RateLimit, Region

#: The version of this package.
__version__ = "0.1.0"

__all__ = [
    "Action",
    "ActionErroredError",
    "ActionStatus",
    "ApiError",
    "AsyncClient",
    "BodyTooLargeError",
    "CancelToken",
    "CancelledError",
    "Client",
    "DecodeError",
    "Error",
    "InternalError",
    "InvalidArgumentError",
    "PollEvent",
    "RateLimit",
    "RateLimitedError",
    "Region",
    "Status",
    "TimeoutError",
    "TransportError",
    "flush_logs",
    "library_version",
    "sansio",
]
