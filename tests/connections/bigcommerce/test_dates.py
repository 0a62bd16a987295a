"""BigCommerce dates: one parser for v2 (RFC 2822) and v3 (ISO 8601), formatters for filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from connections.bigcommerce.dates import format_v2_date, format_v3_date, parse_date


def test_a_v2_date_is_parsed_with_its_offset():
    assert parse_date("Tue, 05 Mar 2024 10:00:00 +0200") == datetime(2024, 3, 5, 8, tzinfo=UTC)


def test_a_v3_date_is_parsed_as_utc():
    assert parse_date("2024-03-05T10:00:00Z") == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert parse_date("2024-03-05T10:00:00+01:00") == datetime(2024, 3, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, "", "   ", "not a date", 12])
def test_blank_and_unreadable_values_are_none(value):
    assert parse_date(value) is None


def test_naive_values_are_utc():
    assert parse_date("2024-03-05T10:00:00") == datetime(2024, 3, 5, 10, tzinfo=UTC)
    assert parse_date(datetime(2024, 3, 5, 10)) == datetime(2024, 3, 5, 10, tzinfo=UTC)


def test_formatting_round_trips_through_the_parser():
    moment = datetime(2024, 5, 6, 9, 8, 9, 500, tzinfo=timezone(timedelta(hours=2)))
    assert format_v2_date(moment) == "Mon, 06 May 2024 07:08:09 +0000"
    assert format_v3_date(moment) == "2024-05-06T07:08:09Z"
    assert parse_date(format_v2_date(moment)) == moment.replace(microsecond=0)
    assert format_v3_date(date(2024, 5, 6)) == "2024-05-06T00:00:00Z"


def test_dates_are_sent_as_rfc_2822_to_v2_and_iso_8601_to_v3():
    moment = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    assert format_v2_date(moment) == "Mon, 06 May 2024 07:08:09 +0000"
    assert format_v3_date(moment) == "2024-05-06T07:08:09Z"
    assert format_v2_date(datetime(2024, 5, 6, 7, 8, 9)) == "Mon, 06 May 2024 07:08:09 +0000"
    assert format_v2_date("2024-05-06") == "2024-05-06"
