"""ctypes declarations for ``droplet_action.h``, in the header's order and with its names.

Everything that crosses into the C library is declared here and nowhere else; the rest of
the package converts these structs into Python values once, at the boundary. Ownership is
the header's: whatever the library allocates (clients, builders, cancel tokens, results,
requests) is freed by its ``*_free`` function, and every pointer inside a result lives
until that result is freed.

The library is the ``libdroplet_action.so`` shipped inside this package, or the file named
by the ``DROPLET_ACTION_LIB`` environment variable when it is set.
"""

from __future__ import annotations

import ctypes
import os
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_bool,
    c_char,
    c_char_p,
    c_int64,
    c_size_t,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, Callable

LIBRARY_NAME = "libdroplet_action.so"


def _load() -> ctypes.CDLL:
    explicit = os.environ.get("DROPLET_ACTION_LIB")
    path = explicit or os.path.join(os.path.dirname(os.path.abspath(__file__)), LIBRARY_NAME)
    return ctypes.CDLL(path)


lib = _load()

# enum droplet_status
DROPLET_STATUS_OK = 0
DROPLET_STATUS_INVALID_ARGUMENT = 1
DROPLET_STATUS_TRANSPORT = 2
DROPLET_STATUS_TIMEOUT = 3
DROPLET_STATUS_API_ERROR = 4
DROPLET_STATUS_DECODE = 5
DROPLET_STATUS_BODY_TOO_LARGE = 6
DROPLET_STATUS_ACTION_ERRORED = 7
DROPLET_STATUS_PANIC = 8
DROPLET_STATUS_CANCELLED = 9
DROPLET_STATUS_RATE_LIMITED = 10

# enum droplet_action_status
DROPLET_ACTION_STATUS_UNKNOWN = 0
DROPLET_ACTION_STATUS_IN_PROGRESS = 1
DROPLET_ACTION_STATUS_COMPLETED = 2
DROPLET_ACTION_STATUS_ERRORED = 3

# Opaque types: droplet_cancel_token, droplet_client, droplet_client_builder are void pointers.


class droplet_region(Structure):
    """``struct droplet_region``."""

    _fields_ = [
        ("name", c_char_p),
        ("slug", c_char_p),
        ("sizes", POINTER(c_char_p)),
        ("sizes_len", c_size_t),
        ("features", POINTER(c_char_p)),
        ("features_len", c_size_t),
        ("available", c_bool),
        ("has_available", c_bool),
    ]


class droplet_action(Structure):
    """``struct droplet_action``."""

    _fields_ = [
        ("id", c_int64),
        ("has_id", c_bool),
        ("status", c_uint32),
        ("status_text", c_char_p),
        ("type", c_char_p),
        ("resource_type", c_char_p),
        ("region_slug", c_char_p),
        ("resource_id", c_int64),
        ("has_resource_id", c_bool),
        ("started_at", c_char_p),
        ("started_at_unix", c_int64),
        ("has_started_at", c_bool),
        ("completed_at", c_char_p),
        ("completed_at_unix", c_int64),
        ("has_completed_at", c_bool),
        ("region", POINTER(droplet_region)),
    ]


class droplet_rate_limit(Structure):
    """``struct droplet_rate_limit``."""

    _fields_ = [
        ("limit", c_int64),
        ("remaining", c_int64),
        ("reset", c_int64),
        ("present", c_bool),
    ]


class droplet_action_result(Structure):
    """``struct droplet_action_result``, returned by value."""

    _fields_ = [
        ("status", c_uint32),
        ("http_status", c_uint16),
        ("attempts", c_uint32),
        ("action", POINTER(droplet_action)),
        ("error_message", c_char_p),
        ("error_id", c_char_p),
        ("request_id", c_char_p),
        ("rate_limit", droplet_rate_limit),
        # Not c_char_p: the body is raw_body_len bytes and may hold NUL bytes.
        ("raw_body", POINTER(c_char)),
        ("raw_body_len", c_size_t),
        ("internal", c_void_p),
    ]

    def __del__(self) -> None:
        # A result returned by value that an exception dropped before its free (a signal
        # handler raising right after the call returned) is freed here. The free zeroes
        # `internal`, so a result freed already, or held in an array, is left alone.
        if self._b_needsfree_ and self.internal:
            droplet_action_result_free(ctypes.byref(self))


class droplet_poll_event(Structure):
    """``struct droplet_poll_event``."""

    _fields_ = [
        ("size", c_size_t),
        ("droplet_id", c_int64),
        ("action_id", c_int64),
        ("status", c_uint32),
        ("status_text", c_char_p),
        ("http_status", c_uint16),
        ("elapsed_ms", c_uint64),
        ("polls", c_uint32),
        ("requests", c_uint32),
        ("more", c_bool),
        ("next_poll_in_ms", c_uint64),
    ]


# typedef void (*droplet_poll_callback)(void *userdata, const struct droplet_poll_event *event);
droplet_poll_callback = CFUNCTYPE(None, c_void_p, POINTER(droplet_poll_event))


class droplet_call_options(Structure):
    """``struct droplet_call_options``; ``size`` must be ``ctypes.sizeof`` of it."""

    _fields_ = [
        ("size", c_size_t),
        ("cancel", c_void_p),
        ("timeout_ms", c_uint32),
        ("poll_interval_ms", c_uint32),
        ("on_poll", droplet_poll_callback),
        ("on_poll_userdata", c_void_p),
    ]


class droplet_action_ref(Structure):
    """``struct droplet_action_ref``."""

    _fields_ = [("droplet_id", c_int64), ("action_id", c_int64)]


# typedef void (*droplet_log_callback)(void *userdata, uint32_t level, const char *message);
droplet_log_callback = CFUNCTYPE(None, c_void_p, c_uint32, c_char_p)


class droplet_header(Structure):
    """``struct droplet_header``."""

    _fields_ = [("name", c_char_p), ("value", c_char_p)]


class droplet_request(Structure):
    """``struct droplet_request``."""

    _fields_ = [
        ("method", c_char_p),
        ("url", c_char_p),
        ("headers", POINTER(droplet_header)),
        ("headers_len", c_size_t),
        ("internal", c_void_p),
    ]


class droplet_wait_step(Structure):
    """``struct droplet_wait_step``."""

    _fields_ = [("kind", c_uint32), ("timeout_ms", c_uint32), ("until_ms", c_uint64)]


class droplet_defaults(Structure):
    """``struct droplet_defaults``."""

    _fields_ = [
        ("timeout_ms", c_uint64),
        ("connect_timeout_ms", c_uint64),
        ("max_retries", c_uint32),
        ("backoff_base_ms", c_uint64),
        ("backoff_max_ms", c_uint64),
        ("max_retry_after_ms", c_uint64),
        ("body_limit", c_uint64),
        ("wait_timeout_ms", c_uint64),
        ("poll_interval_ms", c_uint64),
        ("requests_per_minute", c_uint32),
        ("requests_per_hour", c_uint32),
    ]


# The steps of droplet_wait_step.kind.
DROPLET_WAIT_SEND = 0
DROPLET_WAIT_SLEEP = 1
DROPLET_WAIT_DONE = 2


def _declare(name: str, restype: Any, *argtypes: Any) -> Callable[..., Any]:
    function = getattr(lib, name)
    function.restype = restype
    function.argtypes = list(argtypes)
    return function  # type: ignore[no-any-return]


_result_p = POINTER(droplet_action_result)
_options_p = POINTER(droplet_call_options)
_request_p = POINTER(droplet_request)
_header_p = POINTER(droplet_header)

droplet_version = _declare("droplet_version", c_char_p)
droplet_action_get = _declare(
    "droplet_action_get", droplet_action_result, c_void_p, c_int64, c_int64
)
droplet_action_get_with_options = _declare(
    "droplet_action_get_with_options", droplet_action_result, c_void_p, c_int64, c_int64, _options_p
)
droplet_action_wait = _declare(
    "droplet_action_wait",
    droplet_action_result,
    c_void_p,
    c_int64,
    c_int64,
    c_uint32,
    c_uint32,
)
droplet_action_wait_with_options = _declare(
    "droplet_action_wait_with_options", droplet_action_result, c_void_p, c_int64, c_int64, _options_p
)
droplet_action_wait_many = _declare(
    "droplet_action_wait_many",
    c_uint32,
    c_void_p,
    POINTER(droplet_action_ref),
    c_size_t,
    _options_p,
    _result_p,
)
droplet_last_error_message = _declare("droplet_last_error_message", c_char_p)
droplet_client_builder_new = _declare("droplet_client_builder_new", c_void_p)
droplet_client_builder_new_from_env = _declare("droplet_client_builder_new_from_env", c_void_p)
droplet_client_builder_set_token = _declare(
    "droplet_client_builder_set_token", c_uint32, c_void_p, c_char_p
)
droplet_client_builder_set_base_url = _declare(
    "droplet_client_builder_set_base_url", c_uint32, c_void_p, c_char_p
)
droplet_client_builder_set_timeout_ms = _declare(
    "droplet_client_builder_set_timeout_ms", c_uint32, c_void_p, c_uint32
)
droplet_client_builder_set_connect_timeout_ms = _declare(
    "droplet_client_builder_set_connect_timeout_ms", c_uint32, c_void_p, c_uint32
)
droplet_client_builder_set_max_retries = _declare(
    "droplet_client_builder_set_max_retries", c_uint32, c_void_p, c_uint32
)
droplet_client_builder_set_backoff_ms = _declare(
    "droplet_client_builder_set_backoff_ms", c_uint32, c_void_p, c_uint32, c_uint32
)
droplet_client_builder_set_body_limit = _declare(
    "droplet_client_builder_set_body_limit", c_uint32, c_void_p, c_uint64
)
droplet_client_builder_set_user_agent = _declare(
    "droplet_client_builder_set_user_agent", c_uint32, c_void_p, c_char_p
)
droplet_client_builder_set_proxy = _declare(
    "droplet_client_builder_set_proxy", c_uint32, c_void_p, c_char_p
)
droplet_client_builder_set_proxy_from_env = _declare(
    "droplet_client_builder_set_proxy_from_env", c_uint32, c_void_p, c_bool
)
droplet_client_builder_set_allow_insecure_http = _declare(
    "droplet_client_builder_set_allow_insecure_http", c_uint32, c_void_p, c_bool
)
droplet_client_builder_build = _declare(
    "droplet_client_builder_build", c_uint32, c_void_p, POINTER(c_void_p)
)
droplet_client_builder_set_requests_per_minute = _declare(
    "droplet_client_builder_set_requests_per_minute", c_uint32, c_void_p, c_uint32
)
droplet_client_builder_set_ca_file = _declare(
    "droplet_client_builder_set_ca_file", c_uint32, c_void_p, c_char_p
)
droplet_client_builder_set_log_callback = _declare(
    "droplet_client_builder_set_log_callback",
    c_uint32,
    c_void_p,
    droplet_log_callback,
    c_void_p,
    c_uint32,
)
droplet_client_builder_free = _declare("droplet_client_builder_free", None, c_void_p)
droplet_client_new_from_env = _declare("droplet_client_new_from_env", c_void_p)
droplet_client_free = _declare("droplet_client_free", None, c_void_p)
droplet_client_set_log_level = _declare(
    "droplet_client_set_log_level", c_uint32, c_void_p, c_uint32
)
droplet_cancel_token_new = _declare("droplet_cancel_token_new", c_void_p)
droplet_cancel_token_cancel = _declare("droplet_cancel_token_cancel", None, c_void_p)
droplet_cancel_token_is_cancelled = _declare("droplet_cancel_token_is_cancelled", c_bool, c_void_p)
droplet_cancel_token_free = _declare("droplet_cancel_token_free", None, c_void_p)
droplet_action_result_polls = _declare("droplet_action_result_polls", c_uint32, _result_p)
droplet_action_result_free = _declare("droplet_action_result_free", None, _result_p)
droplet_request_build = _declare(
    "droplet_request_build", c_uint32, c_char_p, c_char_p, c_int64, c_int64, _request_p
)
droplet_request_free = _declare("droplet_request_free", None, _request_p)
# `const uint8_t *body` is declared c_char_p so that bytes pass without a copy; the length
# is given separately and NUL bytes inside are fine.
droplet_response_parse = _declare(
    "droplet_response_parse", droplet_action_result, c_uint16, _header_p, c_size_t, c_char_p, c_size_t
)
droplet_retry_advice = _declare(
    "droplet_retry_advice", c_bool, _result_p, c_uint32, c_uint32, c_uint64, POINTER(c_uint64)
)
droplet_status_str = _declare("droplet_status_str", c_char_p, c_uint32)
droplet_waiter_new = _declare(
    "droplet_waiter_new", c_void_p, c_int64, c_int64, _options_p, c_uint64
)
droplet_waiter_next = _declare(
    "droplet_waiter_next", c_uint32, c_void_p, c_uint64, POINTER(droplet_wait_step)
)
droplet_waiter_feed = _declare(
    "droplet_waiter_feed", c_uint32, c_void_p, c_uint64, c_uint16, _header_p, c_size_t, c_char_p,
    c_size_t
)
droplet_waiter_send = _declare("droplet_waiter_send", c_uint32, c_void_p, c_void_p, c_uint64)
droplet_waiter_result = _declare("droplet_waiter_result", droplet_action_result, c_void_p, c_uint64)
droplet_waiter_free = _declare("droplet_waiter_free", None, c_void_p)
droplet_defaults_get = _declare("droplet_defaults_get", droplet_defaults)
