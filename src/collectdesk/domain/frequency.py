"""How often an account may be called: consumer limits that block, business courtesy that warns.

US consumers follow Regulation F, 12 CFR 1006.14(b)(2), which counts *calendar days*: a call is
presumed to harass when it is placed (i) more than seven times within seven consecutive days, or
(ii) within the seven consecutive days after a telephone conversation, the date of that
conversation being the first day of the period. Days are the debtor's local dates; where the
numbers allow several time zones, the strictest reading of them applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
PERIOD_DAYS = 7  # "seven consecutive days"
US_CALLS_IN_PERIOD = 7  # "more than seven times"
MA_CALLS_IN_PERIOD = 2
AU_CALLS_A_WEEK, AU_CALLS_A_MONTH, AU_MONTH_DAYS = 3, 10, 30
BUSINESS_SPACING_DAYS = 3
# A conversation in which the debtor asked to be called back is consent to that call.
CONSENT_CODES = frozenset({"CALLBACK"})


@dataclass(frozen=True)
class PastCall:
    """A call already made to the account: when, and whether the debtor was reached."""

    started_at: datetime
    right_party: bool | None = None
    result_code: str | None = None


@dataclass(frozen=True)
class FrequencyCheck:
    """Limits a new call would break (blocks) and courtesy concerns (warnings)."""

    blocks: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _zones(names: Sequence[str]) -> list[tzinfo]:
    return [ZoneInfo(name) for name in names] or [UTC]


def _local(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


def calls_in_days(calls: Sequence[PastCall], now: datetime, zone: tzinfo, days: int) -> int:
    """Calls placed on the ``days`` local dates ending with today (today's included)."""
    first = _local(now, zone) - (days - 1) * DAY
    return sum(1 for c in calls if first <= _local(c.started_at, zone) <= _local(now, zone))


def conversation_period_end(calls: Sequence[PastCall], now: datetime, zone: tzinfo) -> tuple[date, date] | None:
    """The latest conversation (not a callback asked for) whose seven-day period covers today:
    its local date and the first date a call is allowed again; ``None`` when none does."""
    today = _local(now, zone)
    latest: date | None = None
    for call in calls:
        if not call.right_party or call.result_code in CONSENT_CODES:
            continue
        on = _local(call.started_at, zone)
        if on <= today < on + PERIOD_DAYS * DAY and (latest is None or on > latest):
            latest = on
    return None if latest is None else (latest, latest + PERIOD_DAYS * DAY)


def _strictest(zones: list[tzinfo], measure: Callable[[tzinfo], int]) -> int:
    return max(measure(zone) for zone in zones)


def check_frequency(
    kind: str,
    country: str | None,
    region: str | None,
    calls: Sequence[PastCall],
    now: datetime,
    zones: Sequence[str] = (),
) -> FrequencyCheck:
    """Apply the call-frequency rules of the account's jurisdiction to a call starting ``now``,
    counting the debtor's local dates in ``zones`` (UTC when unknown).

    Consumers, US (Regulation F): at most 7 calls in 7 consecutive days, and none in the 7
    consecutive days that begin on the day of a conversation (unless the debtor asked to be called
    back); Massachusetts: 2 calls in 7 days. Consumers, AU: 3 calls a week and 10 a month.
    Businesses: a warning when called in the last 3 days.
    """
    blocks: list[str] = []
    warnings: list[str] = []
    country = (country or "").upper()
    local_zones = _zones(zones)
    week = _strictest(local_zones, lambda z: calls_in_days(calls, now, z, PERIOD_DAYS))
    if kind == "consumer" and country == "US":
        if week >= US_CALLS_IN_PERIOD:
            blocks.append(f"{week} calls in the last 7 days: the limit for a US consumer is 7")
        periods = [p for p in (conversation_period_end(calls, now, z) for z in local_zones) if p]
        if periods:
            spoke_on, until = max(periods, key=lambda p: p[1])
            blocks.append(
                f"spoke with the debtor on {spoke_on.isoformat()}: no call to a US consumer within 7 days "
                f"after a conversation (the conversation day is day 1; calls allowed from {until.isoformat()})"
            )
        if (region or "").upper() == "MA" and week >= MA_CALLS_IN_PERIOD:
            blocks.append(f"{week} calls in the last 7 days: the limit in Massachusetts is 2")
    elif kind == "consumer" and country == "AU":
        if week >= AU_CALLS_A_WEEK:
            blocks.append(f"{week} calls in the last 7 days: the limit for an AU consumer is 3 a week")
        month = _strictest(local_zones, lambda z: calls_in_days(calls, now, z, AU_MONTH_DAYS))
        if month >= AU_CALLS_A_MONTH:
            blocks.append(f"{month} calls in the last 30 days: the limit for an AU consumer is 10 a month")
    elif kind == "business":
        recent = [c for c in calls if c.started_at > now - BUSINESS_SPACING_DAYS * DAY]
        if recent:
            last = max(c.started_at for c in recent)
            on = _local(last, local_zones[0]).isoformat()
            warnings.append(f"already called on {on}: business accounts are called every 3 days")
    return FrequencyCheck(blocks, warnings)


def earliest_follow_up(
    kind: str, country: str | None, right_party: bool, code: str, conversation_on: date
) -> date | None:
    """The first day a follow-up call is allowed after a call on ``conversation_on`` (the debtor's
    local date), when a rule pushes it out: day 8 of the period after a US consumer conversation."""
    us_consumer = kind == "consumer" and (country or "").upper() == "US"
    if us_consumer and right_party and code not in CONSENT_CODES:
        return conversation_on + PERIOD_DAYS * DAY
    return None
