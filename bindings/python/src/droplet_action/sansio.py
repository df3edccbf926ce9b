"""Sans-IO: the request to send and the meaning of its answer, for those who bring their
own HTTP client (asyncio streams with h11, httpx, Twisted, ...).

``build_request`` gives what ``Client.get`` would send first; ``parse_response`` classifies
the answer exactly as ``Client.get`` does, returning the ``Action`` or raising the same
exceptions; ``retry_advice`` says whether and when to send the request again. Nothing here
opens a socket, sleeps or blocks::

    method, url, headers = sansio.build_request(None, token, 3164444, 36804636)
    ...  # send it, read status, headers and body with any HTTP client
    action = sansio.parse_response(status, headers, body)
"""

from __future__ import annotations

import ctypes
import os
from typing import Iterable, List, Mapping, Optional, Tuple, Union

from . import _ffi
from ._args import _c_text, _id
from ._errors import InvalidArgumentError, build_error, take_result, unwrap
from ._model import Action

#: Headers as HTTP clients give them: ``(name, value)`` pairs (repeated names allowed) or a
#: mapping, of text (Latin-1) or bytes.
Headers = Union[
    Iterable[Tuple[str, str]],
    Iterable[Tuple[bytes, bytes]],
    Mapping[str, str],
    Mapping[bytes, bytes],
]

__all__ = ["build_request", "parse_response", "retry_advice"]


def build_request(
    base_url: Optional[str], token: str, droplet_id: int, action_id: int
) -> Tuple[str, str, List[Tuple[str, str]]]:
    """The request that retrieves one action: ``(method, absolute URL, headers)``.

    ``base_url`` ``None`` means ``https://api.digitalocean.com``; plain ``http`` is refused
    for a host that is not loopback. The headers hold ``authorization: Bearer <token>``:
    do not log them. Raises ``InvalidArgumentError`` for a bad URL, token or id.
    """
    base = None if base_url is None else _c_text(base_url, "base_url")
    request = _ffi.droplet_request()
    status = _ffi.droplet_request_build(
        base,
        _c_text(token, "token"),
        _id(droplet_id, "droplet_id"),
        _id(action_id, "action_id"),
        ctypes.byref(request),
    )
    if status != _ffi.DROPLET_STATUS_OK:
        raise build_error()
    try:
        headers = [
            (request.headers[i].name.decode("latin-1"), request.headers[i].value.decode("latin-1"))
            for i in range(request.headers_len)
        ]
        return request.method.decode("ascii"), request.url.decode("utf-8"), headers
    finally:
        _ffi.droplet_request_free(ctypes.byref(request))


def _header_bytes(value: Union[str, bytes]) -> bytes:
    return value.encode("latin-1") if isinstance(value, str) else bytes(value)


def _c_headers(headers: Headers) -> "ctypes.Array[_ffi.droplet_header]":
    pairs: Iterable[Tuple[Union[str, bytes], Union[str, bytes]]] = (
        headers.items() if isinstance(headers, Mapping) else headers
    )
    encoded = [(_header_bytes(name), _header_bytes(value)) for name, value in pairs]
    # A NUL byte cannot cross as a C string; such a header is not valid HTTP, and the
    # library ignores invalid headers, so it is left out here.
    valid = [pair for pair in encoded if b"\0" not in pair[0] and b"\0" not in pair[1]]
    # The structure keeps a reference to each bytes object it points into.
    return (_ffi.droplet_header * len(valid))(*(_ffi.droplet_header(n, v) for n, v in valid))


def _parse(status: int, headers: Headers, body: bytes) -> _ffi.droplet_action_result:
    if not isinstance(status, int) or isinstance(status, bool):
        raise TypeError(f"status must be an int, not {type(status).__name__}")
    if not 0 <= status <= 0xFFFF:
        raise InvalidArgumentError(f"status {status} is not an HTTP status")
    array = _c_headers(headers)
    data = bytes(body)
    result: _ffi.droplet_action_result = _ffi.droplet_response_parse(
        status, array, len(array), data, len(data)
    )
    return result


def parse_response(status: int, headers: Headers, body: bytes) -> Action:
    """The action in an answer, or raises what ``Client.get`` would for it: ``ApiError``
    (with ``error_id``, ``request_id`` and ``rate_limit``), ``DecodeError`` or
    ``BodyTooLargeError`` (above 4 MiB). ``attempts`` is 0 on these errors.

    ``headers`` are ``(name, value)`` pairs or a mapping, as ``str`` or ``bytes``; names
    are matched without regard to case.
    """
    return unwrap(take_result(_parse(status, headers, body)))


def retry_advice(
    status: int,
    headers: Headers,
    attempt: int,
    *,
    max_retries: int = 2,
    random: Optional[int] = None,
) -> Optional[float]:
    """Whether to send the request again after an answer, and when: the pause in seconds,
    or ``None`` not to retry.

    ``attempt`` counts from 1 (the request that got this answer). 408, 429 and 5xx are
    retried while ``attempt <= max_retries``, after what the server asked for
    (``retry-after``, or a spent rate limit's reset on a 429), else after a backoff from
    0.2 s doubling to 5 s with full jitter drawn from ``random`` (any 64-bit number;
    default one from ``os.urandom``). Never when the server asks for more than 60 s. The same
    rules as ``Client.get`` with its default settings.
    """
    if random is None:
        random = int.from_bytes(os.urandom(8), "little")
    for value, name, limit in ((attempt, "attempt", 2**32 - 1), (max_retries, "max_retries", 2**32 - 1),
                               (random, "random", 2**64 - 1)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if not 0 <= value <= limit:
            raise InvalidArgumentError(f"{name} must be between 0 and {limit}, not {value}")
    result = _parse(status, headers, b"")
    delay_ms = ctypes.c_uint64()
    try:
        retry = _ffi.droplet_retry_advice(
            ctypes.byref(result), attempt, max_retries, random, ctypes.byref(delay_ms)
        )
    finally:
        _ffi.droplet_action_result_free(ctypes.byref(result))
    return delay_ms.value / 1000 if retry else None
