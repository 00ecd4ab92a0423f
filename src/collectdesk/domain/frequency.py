"""How often an account may be called: consumer limits that block, business courtesy that warns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

DAY = timedelta(days=1)


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


def _count_since(calls: Sequence[PastCall], since: datetime) -> int:
    return sum(1 for c in calls if c.started_at > since)


def _last_conversation(calls: Sequence[PastCall]) -> PastCall | None:
    talks = [c for c in calls if c.right_party]
    return max(talks, key=lambda c: c.started_at) if talks else None


def check_frequency(
    kind: str, country: str | None, region: str | None, calls: Sequence[PastCall], now: datetime
) -> FrequencyCheck:
    """Apply the call-frequency rules of the account's jurisdiction to a call starting ``now``.

    Consumers, US (Regulation F): at most 7 calls in 7 days, and none within 7 days after a
    conversation (unless the debtor asked to be called back); Massachusetts: 2 calls in 7 days.
    Consumers, AU: 3 calls a week and 10 a month. Businesses: a warning when called in the last
    3 days.
    """
    blocks: list[str] = []
    warnings: list[str] = []
    country = (country or "").upper()
    week = _count_since(calls, now - 7 * DAY)
    if kind == "consumer" and country == "US":
        if week >= 7:
            blocks.append(f"{week} calls in the last 7 days: the limit for a US consumer is 7")
        talk = _last_conversation(calls)
        if talk and talk.started_at > now - 7 * DAY and talk.result_code != "CALLBACK":
            until = talk.started_at.date() + 7 * DAY
            blocks.append(
                f"spoke with the debtor on {talk.started_at.date().isoformat()}: no "
                "call to a US consumer within 7 days after a conversation (until "
                f"{until.isoformat()})"
            )
        if (region or "").upper() == "MA" and week >= 2:
            blocks.append(f"{week} calls in the last 7 days: the limit in Massachusetts is 2")
    elif kind == "consumer" and country == "AU":
        if week >= 3:
            blocks.append(f"{week} calls in the last 7 days: the limit for an AU consumer is 3 a week")
        month = _count_since(calls, now - 30 * DAY)
        if month >= 10:
            blocks.append(f"{month} calls in the last 30 days: the limit for an AU consumer is 10 a month")
    elif kind == "business":
        recent = [c for c in calls if c.started_at > now - 3 * DAY]
        if recent:
            last = max(c.started_at for c in recent)
            warnings.append(f"already called on {last.date().isoformat()}: business accounts are called every 3 days")
    return FrequencyCheck(blocks, warnings)


def earliest_follow_up(kind: str, country: str | None, right_party: bool, code: str, today: date) -> date | None:
    """The first day a follow-up call is allowed after this call, when a rule pushes it out."""
    us_consumer = kind == "consumer" and (country or "").upper() == "US"
    if us_consumer and right_party and code != "CALLBACK":
        return today + 7 * DAY
    return None
