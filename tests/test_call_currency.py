"""Each call carries its customer's currency: set when written, following the customer's currency,
and what the tally counts the period's calls under."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select, update

from account_factory import NOW, TODAY, add_customer
from collectdesk.services.context import AppContext
from collectdesk.services.tally import compute_tally
from collectdesk.store.derived import bulk_load
from collectdesk.store.models import Call, Customer


def _call(customer: int, user: int) -> dict[str, object]:
    return {
        "customer_id": customer,
        "user_id": user,
        "started_at": NOW - timedelta(hours=1),
        "ended_at": NOW - timedelta(minutes=55),
        "right_party": True,
        "result_code": "NOPROMISE",
        "notes": "",
    }


def _currencies(ctx: AppContext) -> list[str | None]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Call.currency).order_by(Call.id)))


def _calls_by_currency(ctx: AppContext) -> dict[str, int]:
    tally = compute_tally(ctx, date_from=TODAY.replace(day=1), date_to=TODAY)
    return {section.currency: section.activity.calls for section in tally.by_currency if section.activity.calls}


def test_a_call_takes_its_customers_currency_and_follows_it(ctx: AppContext) -> None:
    london = add_customer(ctx, "LON", country="GB", currency="GBP")
    boston = add_customer(ctx, "BOS")
    with ctx.db.session() as session:
        session.execute(insert(Call), [_call(london, ctx.user.id), _call(boston, ctx.user.id)])
    assert _currencies(ctx) == ["GBP", "USD"]
    assert _calls_by_currency(ctx) == {"GBP": 1, "USD": 1}
    with ctx.db.session() as session:  # the books move the London account to euros
        session.execute(update(Customer).where(Customer.id == london).values(currency="EUR"))
    assert _currencies(ctx) == ["EUR", "USD"]
    assert _calls_by_currency(ctx) == {"EUR": 1, "USD": 1}
    with ctx.db.session() as session:  # a call put on the wrong account, moved to the right one
        session.execute(update(Call).where(Call.customer_id == boston).values(customer_id=london))
    assert _currencies(ctx) == ["EUR", "EUR"]
    assert _calls_by_currency(ctx) == {"EUR": 2}


def test_a_bulk_load_works_the_currencies_out_afterwards(ctx: AppContext) -> None:
    tokyo = add_customer(ctx, "TYO", country="JP", currency="JPY")
    with ctx.db.engine.begin() as connection, bulk_load(connection):
        connection.execute(insert(Call), [_call(tokyo, ctx.user.id)] * 3)
    assert _currencies(ctx) == ["JPY"] * 3
