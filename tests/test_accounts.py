"""The account detail and the account search the desk is built on (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from collectdesk.domain.errors import InputError
from collectdesk.domain.escalation import render_next_step
from collectdesk.services.accounts import account_detail, add_note, callable_now, search_accounts
from collectdesk.services.context import AppContext
from collectdesk.store.models import Activity
from desk_data import Portfolio, build_portfolio


@pytest.fixture
def built(ctx: AppContext) -> Portfolio:
    return build_portfolio(ctx)


def test_header_shows_people_terms_stage_and_next_step(ctx: AppContext, built: Portfolio) -> None:
    detail = account_detail(ctx, built.customers["C001"])
    assert (detail.name, detail.terms_days, detail.collector, detail.sales_rep) == (
        "Acme Tools Inc",
        30,
        "carol",
        "Sam Rep",
    )
    assert detail.stage == "management"
    assert detail.next_step == render_next_step("management", sales_rep="Sam Rep", agency_days=90)
    assert detail.next_step
    alice = next(c for c in detail.contacts if c.name == "Alice Payable")
    assert alice.phone_display == "(212) 555-0101"
    assert alice.local_time == "10:00"  # 15:00 UTC is 10:00 in New York
    assert alice.callable_now is True


def test_contact_outside_calling_hours_is_marked(ctx: AppContext, built: Portfolio) -> None:
    koala = account_detail(ctx, built.customers["C003"])
    (jack,) = koala.contacts
    assert jack.phone_display == "(02) 9374 4000"
    assert jack.local_time == "02:00"
    assert jack.callable_now is False
    marks = callable_now(ctx, [built.customers["C003"], built.customers["C002"]])
    assert marks[built.customers["C003"]].callable is False
    assert marks[built.customers["C002"]].callable is True
    assert marks[built.customers["C002"]].local_time == "15:00"


def test_open_invoices_show_days_past_due(ctx: AppContext, built: Portfolio) -> None:
    detail = account_detail(ctx, built.customers["C001"])
    assert [(i.number, i.days_past_due) for i in detail.invoices] == [("INV-1001", 83), ("INV-1002", 39)]
    assert detail.open_balance == detail.overdue == 1_250_000


def test_history_is_newest_first_with_promise_status_and_payments(ctx: AppContext, built: Portfolio) -> None:
    acme = account_detail(ctx, built.customers["C001"])
    kinds = [entry.kind for entry in acme.history]
    assert kinds == ["escalation", "call", "call", "promise"]
    assert [e.at for e in acme.history] == sorted((e.at for e in acme.history), reverse=True)
    assert "broken" in acme.history[-1].summary
    assert "promised to pay after month end" in acme.history[2].summary
    bright = account_detail(ctx, built.customers["C002"])
    assert any(e.kind == "payment" and "£1,800.00" in e.summary and "BACS-77" in e.summary for e in bright.history)
    assert len(account_detail(ctx, built.customers["C001"], history_limit=2).history) == 2


def test_unknown_account_is_a_clear_error(ctx: AppContext, built: Portfolio) -> None:
    with pytest.raises(InputError, match="no account"):
        account_detail(ctx, 999_999)


@pytest.mark.parametrize("query", ["tools", "ACME", "C001", "inv-1001"])
def test_search_by_name_ref_or_invoice(ctx: AppContext, built: Portfolio, query: str) -> None:
    hits = search_accounts(ctx, query)
    assert [h.ref for h in hits] == ["C001"]


@pytest.mark.parametrize("typed", ["(312) 555-0104", "312-555-0104", "+1 312 555 0104", "13125550104", "5550104"])
def test_search_by_phone_finds_accounts_not_on_todays_list(ctx: AppContext, built: Portfolio, typed: str) -> None:
    hits = search_accounts(ctx, typed)
    assert [h.ref for h in hits] == ["C004"]
    assert hits[0].next_action_on is not None  # not due today: not on the list, still found
    assert hits[0].matched == "phone (312) 555-0104"


def test_search_by_national_uk_number_and_customer_main_number(ctx: AppContext, built: Portfolio) -> None:
    assert [h.ref for h in search_accounts(ctx, "020 7946 0000")] == ["C002"]
    assert [h.ref for h in search_accounts(ctx, "(305) 555-0105")] == ["C005"]


def test_search_finds_nothing_for_blank_or_unknown(ctx: AppContext, built: Portfolio) -> None:
    assert search_accounts(ctx, "   ") == []
    assert search_accounts(ctx, "no such customer") == []
    assert search_accounts(ctx, "100%") == []  # LIKE wildcards are taken literally


def test_search_reports_open_balance(ctx: AppContext, built: Portfolio) -> None:
    (hit,) = search_accounts(ctx, "Brightside")
    assert (hit.open_balance, hit.currency) == (300_000, "GBP")


def test_add_note_appends_one_timeline_entry(ctx: AppContext, built: Portfolio) -> None:
    customer_id = built.customers["C005"]
    assert add_note(ctx, customer_id, "   ") is None
    add_note(ctx, customer_id, "  owner is on holiday until the 30th ")
    with ctx.db.session() as session:
        notes = session.scalars(select(Activity).where(Activity.kind == "note")).all()
        assert [(n.customer_id, n.summary) for n in notes] == [(customer_id, "owner is on holiday until the 30th")]
    assert account_detail(ctx, customer_id).history[0].kind == "note"
