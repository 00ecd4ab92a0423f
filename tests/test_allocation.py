"""Payment allocation: named invoice first, then oldest; never more than paid or owed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collectdesk.domain.allocation import OpenItem, allocate

BASE = date(2026, 1, 1)


def item(invoice_id: int, due_offset: int, open_amount: int, number: str | None = None) -> OpenItem:
    return OpenItem(invoice_id, number or f"INV-{invoice_id}", BASE + timedelta(days=due_offset), open_amount)


items_strategy = st.lists(
    st.builds(lambda i, d, a: (i, d, a), st.integers(1, 10_000), st.integers(0, 400), st.integers(0, 1_000_000)),
    max_size=12,
    unique_by=lambda t: t[0],
).map(lambda rows: [item(i, d, a) for i, d, a in rows])


@given(st.integers(1, 5_000_000), items_strategy)
def test_never_applies_more_than_paid_or_owed(amount: int, items: list[OpenItem]) -> None:
    result = allocate(amount, items)
    owed = {i.invoice_id: i.open_amount for i in items}
    assert result.applied + result.unapplied == amount
    assert result.applied <= min(amount, sum(owed.values()))
    assert all(0 < part <= owed[invoice_id] for invoice_id, part in result.parts)
    assert len({invoice_id for invoice_id, _ in result.parts}) == len(result.parts)


@given(st.integers(1, 5_000_000), items_strategy)
def test_oldest_invoices_are_paid_off_first(amount: int, items: list[OpenItem]) -> None:
    result = allocate(amount, items)
    by_id = {i.invoice_id: i for i in items}
    paid = dict(result.parts)
    touched = [by_id[invoice_id] for invoice_id, _ in result.parts]
    assert touched == sorted(touched, key=lambda i: (i.due_date, i.number, i.invoice_id))
    # Every invoice except the last one touched is paid in full.
    for invoice in touched[:-1]:
        assert paid[invoice.invoice_id] == invoice.open_amount
    if result.unapplied:
        assert result.applied == sum(i.open_amount for i in items)


@given(st.integers(1, 5_000_000), items_strategy, st.data())
def test_named_invoice_is_paid_first(amount: int, items: list[OpenItem], data: st.DataObject) -> None:
    open_items = [i for i in items if i.open_amount > 0]
    if not open_items:
        return
    named = data.draw(st.sampled_from(open_items))
    result = allocate(amount, items, named_invoice_id=named.invoice_id)
    assert result.parts[0] == (named.invoice_id, min(amount, named.open_amount))


def test_overpayment_leaves_credit_and_partial_payment_leaves_balance() -> None:
    invoices = [item(1, 30, 10_000), item(2, 0, 5_000), item(3, 60, 2_000)]
    assert allocate(7_000, invoices).parts == ((2, 5_000), (1, 2_000))
    over = allocate(20_000, invoices)
    assert over.parts == ((2, 5_000), (1, 10_000), (3, 2_000))
    assert over.unapplied == 3_000


def test_same_due_date_goes_by_invoice_number() -> None:
    invoices = [item(1, 5, 100, "B-2"), item(2, 5, 100, "A-9")]
    assert allocate(150, invoices).parts == ((2, 100), (1, 50))


def test_payment_must_be_positive() -> None:
    with pytest.raises(ValueError):
        allocate(0, [item(1, 0, 100)])
