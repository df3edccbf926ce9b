"""Every scenario of the mock's table, through ``Client.get`` and ``Client.wait``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import pytest

import droplet_action as da
from conftest import TOKEN, Mock
from expected import COMPLETED, DOCUMENTED, NYC3, STARTED, UTC, generated


def test_documented_example_becomes_the_documented_action(client: da.Client) -> None:
    assert client.get(3164444, 36804636) == DOCUMENTED


def test_in_progress_then_completed_after_nn_requests(client: da.Client) -> None:
    assert client.get(41, 900102) == generated(41, 900102, "in-progress")
    assert client.get(41, 900102) == generated(41, 900102, "in-progress")
    assert client.get(41, 900102) == generated(41, 900102, "completed")


def test_wait_polls_until_completed(client: da.Client) -> None:
    assert client.wait(42, 900103, poll_interval=0.01) == generated(42, 900103)


def test_wait_raises_action_errored_with_the_failed_action(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.ActionErroredError) as caught:
        client.wait(43, 900202, poll_interval=0.01)
    error = caught.value
    assert error.action == generated(43, 900202, "errored")
    assert error.message == "action 900202 ended with status errored"
    assert (error.http_status, error.error_id, error.attempts) == (200, None, 3)
    assert error.request_id == mock.request_id(3)
    assert error.rate_limit == da.RateLimit(limit=5000, remaining=4997, reset=mock.reset)
    assert error.raw_body is not None and b'"status":"errored"' in error.raw_body


def test_completes_n_seconds_after_the_first_request(client: da.Client) -> None:
    started = time.monotonic()
    assert client.get(70, 5000001) == generated(70, 5000001, "in-progress")
    assert client.wait(70, 5000001, poll_interval=0.1) == generated(70, 5000001)
    assert 1.0 <= time.monotonic() - started < 2.0


def test_errors_n_seconds_after_the_first_request(client: da.Client) -> None:
    started = time.monotonic()
    with pytest.raises(da.ActionErroredError) as caught:
        client.wait(71, 6000001, poll_interval=0.1)
    assert caught.value.action == generated(71, 6000001, "errored")
    assert 1.0 <= time.monotonic() - started < 2.0


def test_redirect_to_another_origin_is_followed(client: da.Client) -> None:
    assert client.get(44, 900301) == generated(44, 900301)


def test_redirect_to_the_same_origin_gives_the_documented_action(client: da.Client) -> None:
    assert client.get(45, 900302) == DOCUMENTED


def test_unauthorized_always(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.ApiError) as caught:
        client.get(46, 900401)
    error = caught.value
    request_id = mock.request_id(1)
    assert error.message == (
        f"HTTP 401 Unauthorized: unauthorized: Unable to authenticate you. (request id {request_id})"
    )
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        401,
        "unauthorized",
        request_id,
        1,
    )
    assert error.rate_limit == da.RateLimit(limit=5000, remaining=4999, reset=mock.reset)
    assert error.raw_body == (
        b'{"id":"unauthorized","message":"Unable to authenticate you.","request_id":"'
        + request_id.encode()
        + b'"}'
    )


def test_429_waits_for_retry_after_then_succeeds(client: da.Client) -> None:
    started = time.monotonic()
    assert client.get(47, 900429) == generated(47, 900429)
    assert 0.9 <= time.monotonic() - started < 3.0


def test_429_without_retries_is_an_api_error_with_a_spent_rate_limit(mock: Mock) -> None:
    with da.Client(TOKEN, base_url=mock.url, max_retries=0) as client:
        with pytest.raises(da.ApiError) as caught:
            client.get(48, 900429)
    error = caught.value
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        429,
        "too_many_requests",
        mock.request_id(1),
        1,
    )
    assert error.rate_limit == da.RateLimit(limit=5000, remaining=0, reset=mock.reset)


def test_500_twice_then_completed(client: da.Client) -> None:
    assert client.get(49, 900500) == generated(49, 900500)


def test_500_with_one_retry_is_an_api_error_after_two_attempts(mock: Mock) -> None:
    with da.Client(TOKEN, base_url=mock.url, max_retries=1, backoff=(0.001, 0.002)) as client:
        with pytest.raises(da.ApiError) as caught:
            client.get(50, 900500)
    error = caught.value
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        500,
        "server_error",
        mock.request_id(2),
        2,
    )
    assert error.message == (
        f"HTTP 500 Internal Server Error: server_error: Unexpected server-side error "
        f"(request id {mock.request_id(2)})"
    )


def test_502_html_page_is_an_api_error_without_an_error_id(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.ApiError) as caught:
        client.get(51, 900502)
    error = caught.value
    assert error.message == (
        f"HTTP 502 Bad Gateway (the body is not a JSON error object) "
        f"(request id {mock.request_id(3)})"
    )
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        502,
        None,
        mock.request_id(3),
        3,
    )
    assert error.raw_body is not None
    assert error.raw_body.startswith(b"<html><head><title>502 Bad Gateway</title></head><body>")


def test_503_twice_then_completed(client: da.Client) -> None:
    assert client.get(52, 900503) == generated(52, 900503)


def test_500_always_gives_up_after_three_attempts(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.ApiError) as caught:
        client.get(53, 900599)
    assert (caught.value.http_status, caught.value.error_id, caught.value.attempts) == (
        500,
        "server_error",
        3,
    )
    assert caught.value.rate_limit == da.RateLimit(limit=5000, remaining=4997, reset=mock.reset)


def test_malformed_json_is_a_decode_error_that_says_where(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.DecodeError) as caught:
        client.get(54, 900600)
    error = caught.value
    assert error.message == (
        "invalid action answer at `action.region.sizes`: EOF while parsing a value at line 1, "
        "column 292"
    )
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        200,
        None,
        mock.request_id(1),
        1,
    )
    assert error.raw_body is not None and len(error.raw_body) == 292


def test_unknown_status_and_fields_are_kept_as_text(client: da.Client) -> None:
    action = client.get(55, 900601)
    assert (action.status, action.status_text, action.type) == (
        da.ActionStatus.UNKNOWN,
        "paused",
        "teleport",
    )
    assert (action.id, action.resource_id, action.started_at) == (900601, 55, STARTED)


def test_nulls_become_none(client: da.Client) -> None:
    assert client.get(56, 900602) == dataclasses.replace(
        generated(56, 900602, "in-progress"), resource_id=None, region_slug=None, region=None
    )


def test_largest_ids_are_kept_exactly(client: da.Client) -> None:
    action = client.get(57, 900603)
    assert (action.id, action.resource_id) == (9223372036854775807, 9223372036854775806)


def test_empty_action_has_every_field_none(client: da.Client) -> None:
    assert client.get(58, 900604) == da.Action(
        id=None,
        status=None,
        status_text=None,
        type=None,
        started_at=None,
        completed_at=None,
        resource_id=None,
        resource_type=None,
        region_slug=None,
        region=None,
    )


def test_embedded_nul_is_a_decode_error_naming_the_field(client: da.Client) -> None:
    with pytest.raises(da.DecodeError) as caught:
        client.get(59, 900605)
    assert caught.value.message == (
        "the field action.type holds a NUL byte and cannot be passed as a C string"
    )
    assert caught.value.raw_body is not None and b'"type":"cre\\u0000ate"' in caught.value.raw_body


def test_html_with_200_is_a_decode_error(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.DecodeError) as caught:
        client.get(60, 900606)
    assert caught.value.message == "invalid action answer: expected value at line 1, column 1"
    assert (caught.value.http_status, caught.value.request_id) == (200, mock.request_id(1))


def test_fractions_and_offsets_are_kept(client: da.Client) -> None:
    action = client.get(61, 900607)
    plus_one = dt.timezone(dt.timedelta(hours=1))
    assert action.started_at == dt.datetime(2020, 11, 14, 17, 29, 21, 123456, tzinfo=plus_one)
    assert action.started_at is not None and action.started_at.utcoffset() == dt.timedelta(hours=1)
    assert action.completed_at == dt.datetime(2020, 11, 14, 16, 30, 6, 500000, tzinfo=UTC)


def test_sixteen_mebibytes_exceed_the_default_limit(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.BodyTooLargeError) as caught:
        client.get(62, 900700)
    error = caught.value
    assert error.message == "the answer body is larger than the 4194304-byte limit"
    assert (error.http_status, error.request_id, error.attempts, error.raw_body) == (
        200,
        mock.request_id(1),
        1,
        None,
    )


def test_sixteen_mebibytes_pass_a_larger_limit(mock: Mock) -> None:
    with da.Client(TOKEN, base_url=mock.url, body_limit=17 * 1024 * 1024) as client:
        assert client.get(63, 900700) == generated(63, 900700)


def test_gzip_bomb_stays_an_undecodable_body(client: da.Client) -> None:
    with pytest.raises(da.DecodeError) as caught:
        client.get(64, 900701)
    assert caught.value.message == "invalid action answer: expected value at line 1, column 1"
    assert caught.value.raw_body is not None
    assert caught.value.raw_body[:2] == b"\x1f\x8b"
    assert len(caught.value.raw_body) < 64 * 1024


def test_slow_answer_arrives_after_its_delay(client: da.Client) -> None:
    started = time.monotonic()
    assert client.get(300, 900800) == generated(300, 900800)
    assert 0.3 <= time.monotonic() - started < 2.0


def test_slow_answer_past_the_call_timeout_is_a_timeout(client: da.Client) -> None:
    started = time.monotonic()
    with pytest.raises(da.TimeoutError) as caught:
        client.get(5000, 900800, timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 1.0
    error = caught.value
    assert isinstance(error, TimeoutError)
    assert (error.http_status, error.attempts, error.last, error.raw_body) == (None, 1, None, None)


def test_trickled_body_past_the_attempt_timeout_is_retried_then_a_timeout(mock: Mock) -> None:
    with da.Client(TOKEN, base_url=mock.url, timeout=0.3, backoff=(0.001, 0.002)) as client:
        with pytest.raises(da.TimeoutError) as caught:
            client.get(65, 900801)
    assert caught.value.message == "no complete answer within 300ms (attempt 3)"
    assert caught.value.attempts == 3


def test_truncated_body_is_a_transport_error(client: da.Client) -> None:
    with pytest.raises(da.TransportError) as caught:
        client.get(66, 900900)
    error = caught.value
    assert error.message == "transport error after 3 attempt(s): connection failed: Peer disconnected"
    assert (error.http_status, error.attempts, error.request_id, error.raw_body) == (
        None,
        3,
        None,
        None,
    )


def test_closed_connection_is_a_transport_error(client: da.Client) -> None:
    with pytest.raises(da.TransportError) as caught:
        client.get(67, 900901)
    assert caught.value.message == (
        "transport error after 3 attempt(s): connection failed: Peer disconnected"
    )
    assert caught.value.attempts == 3


def test_any_other_id_is_not_found(client: da.Client, mock: Mock) -> None:
    with pytest.raises(da.ApiError) as caught:
        client.get(68, 12345)
    error = caught.value
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        404,
        "not_found",
        mock.request_id(1),
        1,
    )
    assert error.message == (
        "HTTP 404 Not Found: not_found: The resource you requested could not be found. "
        f"(request id {mock.request_id(1)})"
    )


def test_a_wrong_token_is_unauthorized(mock: Mock) -> None:
    with da.Client("wrong-token", base_url=mock.url) as client:
        with pytest.raises(da.ApiError) as caught:
            client.get(3164444, 36804636)
    assert (caught.value.http_status, caught.value.error_id) == (401, "unauthorized")


def test_region_of_the_documented_action(client: da.Client) -> None:
    action = client.get(3164444, 36804636)
    assert action.region == NYC3
    assert action.completed_at == COMPLETED
