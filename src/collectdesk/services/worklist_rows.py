"""One account on the worklist as plain data, and how a result row of the list's query becomes one
(no database library here: the quick page read builds rows without importing one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class WorklistRow:
    """One account on the list: what it owes, how it has behaved, and the points that rank it.

    ``rank`` is the 1-based position on the list (0 when the row comes from :func:`score_account`
    or :func:`agency_ready`). Money is in minor units of ``currency``. ``breakdown`` maps each
    component's short label (``dpd``, ``bal``, ``broken`` …) to its points, in display order.
    """

    rank: int
    customer_id: int
    ref: str
    name: str
    kind: str
    country: str
    currency: str
    overdue: int
    open_balance: int
    oldest_days_past_due: int
    broken_promises: int
    failed_attempts: int
    stage: str
    next_action_on: date | None
    last_contact_at: datetime | None
    reason: str
    score: float
    breakdown: dict[str, float] = field(default_factory=dict)
    next_action_at: datetime | None = None
    late_payments: int = 0
    sales_rep: str | None = None
    on_list: bool = True
    ready_for_referral: bool = False
    collector_id: int | None = None
    # A colleague (or this user) on a call with the account right now, and since when.
    on_call_by: str | None = None
    on_call_since: datetime | None = None
    # Who closed a call on the account within the last hour, and when.
    closed_by: str | None = None
    closed_at: datetime | None = None


def row_from(data: Mapping[Any, Any], rank: int, labels: Mapping[str, str]) -> WorklistRow:
    """A list row from a result row's columns; ``labels`` maps component keys to their labels."""
    breakdown = {label: float(data[f"points_{key}"]) for key, label in labels.items()}
    return WorklistRow(
        rank=rank,
        customer_id=data["customer_id"],
        ref=data["ref"],
        name=data["name"],
        kind=data["kind"],
        country=data["country"],
        currency=data["currency"],
        overdue=int(data["overdue"]),
        open_balance=int(data["open_balance"]),
        oldest_days_past_due=int(data["oldest_days_past_due"]),
        broken_promises=int(data["broken_promises"]),
        failed_attempts=data["failed_attempts"],
        stage=data["stage"],
        next_action_on=data["next_action_on"],
        last_contact_at=data["last_contact_at"],
        reason=data["reason"],
        score=float(data["score"]),
        breakdown=breakdown,
        next_action_at=data["next_action_at"],
        late_payments=int(data["late_payments"]),
        sales_rep=data["sales_rep"],
        on_list=bool(data["on_list"]),
        ready_for_referral=bool(data["ready_for_referral"]),
        collector_id=data.get("collector_id"),
        on_call_by=data.get("on_call_by"),
        on_call_since=data.get("on_call_since"),
        closed_by=data.get("closed_by"),
        closed_at=data.get("closed_at"),
    )
