"""Dates and times as a collector types them into the dialogs."""

from __future__ import annotations

from datetime import date, time

import pytest

from collectdesk.domain.dates import DateInputError, parse_date_shortcut, parse_time_of_day

MONDAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("-3", date(2026, 11, 20)),
        ("yesterday", date(2026, 11, 22)),
        ("yest", date(2026, 11, 22)),
        ("-1w", date(2026, 11, 16)),
        ("-1m", date(2026, 10, 23)),
        ("+7", date(2026, 11, 30)),
        ("fri", date(2026, 11, 27)),
        ("tom", date(2026, 11, 24)),
        ("2026-11-02", date(2026, 11, 2)),
    ],
)
def test_date_shortcuts(typed: str, day: date) -> None:
    assert parse_date_shortcut(typed, MONDAY) == day


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("7:00", time(7, 0)),
        ("07:30", time(7, 30)),
        ("7", time(7, 0)),
        ("19", time(19, 0)),
        ("7pm", time(19, 0)),
        ("7:30 pm", time(19, 30)),
        ("7.30am", time(7, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("1930", time(19, 30)),
        ("noon", time(12, 0)),
    ],
)
def test_times_as_typed(typed: str, clock: time) -> None:
    assert parse_time_of_day(typed) == clock


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("25:00", "is not a time"),
        ("7:75", "is not a time"),
        ("13pm", "the hour is 1 to 12"),
        ("soon", "is not a time"),
        ("", "a time is required"),
    ],
)
def test_times_that_cannot_be(typed: str, message: str) -> None:
    with pytest.raises(DateInputError, match=message):
        parse_time_of_day(typed)


def test_a_bad_date_names_the_shortcuts() -> None:
    with pytest.raises(DateInputError, match="-3") as info:
        parse_date_shortcut("someday", MONDAY)
    assert "yesterday" in str(info.value)
