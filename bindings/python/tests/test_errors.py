"""The exception hierarchy, and each exception with the exact fields a real failure gives."""

from __future__ import annotations

import builtins
import pickle
import re
import threading

import pytest

import droplet_action as da
from conftest import TOKEN, Mock, start_mock, stop_mock
from droplet_action import _errors, _ffi
from expected import generated


def test_every_error_is_a_da_error_with_its_c_status() -> None:
    assert [
        (cls.__name__, cls.status)
        for cls in (
            da.InvalidArgumentError,
            da.TransportError,
            da.TimeoutError,
            da.ApiError,
            da.DecodeError,
            da.BodyTooLargeError,
            da.ActionErroredError,
            da.InternalError,
            da.CancelledError,
        )
        if issubclass(cls, da.Error)
    ] == [
        ("InvalidArgumentError", 1),
        ("TransportError", 2),
        ("TimeoutError", 3),
        ("ApiError", 4),
        ("DecodeError", 5),
        ("BodyTooLargeError", 6),
        ("ActionErroredError", 7),
        ("InternalError", 8),
        ("CancelledError", 9),
    ]


def test_invalid_argument_is_also_a_value_error() -> None:
    assert issubclass(da.InvalidArgumentError, ValueError)


def test_timeout_is_also_the_builtin_timeout_error() -> None:
    assert issubclass(da.TimeoutError, builtins.TimeoutError)
    assert da.TimeoutError is not builtins.TimeoutError


def test_id_below_one_is_refused_before_sending(client: da.Client) -> None:
    with pytest.raises(ValueError) as caught:
        client.get(0, 36804636)
    error = caught.value
    assert isinstance(error, da.InvalidArgumentError)
    assert error.message == "invalid argument: invalid droplet id: 0 (ids are integers >= 1)"
    assert str(error) == error.message
    assert (
        error.http_status,
        error.error_id,
        error.request_id,
        error.rate_limit,
        error.attempts,
        error.raw_body,
    ) == (None, None, None, None, 0, None)


def test_id_beyond_64_bits_is_refused_in_python(client: da.Client) -> None:
    with pytest.raises(da.InvalidArgumentError) as caught:
        client.get(3164444, 2**64 + 36804636)
    assert caught.value.message == "action_id 18446744073746356252 does not fit in 64 bits"


def test_id_of_another_type_is_a_type_error(client: da.Client) -> None:
    with pytest.raises(TypeError, match="^droplet_id must be an int, not str$"):
        client.get("3164444", 36804636)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^action_id must be an int, not bool$"):
        client.get(3164444, True)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"token": ""}, "token: the API token is empty"),
        ({"token": "two words"}, "token: the API token holds a character that is not printable ASCII"),
        ({"base_url": "nonsense"}, 'base_url: invalid base URL "nonsense": not a valid absolute URL'),
        (
            {"base_url": "ftp://example.com"},
            'base_url: invalid base URL "ftp://example.com": the scheme must be http or https',
        ),
        (
            {"base_url": "http://example.com"},
            "build: invalid argument: refusing plain http to example.com: the token would travel "
            "unencrypted (use https, or allow insecure http explicitly)",
        ),
        ({"timeout": 0}, "timeout must be above 0 and at most 4294967.295 seconds, not 0"),
        (
            {"timeout": float("nan")},
            "timeout must be above 0 and at most 4294967.295 seconds, not nan",
        ),
        ({"max_retries": -1}, "max_retries must be between 0 and 4294967295, not -1"),
        ({"backoff": (5.0, 1.0)}, "backoff_ms: base 5000 ms is above max 1000 ms"),
        ({"body_limit": 0}, "body_limit must be at least 1 byte, not 0"),
        ({"user_agent": "a\nb"}, "user_agent: the user agent holds a control character at byte 1: only printable ASCII and spaces are sent"),
        (
            {"user_agent": "café/1"},
            "user_agent: the user agent holds a non-ASCII character at byte 3: only printable "
            "ASCII and spaces are sent",
        ),
        (
            {"requests_per_minute": 0},
            "requests_per_minute must be at least 1 (None: the default pacing, 2**32 - 1: "
            "none), not 0",
        ),
        (
            {"proxy": "gopher://x"},
            "proxy: invalid argument: invalid proxy gopher://x: the scheme must be http, socks4, "
            "socks4a, socks5 or socks5h",
        ),
        (
            {"ca_file": "/nonexistent/ca.pem"},
            "ca_file: invalid argument: cannot read the CA file /nonexistent/ca.pem: No such file "
            "or directory (os error 2)",
        ),
        ({"token": "a\0b"}, "token holds a NUL character"),
    ],
)
def test_refused_settings_say_which_and_why(settings: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"token": TOKEN, **settings}
    with pytest.raises(da.InvalidArgumentError) as caught:
        da.Client(**arguments)  # type: ignore[arg-type]
    assert caught.value.message == message
    assert caught.value.attempts == 0


def test_nothing_listening_is_a_transport_error_after_retries() -> None:
    stopped = start_mock()
    url = stopped.url
    stop_mock(stopped)
    with da.Client(TOKEN, base_url=url, backoff=(0.001, 0.002)) as client:
        with pytest.raises(da.TransportError) as caught:
            client.get(3164444, 36804636)
    error = caught.value
    assert error.message == (
        "transport error after 3 attempt(s): connection failed: Connection refused (os error 111)"
    )
    assert (
        error.http_status,
        error.error_id,
        error.request_id,
        error.rate_limit,
        error.attempts,
        error.raw_body,
    ) == (None, None, None, None, 3, None)


def test_wait_deadline_is_a_timeout_with_the_last_action(client: da.Client, mock: Mock) -> None:
    with pytest.raises(TimeoutError) as caught:
        client.wait(80, 900150, timeout=0.3, poll_interval=10.0)
    error = caught.value
    assert isinstance(error, da.TimeoutError)
    assert re.fullmatch(
        r"the action did not finish within 3\d\d\.\d+ms \(last status: in-progress\)", error.message
    ), error.message
    assert error.last == generated(80, 900150, "in-progress")
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        200,
        None,
        mock.request_id(1),
        1,
    )
    assert error.rate_limit == da.RateLimit(limit=5000, remaining=4999, reset=mock.reset)
    assert error.raw_body is not None and error.raw_body.startswith(b'{"action":{"completed_at":null')


def test_cancel_token_ends_a_wait_with_cancelled_and_the_last_action(
    client: da.Client, mock: Mock
) -> None:
    token = da.CancelToken()
    timer = threading.Timer(0.2, token.cancel)
    timer.start()
    with pytest.raises(da.CancelledError) as caught:
        client.wait(81, 900150, poll_interval=10.0, cancel=token)
    timer.join()
    error = caught.value
    assert token.cancelled
    # Cancelled between polls: the attempts are those of the last poll.
    assert error.message == "the call was cancelled after 1 attempt(s)"
    assert error.last == generated(81, 900150, "in-progress")
    assert (error.http_status, error.request_id, error.attempts) == (200, mock.request_id(1), 1)


def test_a_cancelled_token_ends_a_get_before_it_sends(client: da.Client) -> None:
    token = da.CancelToken()
    token.cancel()
    with pytest.raises(da.CancelledError) as caught:
        client.get(3164444, 36804636, cancel=token)
    error = caught.value
    assert (error.message, error.last, error.http_status, error.attempts, error.raw_body) == (
        "the call was cancelled after 0 attempt(s)",
        None,
        None,
        0,
        None,
    )
    assert client.get(3164444, 36804636).id == 36804636


def test_action_errored_carries_the_action(client: da.Client) -> None:
    with pytest.raises(da.ActionErroredError) as caught:
        client.wait(82, 900201, poll_interval=0.01)
    assert caught.value.action.status is da.ActionStatus.ERRORED
    assert caught.value.action.completed_at is not None


def _c_result(status: int, message: bytes) -> _ffi.droplet_action_result:
    result = _ffi.droplet_action_result()
    result.status = status
    result.error_message = message
    return result


def test_internal_status_becomes_internal_error() -> None:
    outcome = _errors.outcome_from_c(_c_result(8, b"internal error: a panic was contained"))
    assert isinstance(outcome, da.InternalError)
    assert (outcome.message, outcome.status, outcome.attempts, outcome.raw_body) == (
        "internal error: a panic was contained",
        8,
        0,
        None,
    )


def test_a_status_from_a_newer_library_is_a_plain_error_with_its_number() -> None:
    outcome = _errors.outcome_from_c(_c_result(42, b"something new"))
    assert type(outcome) is da.Error
    assert (outcome.message, outcome.status) == ("something new", 42)


def test_an_error_without_a_message_is_named_by_its_status() -> None:
    outcome = _errors.outcome_from_c(_ffi.droplet_action_result(status=2))
    assert isinstance(outcome, da.TransportError)
    assert outcome.message == "transport error"


def test_errors_survive_pickling_with_every_field(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.ApiError) as api_error:
        client.get(83, 12345)
    with pytest.raises(da.TimeoutError) as timeout:
        client.wait(83, 900150, timeout=0.05, poll_interval=10.0)
    for error in (api_error.value, timeout.value):
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error)
        assert copy.args == error.args
        assert vars(copy) == vars(error)
