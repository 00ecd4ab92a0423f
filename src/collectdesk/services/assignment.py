"""Whose accounts: assigning them to a collector, and cover for an absent collector's accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from collectdesk.domain.errors import InputError
from collectdesk.services.access import refused_by_database, require_supervisor
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_activity
from collectdesk.store.models import Cover, Customer, User


@dataclass(frozen=True)
class CoverSet:
    """Cover as it was set: who stands in for whom, first and last day."""

    absent: str
    substitute: str
    from_on: date
    to_on: date


@dataclass(frozen=True)
class Assignment:
    """What ``assign`` changed: the accounts moved, and those already with that collector."""

    to: str
    moved: list[str]
    unchanged: list[str]


def user_id_named(ctx: AppContext, name: str) -> int:
    """The id of the active user called ``name`` (InputError naming the users otherwise)."""
    with ctx.db.session() as session:
        user = session.scalars(select(User).where(User.name == name)).one_or_none()
        if user is None:
            known = ", ".join(session.scalars(select(User.name).order_by(User.name))) or "none yet"
            raise InputError(f"there is no user {name} (users: {known})")
        if not user.active:
            raise InputError(f"{name} is disabled")
        return user.id


def covered_by(ctx: AppContext, substitute_id: int, day: date) -> list[int]:
    """The collectors whose accounts ``substitute_id`` covers on ``day``."""
    with ctx.db.session() as session:
        return list(
            session.scalars(
                select(Cover.absent_id).where(
                    Cover.substitute_id == substitute_id, Cover.from_on <= day, Cover.to_on >= day
                )
            )
        )


def assign(ctx: AppContext, refs: Sequence[str], to: str | None) -> Assignment:
    """Assign the accounts ``refs`` to collector ``to`` (``None``: back to the unassigned pool),
    all or nothing; each change goes to the account's activity log."""
    require_supervisor(ctx, "assigning accounts")
    if not refs:
        raise InputError("name at least one account ref")
    to_id = user_id_named(ctx, to) if to is not None else None
    label = to or "the unassigned pool"
    moved: list[str] = []
    unchanged: list[str] = []
    with refused_by_database(ctx, "assigning accounts"), ctx.db.session() as session:
        wanted = list(dict.fromkeys(r.strip() for r in refs))
        customers = {c.ref: c for c in session.scalars(select(Customer).where(Customer.ref.in_(wanted)))}
        missing = [r for r in wanted if r not in customers]
        if missing:
            raise InputError(f"no account with ref {', '.join(missing)}: nothing was assigned")
        names = {row.id: row.name for row in session.execute(select(User.id, User.name))}
        now = ctx.clock.now()
        for ref in wanted:
            customer = customers[ref]
            if customer.collector_id == to_id:
                unchanged.append(ref)
                continue
            before = names.get(customer.collector_id) if customer.collector_id else None
            customer.collector_id = to_id
            customer.updated_at = now
            moved.append(ref)
            log_activity(
                session,
                at=now,
                kind="assignment",
                customer_id=customer.id,
                user_id=ctx.user.id,
                summary=f"Assigned to {label} (was {before or 'unassigned'}) by {ctx.user.name}",
                details={"to": to, "from": before},
            )
    return Assignment(label, moved, unchanged)


@dataclass(frozen=True)
class AccountFilter:
    """Which accounts to assign: by current collector (``"pool"``: unassigned), stage, country and
    open balance at least ``min_balance`` (major units, e.g. ``"1000"``, in each account's currency)."""

    collector: str | None = None
    stage: str | None = None
    country: str | None = None
    min_balance: str | None = None

    @property
    def empty(self) -> bool:
        """Whether no condition was given (which would match every account)."""
        return not (self.collector or self.stage or self.country or self.min_balance)


def matching_refs(ctx: AppContext, match: AccountFilter) -> list[str]:
    """The refs of the accounts matching ``match``, by ref."""
    from collectdesk.domain.money import minor_digits, parse_amount
    from collectdesk.domain.stages import STAGES

    if match.empty:
        raise InputError("say which accounts: a collector, stage, country or minimum balance")
    query = select(Customer.ref, Customer.currency, Customer.open_balance).order_by(Customer.ref)
    if match.collector == "pool":
        query = query.where(Customer.collector_id.is_(None))
    elif match.collector:
        query = query.where(Customer.collector_id == user_id_named(ctx, match.collector))
    if match.stage:
        if match.stage not in STAGES:
            raise InputError(f"stage must be one of {', '.join(STAGES)}")
        query = query.where(Customer.stage == match.stage)
    if match.country:
        query = query.where(Customer.country == match.country.upper())
    with ctx.db.session() as session:
        rows = session.execute(query).all()
    if not match.min_balance:
        return [row.ref for row in rows]
    cents = parse_amount(match.min_balance, "USD")  # validated once; scaled per currency below
    wanted: list[str] = []
    for row in rows:
        digits = minor_digits(row.currency)
        if row.open_balance * 10 ** (2 - digits) >= cents:
            wanted.append(row.ref)
    return wanted


def add_cover(ctx: AppContext, absent: str, substitute: str, from_on: date, to_on: date) -> CoverSet:
    """Let ``substitute`` work ``absent``'s accounts from ``from_on`` to ``to_on`` (inclusive);
    afterwards they are ``absent``'s alone again."""
    require_supervisor(ctx, "setting cover")
    if to_on < from_on:
        raise InputError(f"the cover ends ({to_on}) before it starts ({from_on})")
    if absent == substitute:
        raise InputError(f"{absent} cannot cover their own accounts")
    absent_id, substitute_id = user_id_named(ctx, absent), user_id_named(ctx, substitute)
    now = ctx.clock.now()
    with refused_by_database(ctx, "setting cover"), ctx.db.session() as session:
        cover = Cover(absent_id=absent_id, substitute_id=substitute_id, from_on=from_on, to_on=to_on, created_at=now)
        session.add(cover)
        session.flush()
        log_activity(
            session,
            at=now,
            kind="cover",
            user_id=ctx.user.id,
            summary=f"{substitute} covers {absent}'s accounts {from_on} – {to_on} (set by {ctx.user.name})",
            details={"absent": absent, "substitute": substitute, "from": str(from_on), "to": str(to_on)},
        )
    return CoverSet(absent=absent, substitute=substitute, from_on=from_on, to_on=to_on)
