"""CALLBACK: the day and the time the customer asked for, in their time zone and calling window."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from textual.app import ComposeResult
from textual.widgets import Static

from collectdesk.domain.dates import DateInputError, parse_time_of_day
from collectdesk.tui.forms.base import FieldError, FieldErrors, FollowUpForm, collect


class CallbackForm(FollowUpForm):
    """Date and local time (``7pm``, ``19:30``); the services refuse one outside the calling window."""

    code = "CALLBACK"
    heading = "Asked to be called back"
    DATE_FIELDS = ("callback_on",)
    ALIASES: ClassVar[dict[str, str]] = {"callback_at": "callback_time"}

    def compose_fields(self) -> ComposeResult:
        """The day and the time, in the customer's zone."""
        yield self.field("callback_on", "Date", "YYYY-MM-DD, tom, fri", live=True)
        yield self.field("callback_time", "Local time", "7pm, 19:30", live=True)

    def _zone_name(self) -> str:
        return self.account.zone or "UTC"

    def _zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self._zone_name())
        except ZoneInfoNotFoundError:
            return ZoneInfo("UTC")

    def refresh_derived(self) -> None:
        """Show beside the time the clock time it was read as."""
        live = self.query_one("#live-callback_time", Static)
        text = self.draft.text("callback_time")
        if not text.strip():
            live.update("")
            return
        try:
            live.update(f"→ {parse_time_of_day(text):%H:%M} in {self._zone_name()}")
        except DateInputError:
            live.update("?")

    def _time(self) -> time:
        if not self.draft.text("callback_time").strip():
            raise FieldError("callback_time", "the callback time is required")
        try:
            return parse_time_of_day(self.draft.text("callback_time"))
        except DateInputError as exc:
            raise FieldError("callback_time", str(exc)) from None

    def _day(self) -> Any:
        if not self.draft.text("callback_on").strip():
            raise FieldError("callback_on", "the callback date is required")
        return self.read_date("callback_on", "Date")

    def gather(self) -> dict[str, Any]:
        """The callback as an instant (UTC), from the day and time in the customer's zone."""
        values, errors = collect({"callback_on": self._day, "callback_time": self._time})
        if errors:
            raise FieldErrors(errors)
        local = datetime.combine(values["callback_on"], values["callback_time"], self._zone())
        return {"callback_at": local.astimezone(UTC)}
