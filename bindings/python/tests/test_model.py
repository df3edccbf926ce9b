"""Timestamps: every RFC 3339 form the library accepts becomes the same aware datetime on
every supported Python (``fromisoformat`` reads fewer forms before 3.11)."""

from __future__ import annotations

import datetime as dt

import pytest

from droplet_action._model import _timestamp

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-11-14T16:29:21Z", dt.datetime(2020, 11, 14, 16, 29, 21, tzinfo=UTC)),
        ("2020-11-14t16:29:21z", dt.datetime(2020, 11, 14, 16, 29, 21, tzinfo=UTC)),
        ("2020-11-14T16:30:06.5Z", dt.datetime(2020, 11, 14, 16, 30, 6, 500000, tzinfo=UTC)),
        (
            "2020-11-14T17:29:21.123456+01:00",
            dt.datetime(2020, 11, 14, 17, 29, 21, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
        (
            "2020-11-14T10:59:21.123456789-05:30",
            dt.datetime(
                2020, 11, 14, 10, 59, 21, 123456,
                tzinfo=dt.timezone(-dt.timedelta(hours=5, minutes=30)),
            ),
        ),
    ],
)
def test_rfc3339_forms(text: str, expected: dt.datetime) -> None:
    parsed = _timestamp(text.encode(), 0, True)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == expected.utcoffset()


def test_a_leap_second_falls_back_to_the_library_seconds() -> None:
    assert _timestamp(b"2016-12-31T23:59:60Z", 1483228800, True) == dt.datetime(
        2017, 1, 1, tzinfo=UTC
    )


def test_absent_is_none() -> None:
    assert _timestamp(None, 0, False) is None
    assert _timestamp(b"2020-11-14T16:29:21Z", 1605371361, False) is None
