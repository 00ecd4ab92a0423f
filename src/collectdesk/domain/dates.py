"""Date arithmetic and what a collector types: ``+7``, ``-3``, ``fri``, ``yesterday``, ``7pm``."""

from __future__ import annotations

import calendar
import re
from datetime import date, time, timedelta

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_OFFSET = re.compile(r"^([+-])(\d{1,3})([dwm]?)$")
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a|p)?$")
_FOUR_DIGITS = re.compile(r"^(\d{2})(\d{2})$")


class DateInputError(ValueError):
    """A typed date cannot be understood."""


def parse_iso_date(text: str) -> date:
    """Parse a strict ISO ``YYYY-MM-DD`` date."""
    try:
        if len(text.strip()) != 10:
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise DateInputError(f"{text.strip()!r} is not a date (use YYYY-MM-DD)") from exc


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_month(day: date) -> date:
    """The last day of the month ``day`` is in."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def parse_date_shortcut(text: str, today: date) -> date:
    """Parse an ISO date or a shortcut: ``today``, ``tom``, ``yesterday``, ``+7``, ``-3``, ``+2w``,
    ``-1m``, ``fri`` (the next one), ``eom``."""
    word = text.strip().lower()
    if not word:
        raise DateInputError("a date is required")
    if word in ("today", "tod", "t"):
        return today
    if word in ("tomorrow", "tom"):
        return today + timedelta(days=1)
    if word in ("yesterday", "yest", "yday"):
        return today - timedelta(days=1)
    if word == "eom":
        return end_of_month(today)
    if match := _OFFSET.match(word):
        sign = -1 if match.group(1) == "-" else 1
        count, unit = sign * int(match.group(2)), match.group(3) or "d"
        if unit == "m":
            return add_months(today, count)
        return today + timedelta(days=count * (7 if unit == "w" else 1))
    for index, name in enumerate(_WEEKDAYS):
        if len(word) >= 3 and name.startswith(word[:3]) and calendar.day_name[index].lower().startswith(word):
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    try:
        return parse_iso_date(word)
    except DateInputError:
        raise DateInputError(
            f"{text.strip()!r} is not a date (YYYY-MM-DD, +7, -3, +2w, +1m, fri, eom, tom, yesterday)"
        ) from None


def parse_time_of_day(text: str) -> time:
    """Parse a time as a person types it: ``7``, ``7:00``, ``07:30``, ``19.30``, ``1930``, ``7pm``,
    ``7:30 am``, ``noon``, ``midnight``."""
    word = text.strip().lower().replace(" ", "")
    if not word:
        raise DateInputError("a time is required")
    if word == "noon":
        return time(12, 0)
    if word == "midnight":
        return time(0, 0)
    if four := _FOUR_DIGITS.match(word):
        word = f"{four.group(1)}:{four.group(2)}"
    match = _TIME.match(word)
    problem = f"{text.strip()!r} is not a time (7:00, 19:30, 7pm, 7:30am)"
    if match is None:
        raise DateInputError(problem)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise DateInputError(f"{text.strip()!r}: with am/pm the hour is 1 to 12")
        hour = hour % 12 + (12 if half.startswith("p") else 0)
    if hour > 23 or minute > 59:
        raise DateInputError(problem)
    return time(hour, minute)


def next_business_day(day: date) -> date:
    """``day`` itself on a weekday, else the following Monday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_business_aware(day: date, days: int, *, skip_weekends: bool) -> date:
    """``day`` plus ``days`` calendar days, moved off a weekend when asked."""
    result = day + timedelta(days=days)
    return next_business_day(result) if skip_weekends else result
