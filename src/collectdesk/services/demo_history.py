"""Loading the demo's call and promise history (``calls.csv``, ``promises.csv``) in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from collectdesk.domain.dates import parse_iso_date
from collectdesk.domain.errors import InputError
from collectdesk.domain.money import format_amount, parse_amount
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_many
from collectdesk.store.models import (
    Call,
    Contact,
    Customer,
    Invoice,
    Promise,
    PromiseInvoice,
    User,
)

RIGHT_PARTY_CODES = ("PTP", "PAID", "DISPUTE", "NOPROMISE", "CALLBACK")
NEXT_ACTION = {
    "PTP": "Check the promised payment arrived",
    "CALLBACK": "Call back as asked",
    "DISPUTE": "Follow up the dispute",
    "PAID": "Check the payment they say was sent",
    "NOPROMISE": "Ask again for a payment date",
}


def _instant(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _yes(text: str) -> bool:
    return text.strip().lower() in ("yes", "y", "true", "1")


class _Lookups:
    """Ids the history rows refer to by name: customers, collectors, contacts, invoices."""

    def __init__(self, session: Session) -> None:
        self.customers = {
            ref: (cid, currency)
            for ref, cid, currency in session.execute(select(Customer.ref, Customer.id, Customer.currency))
        }
        self.users = {name: uid for name, uid in session.execute(select(User.name, User.id))}
        self.contacts = {
            (cid, name): (contact_id, phone)
            for contact_id, cid, name, phone in session.execute(
                select(Contact.id, Contact.customer_id, Contact.name, Contact.phone)
            )
        }
        self.invoices = {
            (cid, number): (iid, status, open_amount)
            for iid, cid, number, status, open_amount in session.execute(
                select(Invoice.id, Invoice.customer_id, Invoice.number, Invoice.status, Invoice.open_amount)
            )
        }

    def customer(self, ref: str) -> tuple[int, str]:
        """(id, currency) of the customer with ``ref``."""
        try:
            return self.customers[ref]
        except KeyError:
            raise InputError(f"demo history names an unknown customer {ref!r}") from None

    def user(self, name: str) -> int:
        """The id of the user called ``name``."""
        try:
            return self.users[name]
        except KeyError:
            raise InputError(f"demo history names an unknown collector {name!r}") from None


def load_history(
    ctx: AppContext, calls: Sequence[dict[str, str]], promises: Sequence[dict[str, str]]
) -> tuple[int, int]:
    """Insert the calls and promises and bring the accounts they touch up to date.

    Rows are the CSV rows with dates already shifted; returns (calls, promises) written.
    """
    with ctx.db.session() as session:
        ids = _Lookups(session)
        call_ids = _insert_calls(session, ids, calls)
        promise_count = _insert_promises(session, ctx, ids, promises, call_ids)
        _mark_disputes_and_wrong_numbers(session, ids, calls)
        _update_accounts(session, ids, calls)
        log_many(session, [_call_entry(ids, row, call_ids[row["call_ref"]]) for row in calls])
    return len(calls), promise_count


def _call_row(ids: _Lookups, row: dict[str, str]) -> dict[str, Any]:
    customer_id, _ = ids.customer(row["customer_ref"])
    contact_id, phone = ids.contacts.get((customer_id, row["contact_name"]), (None, None))
    started = _instant(row["started_at"])
    assert started is not None
    code = row["result_code"]
    return {
        "customer_id": customer_id,
        "contact_id": contact_id,
        "user_id": ids.user(row["collector"]),
        "phone": phone,
        "started_at": started,
        "ended_at": started + timedelta(seconds=int(row["duration_seconds"])),
        "result_code": code,
        "right_party": _yes(row["right_party"]),
        "payment_asked": _yes(row["payment_asked"]),
        "no_promise_reason": row["no_promise_reason"] or None,
        "callback_at": _instant(row["callback_at"]),
        "spoke_with": row["spoke_with"] or None,
        "dispute_reason": row["dispute_reason"] or None,
        "paid_claim": "says it was paid last week" if code == "PAID" else None,
        "next_action_on": parse_iso_date(row["next_action_on"]),
        "next_action": NEXT_ACTION.get(code, "Try again"),
        "override_reason": None,
        "notes": row["notes"],
    }


def _insert_calls(session: Session, ids: _Lookups, calls: Sequence[dict[str, str]]) -> dict[str, int]:
    """Insert every call; returns call_ref → id."""
    if not calls:
        return {}
    statement = insert(Call).returning(Call.id, sort_by_parameter_order=True)
    new_ids = list(session.scalars(statement, [_call_row(ids, row) for row in calls]))
    return {row["call_ref"]: call_id for row, call_id in zip(calls, new_ids, strict=True)}


def _insert_promises(
    session: Session, ctx: AppContext, ids: _Lookups, promises: Sequence[dict[str, str]], call_ids: dict[str, int]
) -> int:
    """Insert every promise as freshly taken (status ``open``) with the invoices it covers."""
    if not promises:
        return 0
    grace = timedelta(days=ctx.settings.promises.grace_days)
    call_started = dict(
        session.execute(select(Call.id, Call.started_at).where(Call.id.in_(sorted(call_ids.values())))).all()
    )
    rows: list[dict[str, Any]] = []
    for row in promises:
        customer_id, currency = ids.customer(row["customer_ref"])
        call_id = call_ids[row["call_ref"]]
        promised_on = parse_iso_date(row["promised_on"])
        rows.append(
            {
                "customer_id": customer_id,
                "call_id": call_id,
                "taken_by_id": ids.user(row["taken_by"]),
                "amount": parse_amount(row["amount"], currency),
                "currency": currency,
                "promised_on": promised_on,
                "broken_on": promised_on + grace,
                "method": row["method"] or None,
                "status": "open",
                "paid_amount": 0,
                "resolved_on": None,
                "plan_id": None,
                "instalment": None,
                "created_at": call_started[call_id],
            }
        )
    statement = insert(Promise).returning(Promise.id, sort_by_parameter_order=True)
    promise_ids = list(session.scalars(statement, rows))
    links = []
    for row, promise_id, values in zip(promises, promise_ids, rows, strict=True):
        for number in filter(None, row["invoice_numbers"].split(";")):
            invoice = ids.invoices.get((values["customer_id"], number))
            if invoice is not None:
                links.append({"promise_id": promise_id, "invoice_id": invoice[0]})
    if links:
        session.execute(insert(PromiseInvoice), links)
    log_many(
        session,
        [
            {
                "at": values["created_at"],
                "kind": "promise",
                "customer_id": values["customer_id"],
                "user_id": values["taken_by_id"],
                "promise_id": promise_id,
                "call_id": values["call_id"],
                "summary": _promise_summary(values),
            }
            for promise_id, values in zip(promise_ids, rows, strict=True)
        ],
    )
    return len(rows)


def _promise_summary(values: dict[str, Any]) -> str:
    amount = format_amount(values["amount"], values["currency"])
    return f"Promise to pay {amount} by {values['promised_on']}"


def _mark_disputes_and_wrong_numbers(session: Session, ids: _Lookups, calls: Sequence[dict[str, str]]) -> None:
    """Disputed invoices go on hold from chasing; numbers found wrong are flagged."""
    disputed: dict[int, dict[str, Any]] = {}
    wrong: set[int] = set()
    for row in calls:
        customer_id, _ = ids.customer(row["customer_ref"])
        if row["result_code"] == "DISPUTE" and row["dispute_invoice"]:
            invoice = ids.invoices.get((customer_id, row["dispute_invoice"]))
            if invoice is not None and invoice[1] == "open" and invoice[2] > 0:
                disputed[invoice[0]] = {
                    "id": invoice[0],
                    "status": "disputed",
                    "dispute_reason": row["dispute_reason"] or None,
                }
        elif row["result_code"] == "WRONGNUMBER":
            contact = ids.contacts.get((customer_id, row["contact_name"]))
            if contact is not None:
                wrong.add(contact[0])
    if disputed:
        session.execute(update(Invoice), list(disputed.values()))
    if wrong:
        session.execute(update(Contact), [{"id": cid, "wrong_number": True} for cid in wrong])


def _update_accounts(session: Session, ids: _Lookups, calls: Sequence[dict[str, str]]) -> None:
    """Each called customer's last attempt, last contact, failed attempts in a row, next action."""
    state: dict[int, dict[str, Any]] = {}
    for row in sorted(calls, key=lambda r: r["started_at"]):
        customer_id, _ = ids.customer(row["customer_ref"])
        started = _instant(row["started_at"])
        account = state.setdefault(customer_id, {"id": customer_id, "last_contact_at": None, "failed_attempts": 0})
        account["last_attempt_at"] = started
        if row["result_code"] in RIGHT_PARTY_CODES:
            account["last_contact_at"] = started
            account["failed_attempts"] = 0
        else:
            account["failed_attempts"] += 1
        account["next_action_on"] = parse_iso_date(row["next_action_on"])
        account["next_action"] = NEXT_ACTION.get(row["result_code"], "Try again")
        account["next_action_at"] = _instant(row["callback_at"])
    if state:
        session.execute(update(Customer), list(state.values()))


def _call_entry(ids: _Lookups, row: dict[str, str], call_id: int) -> dict[str, Any]:
    """The timeline entry for one historic call."""
    customer_id, _ = ids.customer(row["customer_ref"])
    return {
        "at": _instant(row["started_at"]),
        "kind": "call",
        "customer_id": customer_id,
        "user_id": ids.user(row["collector"]),
        "call_id": call_id,
        "summary": f"{row['result_code']}: {row['notes']}",
    }
