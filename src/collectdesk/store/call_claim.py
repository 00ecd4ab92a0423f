"""Claiming an account for a call: what the guard rails need in one read, then the claim itself.

The read is one statement on PostgreSQL (the account, the contact, the numbers, the last weeks'
calls and the open calls that would refuse the claim); the claim is one more: ``INSERT … ON
CONFLICT DO NOTHING`` (the one-open-call indexes decide a race) with its override entry, and, when
refused, the open calls in its way. Only a claim that lost a race to a call not yet committed
when it began looks again. Both run in autocommit, prepared once per connection, and are sent in
one piece each: a desk the machine is slow to schedule holds no claim open while it waits.
SQLite, a file on this machine, runs the same reads one by one and the claim in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, TextClause, bindparam, insert, text
from sqlalchemy.exc import DBAPIError

from collectdesk.store.models import Activity, UTCDateTime

# One open call per account and per user (uq_calls_open_account, uq_calls_open_user): at most one
# row each of these joins.
_FACTS = """SELECT c.name, c.kind, c.country, c.region, c.timezone, c.phone, c.do_not_call, c.cease_contact,
 c.lawyer_represented, c.on_hold, c.hold_reason,
 k.customer_id, k.name, k.phone, k.do_not_call, k.wrong_number,
 h.id, h.user_id, hu.name, h.started_at, m.id, m.customer_id, mc.name, m.started_at{arrays}
FROM customers c
LEFT JOIN contacts k ON k.id = :contact
LEFT JOIN calls h ON h.customer_id = c.id AND h.ended_at IS NULL
LEFT JOIN users hu ON hu.id = h.user_id
LEFT JOIN calls m ON m.user_id = :user AND m.ended_at IS NULL
LEFT JOIN customers mc ON mc.id = m.customer_id
WHERE c.id = :customer"""
_PHONES = "SELECT phone FROM contacts WHERE customer_id = :customer AND NOT wrong_number ORDER BY id"
_PAST = "FROM calls WHERE customer_id = :customer AND started_at > :since ORDER BY started_at, id"
_PAST_COLUMNS = ("started_at", "right_party", "result_code")
_PG_FACTS = _FACTS.format(
    arrays="".join(f",\n ARRAY({q})" for q in (_PHONES, *(f"SELECT {c} {_PAST}" for c in _PAST_COLUMNS)))
)
_SQLITE_FACTS = _FACTS.format(arrays="")

_OPEN_CALLS = """SELECT o.id, o.user_id, u.name, o.customer_id, c.name, o.started_at
FROM calls o JOIN users u ON u.id = o.user_id JOIN customers c ON c.id = o.customer_id
WHERE o.ended_at IS NULL AND (o.customer_id = :customer OR o.user_id = :user)"""
_INSERT_CALL = """INSERT INTO calls (customer_id, contact_id, user_id, phone, started_at, notes, override_reason)
VALUES (:customer, :contact, :user, :phone, :at, '', :reason) ON CONFLICT DO NOTHING RETURNING id"""
# The override entry goes in with the call or not at all; its who-column is the call's (on a team
# database both are set from the login). Refused, the statement names the open calls in its way
# that it can see: those committed before it began.
_PG_CLAIM = f"""WITH claimed AS ({_INSERT_CALL.replace("RETURNING id", "RETURNING id, user_id")}),
logged AS (INSERT INTO activity (at, kind, summary, customer_id, user_id, call_id, details)
 SELECT :at, 'override', CAST(:summary AS text), :customer, claimed.user_id, claimed.id, CAST(:details AS json)
 FROM claimed WHERE CAST(:summary AS text) IS NOT NULL)
SELECT id, NULL, NULL, NULL, NULL, NULL, NULL FROM claimed
UNION ALL
SELECT NULL, {_OPEN_CALLS.removeprefix("SELECT ").replace("WHERE ", "WHERE NOT EXISTS (SELECT 1 FROM claimed) AND ")}"""


@dataclass(frozen=True)
class OpenCallSeen:
    """An open call that stands in a claim's way: whose, on which account, since when."""

    call_id: int
    user_id: int
    user: str
    customer_id: int
    customer: str
    started_at: datetime


@dataclass(frozen=True)
class ContactFacts:
    """The contact to be called, as the guard rails see them."""

    customer_id: int
    name: str
    phone: str | None
    do_not_call: bool
    wrong_number: bool


@dataclass(frozen=True)
class PastCallRow:
    """A call made to the account lately (the frequency rules count them)."""

    started_at: datetime
    right_party: bool | None
    result_code: str | None


@dataclass(frozen=True)
class CallFacts:
    """Everything the guard rails and the claim read about an account before a call starts."""

    name: str
    kind: str
    country: str
    region: str | None
    timezone: str | None
    phone: str | None
    do_not_call: bool
    cease_contact: bool
    lawyer_represented: bool
    on_hold: bool
    hold_reason: str | None
    contact: ContactFacts | None
    contact_phones: list[str | None]
    past_calls: list[PastCallRow]
    on_account: OpenCallSeen | None  # someone's open call on this account
    mine: OpenCallSeen | None  # this user's open call, on any account


@dataclass(frozen=True)
class NewCall:
    """The call a claim writes, and the override entry to log with it (``summary`` None: none)."""

    customer_id: int
    contact_id: int | None
    user_id: int
    phone: str | None
    started_at: datetime
    override_reason: str | None
    summary: str | None = None
    details: dict[str, Any] | None = None


@dataclass(frozen=True)
class ClaimOutcome:
    """A claim's answer: the new call's id, or the open calls seen in its way (none when the one
    that refused it has closed since)."""

    call_id: int | None
    in_the_way: list[OpenCallSeen]


def _instant(value: Any) -> datetime:
    """A stored naive UTC instant (SQLite hands back text) as an aware datetime."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC)


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _seen(call_id: Any, user_id: Any, user: Any, customer_id: Any, customer: Any, at: Any) -> OpenCallSeen | None:
    if call_id is None:
        return None
    return OpenCallSeen(int(call_id), int(user_id), str(user), int(customer_id), str(customer), _instant(at))


def _facts(row: Sequence[Any], phones: list[Any], past: list[PastCallRow], customer_id: int, user_id: int) -> CallFacts:
    contact = (
        None if row[11] is None else ContactFacts(int(row[11]), str(row[12]), row[13], bool(row[14]), bool(row[15]))
    )
    return CallFacts(
        name=row[0],
        kind=row[1],
        country=row[2],
        region=row[3],
        timezone=row[4],
        phone=row[5],
        do_not_call=bool(row[6]),
        cease_contact=bool(row[7]),
        lawyer_represented=bool(row[8]),
        on_hold=bool(row[9]),
        hold_reason=row[10],
        contact=contact,
        contact_phones=phones,
        past_calls=past,
        on_account=_seen(row[16], row[17], row[18], customer_id, row[0], row[19]),
        mine=_seen(row[20], user_id, "", row[21], row[22], row[23]),
    )


def _naive(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(tzinfo=None)


def _typed(sql: str) -> TextClause:
    """The statement for SQLite, its instants written and compared as every other path stores them."""
    statement = text(sql)
    instants = [bindparam(name, type_=UTCDateTime()) for name in ("at", "since") if f":{name}" in sql]
    return statement.bindparams(*instants) if instants else statement


_DRIVER_SQL: dict[str, str] = {}


def _driver_sql(engine: Engine, sql: str) -> str:
    """The statement in the driver's own parameter style (compiled once)."""
    compiled = _DRIVER_SQL.get(sql)
    if compiled is None:
        compiled = _DRIVER_SQL[sql] = text(sql).compile(dialect=engine.dialect).string
    return compiled


def _claim_params(call: NewCall) -> dict[str, Any]:
    return {
        "customer": call.customer_id,
        "contact": call.contact_id,
        "user": call.user_id,
        "phone": call.phone,
        "at": call.started_at,
        "reason": call.override_reason,
        "summary": None if call.summary is None else call.summary[:500],
        "details": None if call.details is None else json.dumps(call.details),
    }


def _in_the_way(rows: Sequence[Sequence[Any]]) -> list[OpenCallSeen]:
    return [seen for row in rows if (seen := _seen(*row)) is not None]


class ClaimLink:
    """What a claim reads and writes through: on PostgreSQL one pooled connection's own driver, in
    autocommit, for the read and the claim alike; on SQLite the engine."""

    def __init__(self, engine: Engine, driver: Any = None) -> None:
        self.engine = engine
        self.driver = driver

    def read_facts(self, customer_id: int, contact_id: int | None, user_id: int, since: datetime) -> CallFacts | None:
        """What the guard rails and the claim need about ``customer_id`` (None: no such account)."""
        params: dict[str, Any] = {"customer": customer_id, "contact": contact_id, "user": user_id}
        if self.driver is not None:
            params["since"] = _naive(since)
            row = self.driver.execute(_driver_sql(self.engine, _PG_FACTS), params, prepare=True).fetchone()
            if row is None:
                return None
            past = [PastCallRow(_instant(at), right, code) for at, right, code in zip(*row[25:28], strict=True)]
            return _facts(row, list(row[24]), past, customer_id, user_id)
        params["since"] = since
        with self.engine.connect() as connection:
            found = connection.execute(_typed(_SQLITE_FACTS), params).first()
            if found is None:
                return None
            phones = list(connection.execute(_typed(_PHONES), params).scalars())
            past = [
                PastCallRow(_instant(at), _flag(right), code)
                for at, right, code in connection.execute(_typed(f"SELECT {', '.join(_PAST_COLUMNS)} {_PAST}"), params)
            ]
        return _facts(tuple(found), phones, past, customer_id, user_id)

    def claim(self, call: NewCall) -> ClaimOutcome:
        """Write the call unless an open call on the account or by the user is in the way (the
        unique indexes decide a race): its id, or the open calls in the way."""
        params = _claim_params(call)
        if self.driver is not None:
            params["at"] = _naive(call.started_at)
            rows = self.driver.execute(_driver_sql(self.engine, _PG_CLAIM), params, prepare=True).fetchall()
            if rows and rows[0][0] is not None:
                return ClaimOutcome(int(rows[0][0]), [])
            seen = _in_the_way([row[1:] for row in rows])
            if not seen:
                # Refused by a call that was not committed when the claim began (the claim waited
                # for it): a second look, on a snapshot of its own, sees it.
                look = _driver_sql(self.engine, _OPEN_CALLS)
                seen = _in_the_way(self.driver.execute(look, params, prepare=True).fetchall())
            return ClaimOutcome(None, seen)
        with self.engine.begin() as connection:
            row = connection.execute(_typed(_INSERT_CALL), params).first()
            if row is not None and call.summary is not None:
                connection.execute(
                    insert(Activity),
                    {
                        "at": call.started_at,
                        "kind": "override",
                        "summary": params["summary"],
                        "customer_id": call.customer_id,
                        "user_id": call.user_id,
                        "call_id": row[0],
                        "details": call.details,
                    },
                )
            seen = [] if row is not None else _in_the_way(connection.execute(_typed(_OPEN_CALLS), params).all())
        return ClaimOutcome(None if row is None else int(row[0]), seen)


@contextmanager
def claim_link(engine: Engine) -> Iterator[ClaimLink]:
    """A link for one claim (or one read); the driver's errors reach the caller as SQLAlchemy's, as
    on every other path, and a connection the server dropped is not handed out again."""
    if engine.dialect.name != "postgresql":
        yield ClaimLink(engine)
        return
    import psycopg

    pooled = engine.raw_connection()
    driver: Any = pooled.driver_connection
    driver.autocommit = True
    try:
        yield ClaimLink(engine, driver)
    except psycopg.Error as exc:
        if driver.broken:
            pooled.invalidate(exc)
        raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc
    finally:
        if not driver.closed:
            driver.autocommit = False
        pooled.close()


def read_call_facts(
    engine: Engine, customer_id: int, contact_id: int | None, user_id: int, since: datetime
) -> CallFacts | None:
    """What the guard rails need about ``customer_id``, read on a link of its own."""
    with claim_link(engine) as link:
        return link.read_facts(customer_id, contact_id, user_id, since)
