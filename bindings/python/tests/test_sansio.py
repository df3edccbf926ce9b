"""``droplet_action.sansio``: the request, the answer's meaning and the retry advice."""

from __future__ import annotations

import http.client
import time
import urllib.parse

import pytest

import droplet_action as da
from conftest import REPO, TOKEN, Mock
from droplet_action import sansio
from expected import DOCUMENTED, NYC3

HEADERS = [
    ("authorization", f"Bearer {TOKEN}"),
    ("accept", "application/json"),
    ("user-agent", "droplet-action/0.1.0"),
]


def test_build_request_for_a_base_url(mock: Mock) -> None:
    assert sansio.build_request(mock.url, TOKEN, 3164444, 36804636) == (
        "GET",
        f"{mock.url}/v2/droplets/3164444/actions/36804636",
        HEADERS,
    )


def test_build_request_defaults_to_the_real_api() -> None:
    assert sansio.build_request(None, TOKEN, 1, 2) == (
        "GET",
        "https://api.digitalocean.com/v2/droplets/1/actions/2",
        HEADERS,
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ("http://example.com", TOKEN, 1, 2),
            "request_build: refusing plain http to example.com: the token would travel unencrypted",
        ),
        (
            (None, "two words", 1, 2),
            "request_build: the API token holds a character that is not printable ASCII",
        ),
        ((None, TOKEN, 0, 2), "request_build: invalid droplet id: 0 (ids are integers >= 1)"),
        (
            ("ftp://example.com", TOKEN, 1, 2),
            'request_build: invalid base URL "ftp://example.com": the scheme must be http or https',
        ),
    ],
)
def test_build_request_refuses_what_the_client_refuses(
    arguments: tuple[str | None, str, int, int], message: str
) -> None:
    with pytest.raises(da.InvalidArgumentError) as caught:
        sansio.build_request(*arguments)
    assert caught.value.message == message


def send(method: str, url: str, headers: list[tuple[str, str]]) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request with the standard library's HTTP client."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        connection.request(method, parts.path, headers=dict(headers))
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def test_a_round_trip_through_another_http_client(mock: Mock) -> None:
    status, headers, body = send(*sansio.build_request(mock.url, TOKEN, 3164444, 36804636))
    assert sansio.parse_response(status, headers, body) == DOCUMENTED


def test_an_error_answer_raises_what_the_client_raises(mock: Mock) -> None:
    status, headers, body = send(*sansio.build_request(mock.url, TOKEN, 140, 12345))
    with pytest.raises(da.ApiError) as caught:
        sansio.parse_response(status, headers, body)
    error = caught.value
    assert error.message == (
        "HTTP 404 Not Found: not_found: The resource you requested could not be found. "
        f"(request id {mock.request_id(1)})"
    )
    assert (error.http_status, error.error_id, error.request_id, error.attempts) == (
        404,
        "not_found",
        mock.request_id(1),
        0,
    )
    assert error.rate_limit == da.RateLimit(limit=5000, remaining=4999, reset=mock.reset)
    assert error.raw_body == body


def test_headers_as_bytes_or_a_mapping_in_any_case() -> None:
    body = b'{"id":"unauthorized","message":"Unable to authenticate you."}'
    for headers in (
        [(b"X-Request-Id", b"abc"), (b"RateLimit-Limit", b"5000"), (b"ratelimit-remaining", b"7"),
         (b"ratelimit-reset", b"1605371361")],
        {"x-request-id": "abc", "ratelimit-limit": "5000", "ratelimit-remaining": "7",
         "RATELIMIT-RESET": "1605371361"},
    ):
        with pytest.raises(da.ApiError) as caught:
            sansio.parse_response(401, headers, body)
        assert (caught.value.error_id, caught.value.request_id, caught.value.rate_limit) == (
            "unauthorized",
            "abc",
            da.RateLimit(limit=5000, remaining=7, reset=1605371361),
        )


def test_the_documented_body_parses_to_the_documented_action() -> None:
    body = (REPO / "crates" / "model" / "src" / "documented_action.json").read_bytes()
    assert sansio.parse_response(200, [], body) == DOCUMENTED
    assert sansio.parse_response(200, [], body).region == NYC3


def test_a_malformed_body_is_a_decode_error() -> None:
    with pytest.raises(da.DecodeError) as caught:
        sansio.parse_response(200, [("content-type", "application/json")], b'{"action":')
    assert caught.value.message == (
        "invalid action answer at `action`: EOF while parsing a value at line 1, column 10"
    )
    assert caught.value.raw_body == b'{"action":'


def test_a_body_over_four_mebibytes_is_too_large() -> None:
    with pytest.raises(da.BodyTooLargeError) as caught:
        sansio.parse_response(200, [], b" " * (4 * 1024 * 1024 + 1))
    assert caught.value.message == "the answer body is larger than the 4194304-byte limit"
    assert caught.value.http_status == 200


def test_a_header_with_a_nul_byte_is_ignored_like_any_invalid_header() -> None:
    with pytest.raises(da.ApiError) as caught:
        sansio.parse_response(404, [("x-request-id", "a\0b")], b"")
    assert caught.value.request_id is None


def test_a_status_outside_16_bits_is_invalid() -> None:
    with pytest.raises(da.InvalidArgumentError, match="^status 70000 is not an HTTP status$"):
        sansio.parse_response(70000, [], b"")


@pytest.mark.parametrize(
    ("status", "headers", "attempt", "random", "advice"),
    [
        (429, [("retry-after", "7")], 1, 0, 7.0),
        (503, {"Retry-After": "2"}, 2, 0, 2.0),
        (500, [], 1, 0, 0.0),
        (500, [], 1, 2**64 - 1, 0.2),
        (500, [], 2, 2**63, 0.2),
        (408, [], 1, 2**63, 0.1),
        (500, [], 3, 2**63, None),
        (503, [("retry-after", "120")], 1, 0, None),
        (404, [], 1, 0, None),
        (401, [], 1, 0, None),
        (200, [], 1, 0, None),
    ],
)
def test_retry_advice(
    status: int, headers: sansio.Headers, attempt: int, random: int, advice: float | None
) -> None:
    assert sansio.retry_advice(status, headers, attempt, random=random) == advice


def test_retry_advice_counts_retries_against_max_retries() -> None:
    assert sansio.retry_advice(500, [], 1, max_retries=0) is None
    assert sansio.retry_advice(500, [], 5, max_retries=5, random=2**63) == 1.6


def test_retry_advice_waits_for_a_spent_rate_limit_to_reset() -> None:
    reset = int(time.time()) + 5
    headers = [("ratelimit-limit", "5000"), ("ratelimit-remaining", "0"),
               ("ratelimit-reset", str(reset))]
    advice = sansio.retry_advice(429, headers, 1)
    assert advice is not None and 4.0 <= advice <= 5.0


def test_a_year_python_cannot_hold_is_a_decode_error() -> None:
    body = (
        b'{"action":{"id":7,"status":"completed","type":"create",'
        b'"started_at":"0000-01-01T00:00:00Z"}}'
    )
    with pytest.raises(da.DecodeError) as caught:
        sansio.parse_response(200, [("x-request-id", "r-1")], body)
    assert str(caught.value).startswith("the action cannot be represented in Python: ")
    assert (caught.value.http_status, caught.value.raw_body, caught.value.request_id) == (
        200,
        body,
        "r-1",
    )
