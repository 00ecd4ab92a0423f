"""The collector's own date: today, shortcuts and history times in the desk's time zone, UTC stored."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from account_factory import add_customer, add_invoice
from collectdesk.domain.clock import Clock, desk_clock
from collectdesk.domain.dates import parse_date_shortcut
from collectdesk.services.context import AppContext
from collectdesk.services.tally import compute_tally
from collectdesk.services.worklist import build_worklist
from collectdesk.settings import ConfigError, Settings, load_settings
from collectdesk.store.models import Call

AUCKLAND = ZoneInfo("Pacific/Auckland")
# 09:00 on Tuesday 24 November in Auckland is still Monday 23 November (20:00) in UTC.
TUESDAY_MORNING_IN_AUCKLAND = datetime(2026, 11, 24, 9, 0, tzinfo=AUCKLAND)
MONDAY_IN_UTC = TUESDAY_MORNING_IN_AUCKLAND.astimezone(UTC)


def auckland_clock() -> Clock:
    return Clock(zone=AUCKLAND, _system=lambda: MONDAY_IN_UTC)


@pytest.fixture
def machine_in_auckland(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Pacific/Auckland")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_today_is_the_collectors_date_not_utcs() -> None:
    clock = auckland_clock()
    assert MONDAY_IN_UTC.date() == date(2026, 11, 23)
    assert clock.today() == date(2026, 11, 24)
    assert clock.now() == MONDAY_IN_UTC and clock.now().tzinfo == UTC  # instants stay UTC
    assert clock.local_now().hour == 9
    assert clock.day_start(date(2026, 11, 24)) == datetime(2026, 11, 23, 11, 0, tzinfo=UTC)


def test_the_machines_own_zone_is_the_default(machine_in_auckland: None) -> None:
    clock = Clock(_system=lambda: MONDAY_IN_UTC)
    assert clock.today() == date(2026, 11, 24)
    assert clock.local_time(MONDAY_IN_UTC).strftime("%a %H:%M") == "Tue 09:00"


def test_the_timezone_setting_wins_over_the_machine(machine_in_auckland: None) -> None:
    clock = desk_clock(None, "America/New_York")
    clock = replace(clock, _system=lambda: MONDAY_IN_UTC)
    assert clock.today() == date(2026, 11, 23)  # 15:00 Monday in New York


def test_a_bad_timezone_setting_names_the_key() -> None:
    with pytest.raises(ConfigError, match=r"timezone.*unknown time zone 'Mars/Olympus'"):
        load_settings(None, timezone="Mars/Olympus")
    assert Settings(timezone="Europe/London").timezone == "Europe/London"


def test_date_shortcuts_count_from_the_collectors_today() -> None:
    today = auckland_clock().today()
    assert parse_date_shortcut("tom", today) == date(2026, 11, 25)
    assert parse_date_shortcut("+7", today) == date(2026, 12, 1)


def test_auckland_at_nine_on_tuesday_works_tuesdays_list(ctx: AppContext) -> None:
    due_tuesday = add_customer(ctx, "TUESDAY", next_action_on=date(2026, 11, 24))
    add_invoice(ctx, due_tuesday, days_past_due=20)
    due_monday = add_customer(ctx, "MONDAY", next_action_on=date(2026, 11, 23))
    add_invoice(ctx, due_monday, days_past_due=20)
    utc_desk = replace(ctx, clock=Clock(zone=UTC, _system=lambda: MONDAY_IN_UTC))
    assert [r.ref for r in build_worklist(utc_desk)] == ["MONDAY"]
    auckland_desk = replace(ctx, clock=auckland_clock())
    assert sorted(r.ref for r in build_worklist(auckland_desk)) == ["MONDAY", "TUESDAY"]


def test_the_tally_counts_calls_by_the_collectors_day(ctx: AppContext) -> None:
    customer = add_customer(ctx, "NIGHT")
    with ctx.db.session() as session:  # 09:00 Tuesday in Auckland, still Monday in UTC
        session.execute(
            insert(Call),
            [
                {
                    "user_id": ctx.user.id,
                    "customer_id": customer,
                    "started_at": MONDAY_IN_UTC,
                    "ended_at": MONDAY_IN_UTC + timedelta(minutes=3),
                    "result_code": "NOANSWER",
                    "right_party": False,
                    "notes": "",
                }
            ],
        )
    auckland_desk = replace(ctx, clock=auckland_clock())
    tuesday, monday = date(2026, 11, 24), date(2026, 11, 23)
    assert compute_tally(auckland_desk, date_from=tuesday, date_to=tuesday).activity.calls == 1
    assert compute_tally(auckland_desk, date_from=monday, date_to=monday).activity.calls == 0
    utc_desk = replace(ctx, clock=Clock(zone=UTC, _system=lambda: MONDAY_IN_UTC))
    assert compute_tally(utc_desk, date_from=monday, date_to=monday).activity.calls == 1
