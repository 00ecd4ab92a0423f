"""The owner's update: a short summary of each call closed on a day, gathered per sales rep."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from collectdesk.domain.money import format_amount
from collectdesk.services.context import AppContext
from collectdesk.store.models import Call, Contact, Customer, Promise, User

NO_OWNER = "(no sales rep)"
_NOTE_CHARS = 200


@dataclass(frozen=True)
class CallSummary:
    """What one closed call found: who was reached, what was said, the promise or why none,
    any dispute, and the next step."""

    ref: str
    customer: str
    caller: str
    result: str
    reached: str | None
    said: str | None
    promise: str | None
    no_promise: str | None
    dispute: str | None
    next_step: str
    callback: str | None

    def lines(self) -> list[str]:
        """The summary as a few readable lines."""
        head = f"{self.customer} ({self.ref}) — {self.result}, called by {self.caller}"
        out = [head, f"  reached: {self.reached}" if self.reached else "  not reached"]
        if self.said:
            out.append(f"  said: {self.said}")
        if self.promise:
            out.append(f"  promise: {self.promise}")
        elif self.no_promise:
            out.append(f"  no promise: {self.no_promise}")
        if self.dispute:
            out.append(f"  dispute: {self.dispute}")
        if self.callback:
            out.append(f"  callback asked for: {self.callback}")
        out.append(f"  next: {self.next_step}")
        return out


@dataclass
class OwnerDigest:
    """One sales rep's (or owner's) day: figures and each call's summary."""

    owner: str
    day: date
    calls: list[CallSummary] = field(default_factory=list)
    reached: int = 0
    promises: int = 0
    promised: dict[str, int] = field(default_factory=dict)
    disputes: int = 0
    callbacks: int = 0

    def promised_text(self) -> str:
        """The amount promised, per currency."""
        return ", ".join(format_amount(v, c) for c, v in sorted(self.promised.items())) or "nothing"

    def text(self) -> str:
        """The digest as plain text, ready to read or email."""
        lines = [
            f"Collections update for {self.owner} — {self.day.isoformat()}",
            "",
            f"Calls made: {len(self.calls)} · reached: {self.reached} · promised: {self.promises} "
            f"({self.promised_text()}) · disputes and concerns: {self.disputes} · callbacks asked: {self.callbacks}",
            "",
        ]
        for summary in self.calls:
            lines += [*summary.lines(), ""]
        return "\n".join(lines).rstrip() + "\n"


def _no_promise(call: Call) -> str | None:
    if call.no_promise_reason:
        return call.no_promise_reason
    if not call.right_party:
        return "the customer was not reached"
    if call.result_code == "PAID":
        return f"says it is already paid ({call.paid_claim})" if call.paid_claim else "says it is already paid"
    if call.result_code == "DISPUTE":
        return "invoices disputed"
    if call.result_code == "CALLBACK":
        return "asked to be called back"
    if call.payment_asked is False:
        return "payment was not asked for"
    return None


def _promise_text(promises: list[Promise]) -> str | None:
    if not promises:
        return None
    parts = [f"{format_amount(p.amount, p.currency)} by {p.promised_on.isoformat()}" for p in promises]
    method = next((p.method for p in promises if p.method), None)
    return "; ".join(parts) + (f" ({method})" if method else "")


def _call_summary(
    call: Call, customer: Customer, caller: str, contact: str | None, promises: list[Promise]
) -> CallSummary:
    """The owner's summary of one closed call."""
    notes = " ".join((call.notes or "").split())
    return CallSummary(
        ref=customer.ref,
        customer=customer.name,
        caller=caller,
        result=call.result_code or "?",
        reached=(contact or call.spoke_with or customer.name) if call.right_party else None,
        said=(notes[:_NOTE_CHARS] + ("…" if len(notes) > _NOTE_CHARS else "")) or None,
        promise=_promise_text(promises),
        no_promise=None if promises else _no_promise(call),
        dispute=call.dispute_reason or None,
        next_step=f"{call.next_action or 'follow up'} on {call.next_action_on.isoformat()}"
        if call.next_action_on
        else call.next_action or "none set",
        callback=call.callback_at.strftime("%Y-%m-%d %H:%M UTC") if call.callback_at else None,
    )


def latest_call_day(ctx: AppContext, before: date) -> date | None:
    """The newest day (the collector's own) before ``before`` on which a call was closed, if any."""
    with ctx.db.session() as session:
        last = session.scalar(
            select(Call.ended_at)
            .where(Call.ended_at < ctx.clock.day_start(before))
            .order_by(Call.ended_at.desc())
            .limit(1)
        )
    return ctx.clock.local_date(last) if last is not None else None


def build_digests(ctx: AppContext, day: date | None = None) -> list[OwnerDigest]:
    """Every call closed on ``day`` (the collector's own; default today), summarised and grouped by sales rep."""
    day = day or ctx.clock.today()
    start, end = ctx.clock.day_start(day), ctx.clock.day_start(day + timedelta(days=1))
    digests: dict[str, OwnerDigest] = {}
    with ctx.db.session() as session:
        rows = session.execute(
            select(Call, Customer, User.name, Contact.name)
            .join(Customer, Customer.id == Call.customer_id)
            .join(User, User.id == Call.user_id)
            .outerjoin(Contact, Contact.id == Call.contact_id)
            .where(Call.ended_at >= start, Call.ended_at < end)
            .order_by(Customer.sales_rep, Call.ended_at, Call.id)
        ).all()
        promises: dict[int, list[Promise]] = defaultdict(list)
        call_ids = [row[0].id for row in rows]
        for promise in session.scalars(
            select(Promise).where(Promise.call_id.in_(call_ids)).order_by(Promise.promised_on, Promise.id)
        ):
            assert promise.call_id is not None
            promises[promise.call_id].append(promise)
        for call, customer, caller, contact in rows:
            owner = customer.sales_rep or NO_OWNER
            digest = digests.setdefault(owner, OwnerDigest(owner, day))
            taken = promises.get(call.id, [])
            digest.calls.append(_call_summary(call, customer, caller, contact, taken))
            digest.reached += bool(call.right_party)
            digest.promises += bool(taken)
            for p in taken:
                digest.promised[p.currency] = digest.promised.get(p.currency, 0) + p.amount
            digest.disputes += call.result_code == "DISPUTE"
            digest.callbacks += call.result_code == "CALLBACK"
    return sorted(digests.values(), key=lambda d: (d.owner == NO_OWNER, d.owner.lower()))


@dataclass(frozen=True)
class DigestDelivery:
    """Where one owner's digest went: an email address, an ``.eml`` in the outbox, or a text file."""

    owner: str
    to: str | None
    where: str


def send_digests(ctx: AppContext, digests: list[OwnerDigest], *, to: str | None = None) -> list[DigestDelivery]:
    """Email each digest to ``to`` or the owner's address in ``digest_recipients``; a digest with
    no address is written as a text file in the outbox."""
    from collectdesk.services.mail import MailTransport, build_email, outbox_dir, safe_name

    results: list[DigestDelivery] = []
    transport = MailTransport(ctx.settings)
    with transport:
        for digest in digests:
            address = to or ctx.settings.digest_recipients.get(digest.owner)
            stem = f"digest-{digest.day.isoformat()}-{safe_name(digest.owner)}"
            if address is None:
                path = outbox_dir(ctx.settings) / "digests" / f"{stem}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(digest.text(), encoding="utf-8")
                results.append(DigestDelivery(digest.owner, None, f"no address for this owner; written to {path}"))
                continue
            if transport.uses_smtp:
                transport.check_credentials()
            email = build_email(
                ctx.settings,
                to=address,
                subject=f"Collections update for {digest.owner} — {digest.day.isoformat()}",
                body=digest.text(),
                when=ctx.clock.now(),
            )
            delivery = transport.deliver(email, stem)
            where = f"emailed to {address}" if delivery.via == "smtp" else f"written to {delivery.path}"
            results.append(DigestDelivery(digest.owner, address, where))
    return results
