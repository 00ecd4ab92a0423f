"""Reporting periods: today, this week (Monday–Sunday), this month, or a custom range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from collectdesk.domain.dates import end_of_month
from collectdesk.domain.errors import InputError

PERIOD_NAMES = ("today", "week", "month", "custom")


@dataclass(frozen=True)
class Period:
    """A named, inclusive range of days."""

    name: str
    date_from: date
    date_to: date

    @property
    def days(self) -> int:
        """How many days the period spans, both ends included."""
        return (self.date_to - self.date_from).days + 1

    @property
    def label(self) -> str:
        """How the period reads in a heading."""
        titles = {"today": "Today", "week": "This week", "month": "This month", "custom": "Custom"}
        span = (
            self.date_from.isoformat()
            if self.date_from == self.date_to
            else f"{self.date_from.isoformat()} – {self.date_to.isoformat()}"
        )
        return f"{titles.get(self.name, self.name)}: {span}"


def period_for(name: str, today: date, *, date_from: date | None = None, date_to: date | None = None) -> Period:
    """The period called ``name`` around ``today``; ``custom`` needs both ends, in order."""
    if name == "today":
        return Period(name, today, today)
    if name == "week":
        monday = today - timedelta(days=today.weekday())
        return Period(name, monday, monday + timedelta(days=6))
    if name == "month":
        return Period(name, today.replace(day=1), end_of_month(today))
    if name == "custom":
        if date_from is None or date_to is None:
            raise InputError("a custom period needs a start and an end date")
        if date_from > date_to:
            raise InputError(f"the period starts ({date_from.isoformat()}) after it ends ({date_to.isoformat()})")
        return Period(name, date_from, date_to)
    raise InputError(f"unknown period {name!r}: use one of {', '.join(PERIOD_NAMES)}")
