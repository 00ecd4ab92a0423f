"""Streaming exports of calls, promises and the activity log: stable columns, major-unit amounts.

Rows are read with ``yield_per`` so a table of millions of rows never sits in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from collectdesk.domain.errors import InputError
from collectdesk.domain.money import to_major
from collectdesk.services.context import AppContext
from collectdesk.store.models import Activity, Call, Customer, Promise, User

BATCH = 1000
ExportValue = str | int | bool | Decimal | dict[str, Any] | None
AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class ExportSpec:
    """What one export reads and how each row becomes output values."""

    columns: tuple[str, ...]
    query: Callable[[], AnySelect]
    shape: Callable[[Any], tuple[ExportValue, ...]]


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def _calls_query() -> AnySelect:
    return (
        select(Call, Customer.ref, Customer.name, User.name.label("user_name"))
        .join(Customer, Customer.id == Call.customer_id)
        .join(User, User.id == Call.user_id)
        .order_by(Call.id)
    )


def _call_row(row: Any) -> tuple[ExportValue, ...]:
    call: Call = row[0]
    seconds = None if call.ended_at is None else round((call.ended_at - call.started_at).total_seconds())
    return (
        call.id,
        _iso(call.started_at),
        _iso(call.ended_at),
        seconds,
        row.user_name,
        row.ref,
        row.name,
        call.contact_id,
        call.phone,
        call.result_code,
        call.right_party,
        call.payment_asked,
        call.no_promise_reason,
        _iso(call.callback_at),
        call.spoke_with,
        call.dispute_reason,
        call.paid_claim,
        _iso(call.next_action_on),
        call.next_action,
        call.override_reason,
        call.notes,
    )


def _promises_query() -> AnySelect:
    return (
        select(Promise, Customer.ref, Customer.name, User.name.label("user_name"))
        .join(Customer, Customer.id == Promise.customer_id)
        .join(User, User.id == Promise.taken_by_id)
        .order_by(Promise.id)
    )


def _promise_row(row: Any) -> tuple[ExportValue, ...]:
    promise: Promise = row[0]
    return (
        promise.id,
        _iso(promise.created_at),
        row.ref,
        row.name,
        row.user_name,
        promise.call_id,
        Decimal(to_major(promise.amount, promise.currency)),
        Decimal(to_major(promise.paid_amount, promise.currency)),
        promise.currency,
        _iso(promise.promised_on),
        _iso(promise.broken_on),
        promise.method,
        promise.status,
        _iso(promise.resolved_on),
        promise.plan_id,
        promise.instalment,
    )


_ActivityUser = aliased(User)


def _activity_query() -> AnySelect:
    return (
        select(Activity, Customer.ref, _ActivityUser.name.label("user_name"))
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .outerjoin(_ActivityUser, _ActivityUser.id == Activity.user_id)
        .order_by(Activity.id)
    )


def _activity_row(row: Any) -> tuple[ExportValue, ...]:
    entry: Activity = row[0]
    return (
        entry.id,
        _iso(entry.at),
        row.ref,
        row.user_name,
        entry.kind,
        entry.summary,
        entry.call_id,
        entry.promise_id,
        entry.corrects_id,
        entry.details,
    )


EXPORTS: dict[str, ExportSpec] = {
    "calls": ExportSpec(
        (
            "id",
            "started_at",
            "ended_at",
            "duration_seconds",
            "user",
            "customer_ref",
            "customer_name",
            "contact_id",
            "phone",
            "result_code",
            "right_party",
            "payment_asked",
            "no_promise_reason",
            "callback_at",
            "spoke_with",
            "dispute_reason",
            "paid_claim",
            "next_action_on",
            "next_action",
            "override_reason",
            "notes",
        ),
        _calls_query,
        _call_row,
    ),
    "promises": ExportSpec(
        (
            "id",
            "created_at",
            "customer_ref",
            "customer_name",
            "taken_by",
            "call_id",
            "amount",
            "paid_amount",
            "currency",
            "promised_on",
            "broken_on",
            "method",
            "status",
            "resolved_on",
            "plan_id",
            "instalment",
        ),
        _promises_query,
        _promise_row,
    ),
    "activity": ExportSpec(
        ("id", "at", "customer_ref", "user", "kind", "summary", "call_id", "promise_id", "corrects_id", "details"),
        _activity_query,
        _activity_row,
    ),
}


_OWNER_COLUMNS: dict[str, Any] = {"calls": Call.user_id, "promises": Promise.taken_by_id, "activity": Activity.user_id}


def export_columns(what: str) -> tuple[str, ...]:
    """The column names of an export, in their stable order."""
    return _spec(what).columns


def export_rows(ctx: AppContext, what: str) -> Iterator[tuple[ExportValue, ...]]:
    """Yield every row of ``what`` (calls, promises or activity), oldest first, in batches: a
    supervisor's export holds everyone's, a collector's only their own."""
    spec = _spec(what)
    query = spec.query()
    if ctx.user.role != "supervisor":
        # A collector exports what they did; everyone's is for supervisors.
        query = query.where(_OWNER_COLUMNS[what] == ctx.user.id)
    with ctx.db.session() as session:
        result = session.execute(query.execution_options(yield_per=BATCH))
        for row in result:
            yield spec.shape(row)


def _spec(what: str) -> ExportSpec:
    try:
        return EXPORTS[what]
    except KeyError:
        raise InputError(f"cannot export {what!r}: choose {', '.join(EXPORTS)}") from None
