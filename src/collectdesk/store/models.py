"""The database tables as SQLAlchemy 2 typed mappings: money in minor units, instants in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from collectdesk.domain.invoice_status import INVOICE_STATUSES, OWING_OUTSIDE_OPEN_BALANCE
from collectdesk.domain.promise_status import PROMISE_STATUSES
from collectdesk.domain.result_codes import CODE_LENGTH
from collectdesk.domain.stages import REFERRED, STAGES

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("collector", "supervisor")
KINDS = ("business", "consumer")


def max_length(column: Any) -> int:
    """The most characters a string column holds (the one place column widths are set)."""
    length: int = column.property.columns[0].type.length
    return length


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as naive UTC and hands them back timezone-aware, on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC before it is written."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark a stored naive UTC value as UTC again."""
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the constraint naming convention migrations rely on."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        date: Date(),
        dict[str, Any]: JSON(),
    }


class User(Base):
    """Someone who works the desk: a collector or a supervisor."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="collector")
    created_at: Mapped[datetime]
    # A disabled user keeps their history but can no longer log in (revision 0009).
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


# Who the worklist may list, and the columns it ranks them by (ix_customers_chaseable).
CHASEABLE_SQL = (
    "on_hold = false AND do_not_call = false AND cease_contact = false "
    f"AND lawyer_represented = false AND stage != '{REFERRED}'"
)
WORKLIST_FACTS = (
    "oldest_open_due",
    "earliest_open_promise_on",
    "next_action_on",
    "next_action_at",
    "stage",
    "currency",
    "failed_attempts",
    "late_payments",
    "open_balance",
    "newest_open_due",
    "newest_open_amount",
    "prior_open_due",
    "last_broken_on",
    "on_hold",
    "do_not_call",
    "cease_contact",
    "lawyer_represented",
)

# Partial-index conditions: written as the account facts' subqueries write them (SQLite uses a
# partial index only for a query that states its condition).
CHASEABLE_SQL = "status = 'open' AND open_amount > 0"
LATE_SQL = "paid_on > due_date"
# The partial-index condition of the tally's index of accounts owing outside the open balance.
OTHER_OWING_SQL = f"open_amount > 0 AND status IN ({', '.join(repr(s) for s in OWING_OUTSIDE_OPEN_BALANCE)})"


class Customer(Base):
    """An account that owes money, with the state the collections engine keeps about it."""

    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(_in("kind", KINDS), name="kind"),
        CheckConstraint(_in("stage", STAGES), name="stage"),
        CheckConstraint("terms_days >= 0", name="terms_days"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts"),
        Index("ix_customers_next_action_on", "next_action_on"),
        Index("ix_customers_next_action_at", "next_action_at"),
        Index("ix_customers_collector_id", "collector_id"),
        # Covers everything the worklist ranks by, for the customers it may list at all.
        Index(
            "ix_customers_chaseable",
            *WORKLIST_FACTS,
            sqlite_where=text(CHASEABLE_SQL),
            postgresql_where=text(CHASEABLE_SQL),
        ),
        # The tally's agency-ready accounts and accounts per stage (revision 0003).
        Index("ix_customers_oldest_open_due", "oldest_open_due", "stage"),
        Index("ix_customers_stage_balance", "stage", "open_balance"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10), default="business")
    country: Mapped[str] = mapped_column(String(2), default="US")
    region: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    terms_days: Mapped[int] = mapped_column(Integer, default=30)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    collector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sales_rep: Mapped[str | None] = mapped_column(String(120))
    # Billing address as the accounting system wrote it (revision 0006); `region` above is the
    # calling-rules region code, `address_region` the state or province as text.
    address_street: Mapped[str | None] = mapped_column(String(400))
    address_city: Mapped[str | None] = mapped_column(String(120))
    address_region: Mapped[str | None] = mapped_column(String(120))
    address_postal_code: Mapped[str | None] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(16), default="reminder")
    on_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(String(200))
    do_not_call: Mapped[bool] = mapped_column(Boolean, default=False)
    cease_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    lawyer_represented: Mapped[bool] = mapped_column(Boolean, default=False)
    next_action_on: Mapped[date | None]
    next_action_at: Mapped[datetime | None]
    next_action: Mapped[str | None] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None]
    last_contact_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Derived from invoices and promises by database triggers (store/account_facts.py).
    open_balance: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    oldest_open_due: Mapped[date | None]
    newest_open_due: Mapped[date | None]
    newest_open_amount: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    prior_open_due: Mapped[date | None]
    late_payments: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    earliest_open_promise_on: Mapped[date | None]
    last_broken_on: Mapped[date | None]

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer", order_by="Contact.id")
    collector: Mapped[User | None] = relationship()


class Contact(Base):
    """A person at a customer who can be called."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("customer_id", "name"), Index("ix_contacts_phone", "phone"))

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    do_not_call: Mapped[bool] = mapped_column(Boolean, default=False)
    wrong_number: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Invoice(Base):
    """An invoice with its open balance, kept in step with the payments applied to it."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("customer_id", "number"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("open_amount >= 0 AND open_amount <= amount", name="open_amount"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        CheckConstraint(_in("status", INVOICE_STATUSES), name="status"),
        Index("ix_invoices_open", "customer_id", "due_date", "open_amount"),
        # A customer's chaseable invoices by due date, which the account facts are made of (0015).
        Index(
            "ix_invoices_chaseable",
            "customer_id",
            "due_date",
            "open_amount",
            sqlite_where=text(CHASEABLE_SQL),
            postgresql_where=text(CHASEABLE_SQL),
        ),
        # A customer's invoices paid late (the ``late_payments`` fact).
        Index("ix_invoices_late", "customer_id", sqlite_where=text(LATE_SQL), postgresql_where=text(LATE_SQL)),
        Index("ix_invoices_number", "number"),
        Index("ix_invoices_customer_issue", "customer_id", "issue_date"),
        # The worklist's receipts of the last days, across all customers.
        Index("ix_invoices_issue_date", "issue_date"),
        # The tally's accounts owing on disputed or agency invoices.
        Index(
            "ix_invoices_other_owing",
            "customer_id",
            sqlite_where=text(OTHER_OWING_SQL),
            postgresql_where=text(OTHER_OWING_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(64))
    issue_date: Mapped[date]
    due_date: Mapped[date]
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    open_amount: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="open")
    paid_on: Mapped[date | None]
    dispute_reason: Mapped[str | None] = mapped_column(String(500))
    receipt_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Payment(Base):
    """Money received from a customer."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("customer_id", "import_key"),
        CheckConstraint("amount > 0", name="amount"),
        Index("ix_payments_received_on", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    received_on: Mapped[date]
    method: Mapped[str | None] = mapped_column(String(40))
    reference: Mapped[str | None] = mapped_column(String(100))
    invoice_number: Mapped[str | None] = mapped_column(String(64))
    import_key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]


class PaymentAllocation(Base):
    """The part of a payment applied to one invoice."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        UniqueConstraint("payment_id", "invoice_id"),
        CheckConstraint("amount > 0", name="amount"),
        Index("ix_payment_allocations_invoice_id", "invoice_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(BigInteger)


class Call(Base):
    """One phone call, written when it starts and completed when it is closed."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_customer_started", "customer_id", "started_at"),
        Index("ix_calls_started_at", "started_at"),
        Index("ix_calls_user_open", "user_id", "ended_at"),
        # One open call per account and per user: the claim a call start makes (revision 0009).
        Index(
            "uq_calls_open_account",
            "customer_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "uq_calls_open_user",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_calls_ended_at", "ended_at"),
        # Covers the tally's phone activity, currency included (revisions 0010, 0013).
        Index(
            "ix_calls_started_tally",
            "started_at",
            "user_id",
            "currency",
            "right_party",
            "result_code",
            "talk_seconds",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    phone: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    result_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    right_party: Mapped[bool | None] = mapped_column(Boolean)
    payment_asked: Mapped[bool | None] = mapped_column(Boolean)
    no_promise_reason: Mapped[str | None] = mapped_column(String(300))
    callback_at: Mapped[datetime | None]
    spoke_with: Mapped[str | None] = mapped_column(String(200))
    dispute_reason: Mapped[str | None] = mapped_column(String(500))
    paid_claim: Mapped[str | None] = mapped_column(String(300))
    next_action_on: Mapped[date | None]
    next_action: Mapped[str | None] = mapped_column(String(200))
    override_reason: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    # From started_at to ended_at, 0 while open: kept by triggers (store/call_talk.py).
    talk_seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # The customer's currency: kept by triggers (store/call_currency.py).
    currency: Mapped[str | None] = mapped_column(String(3))


class Promise(Base):
    """A promise to pay an exact amount by an exact date; plans are several sharing a ``plan_id``."""

    __tablename__ = "promises"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("paid_amount >= 0", name="paid_amount"),
        CheckConstraint(_in("status", PROMISE_STATUSES), name="status"),
        CheckConstraint("broken_on >= promised_on", name="broken_after_promised"),
        Index("ix_promises_customer_status", "customer_id", "status"),
        Index("ix_promises_status_broken_on", "status", "broken_on"),
        Index("ix_promises_created_at", "created_at"),
        Index("ix_promises_promised_on", "promised_on"),
        Index("ix_promises_customer_status_broken", "customer_id", "status", "broken_on", "promised_on"),
        # Cover the tally's promise figures, a replaced promise and a plan's count included (revision 0011).
        Index(
            "ix_promises_created_tally",
            "created_at",
            "taken_by_id",
            "currency",
            "status",
            "resolved_on",
            "broken_on",
            "amount",
            "paid_amount",
            "customer_id",
            "promised_on",
            "replaced_by_id",
            "plan_id",
        ),
        Index("ix_promises_status_resolved", "status", "resolved_on", "broken_on"),
        Index("ix_promises_replaced_by_id", "replaced_by_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    taken_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    promised_on: Mapped[date]
    broken_on: Mapped[date]
    method: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open")
    paid_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    resolved_on: Mapped[date | None]
    plan_id: Mapped[int | None] = mapped_column(Integer)
    instalment: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime]
    # The promise (the first of the plan) that replaced this one, now cancelled as renegotiated (revision 0007).
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("promises.id", ondelete="SET NULL"))


class PromiseInvoice(Base):
    """An invoice a promise names as the one it covers."""

    __tablename__ = "promise_invoices"

    promise_id: Mapped[int] = mapped_column(ForeignKey("promises.id", ondelete="CASCADE"), primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), primary_key=True)


class Activity(Base):
    """One append-only entry in an account's timeline; corrections reference the entry they correct."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_customer_at", "customer_id", "at"),
        Index("ix_activity_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(String(500))
    details: Mapped[dict[str, Any] | None]
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    promise_id: Mapped[int | None] = mapped_column(ForeignKey("promises.id", ondelete="SET NULL"))
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("activity.id"))


class WorklistScore(Base):
    """One account's place on today's list, as upkeep last ranked it (store/worklist_cache.py)."""

    __tablename__ = "worklist_scores"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tier: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)


# The list's own order (tier, toughest first, oldest account first), so a page is an index range.
Index("ix_worklist_scores_rank", WorklistScore.tier, WorklistScore.score.desc(), WorklistScore.customer_id)


class WorklistDirty(Base):
    """An account changed since it was ranked (written by triggers): scored live until upkeep
    ranks it again."""

    __tablename__ = "worklist_dirty"

    customer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class WorklistState(Base):
    """What the ranked list in ``worklist_scores`` was built for: the day and the rules."""

    __tablename__ = "worklist_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(64))


class AllocationTotal(Base):
    """Payment allocations grouped by the day received and the invoice's currency, issue date and
    due date (store/allocation_totals.py); allocations to written-off invoices left out."""

    __tablename__ = "allocation_totals"

    received_on: Mapped[date] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    issue_date: Mapped[date] = mapped_column(primary_key=True)
    due_date: Mapped[date] = mapped_column(primary_key=True)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)


class UpkeepState(Base):
    """The last upkeep that found nothing to do, and what it saw (store/upkeep_state.py)."""

    __tablename__ = "upkeep_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(300))
    ranked: Mapped[int] = mapped_column(Integer, default=0)
    plain: Mapped[str | None] = mapped_column(Text)  # JSON: the recipe of a quick page read


class InvoiceTotal(Base):
    """Invoices grouped by currency, issue date and due date (store/invoice_totals.py): how many
    still have a balance, their open balance and their amount; written-off invoices left out."""

    __tablename__ = "invoice_totals"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    issue_date: Mapped[date] = mapped_column(primary_key=True)
    due_date: Mapped[date] = mapped_column(primary_key=True)
    invoices: Mapped[int] = mapped_column(Integer, default=0)
    open_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)


class Cover(Base):
    """A substitute working an absent collector's accounts for a date range (inclusive)."""

    __tablename__ = "covers"
    __table_args__ = (
        CheckConstraint("to_on >= from_on", name="dates"),
        CheckConstraint("absent_id != substitute_id", name="someone_else"),
        Index("ix_covers_substitute", "substitute_id", "from_on", "to_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    absent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    substitute_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    from_on: Mapped[date]
    to_on: Mapped[date]
    created_at: Mapped[datetime]


MESSAGE_STATUSES = ("sending", "sent", "failed")


class Message(Base):
    """A reminder, letter or confirmation sent to a customer: claimed before it is sent, then
    marked sent (or failed, which releases its claims for the next run)."""

    __tablename__ = "messages"
    __table_args__ = (
        CheckConstraint(_in("status", MESSAGE_STATUSES), name="status"),
        Index("ix_messages_customer_created", "customer_id", "created_at"),
        Index("ix_messages_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    template: Mapped[str] = mapped_column(String(40))
    day: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="sending")
    recipient: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    eml_path: Mapped[str | None] = mapped_column(String(500))
    letter_path: Mapped[str | None] = mapped_column(String(500))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    details: Mapped[dict[str, Any] | None]


class MessageClaim(Base):
    """What a message stands for (an invoice's schedule step, an account's day, a promise's
    confirmation): the primary key makes sure no two messages ever claim the same thing."""

    __tablename__ = "message_claims"
    __table_args__ = (Index("ix_message_claims_message_id", "message_id"),)

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))


class Pause(Base):
    """Reminders held back for an account (or one of its invoices) until a date."""

    __tablename__ = "pauses"
    __table_args__ = (Index("ix_pauses_customer_until", "customer_id", "until"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    until: Mapped[date]
    reason: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]


class EmailOptOut(Base):
    """An account that asked not to be emailed: it gets letters at most, never reminder emails."""

    __tablename__ = "email_opt_outs"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    reason: Mapped[str | None] = mapped_column(String(300))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
