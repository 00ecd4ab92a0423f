"""Agency referral is a supervisor's decision: refer, recall, refusal for collectors, placements."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import pytest
from sqlalchemy import insert, select

from account_factory import NOW, TODAY, add_customer, add_invoice, add_promise
from collectdesk.cli.main import main
from collectdesk.services.access import NotAllowed
from collectdesk.services.accounts import account_detail
from collectdesk.services.agency import PLACEMENT_COLUMNS, placements, recall_account, refer_account
from collectdesk.services.context import AppContext, ensure_user
from collectdesk.services.tally import compute_tally
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.services.worklist import build_worklist
from collectdesk.store.models import Activity, Contact, Customer, Invoice


def _tough(ctx: AppContext) -> tuple[int, int]:
    tough = add_customer(
        ctx,
        "TOUGH",
        name="Tough Trading",
        phone="+12125550100",
        email="ap@tough.example",
        address_street="1 Main St",
        address_city="Springfield",
        address_region="IL",
        address_postal_code="62701",
    )
    add_invoice(ctx, tough, days_past_due=120, amount=250_000, number="T-1")
    add_invoice(ctx, tough, days_past_due=10, amount=50_000, number="T-2")
    add_invoice(ctx, tough, days_past_due=200, amount=10_000, number="T-0", paid_days_after_due=5)
    with ctx.db.session() as session:
        session.execute(
            insert(Contact),
            [
                {
                    "customer_id": tough,
                    "name": "Dana Payables",
                    "role": "AP clerk",
                    "phone": "+12125550101",
                    "email": "dana@tough.example",
                    "created_at": NOW,
                }
            ],
        )
    add_promise(ctx, tough, promised_on=NOW.date().replace(day=1), status="broken")
    easy = add_customer(ctx, "EASY")
    add_invoice(ctx, easy, days_past_due=12)
    bring_up_to_date(ctx)
    return tough, easy


def _refs(ctx: AppContext) -> list[str]:
    return [r.ref for r in build_worklist(ctx)]


def _statuses(ctx: AppContext, customer_id: int) -> dict[str, str]:
    with ctx.db.session() as session:
        rows = session.execute(select(Invoice.number, Invoice.status).where(Invoice.customer_id == customer_id))
        return {number: status for number, status in rows}


def _collector(ctx: AppContext) -> AppContext:
    return replace(ctx, user=ensure_user(ctx.db, "casey", "collector"))


def test_ready_accounts_stay_on_the_list_with_the_final_demand(ctx: AppContext) -> None:
    tough, _ = _tough(ctx)
    assert _refs(ctx) == ["TOUGH", "EASY"]
    detail = account_detail(ctx, tough)
    assert detail.ready_for_referral and detail.stage == "legal"
    assert detail.next_step == (
        "This is our final demand: unless it is paid by Monday 30 November 2026, "
        "we will refer it to a collection agency."
    )
    assert "has been referred" not in detail.next_step
    assert compute_tally(ctx, date_from=TODAY, date_to=TODAY).agency_ready_count == 1


def test_supervisor_refers_an_account_off_the_list_and_into_placements(ctx: AppContext) -> None:
    tough, _ = _tough(ctx)
    result = refer_account(ctx, "TOUGH", reason="no contact since the summer")
    assert (result.invoices, result.amount) == (2, 300_000)
    assert _statuses(ctx, tough) == {"T-0": "paid", "T-1": "agency", "T-2": "agency"}
    assert _refs(ctx) == ["EASY"]
    detail = account_detail(ctx, tough)
    assert detail.stage == "agency" and "has been referred" in detail.next_step
    assert not detail.ready_for_referral
    assert compute_tally(ctx, date_from=TODAY, date_to=TODAY).agency_ready_count == 0
    with ctx.db.session() as session:
        entry = session.scalars(select(Activity).where(Activity.kind == "agency_referral")).one()
    assert entry.user_id == ctx.user.id and "no contact since the summer" in entry.summary
    assert entry.details is not None and entry.details["from"] == "legal"

    rows = [dict(zip(PLACEMENT_COLUMNS, row, strict=True)) for row in placements(ctx)]
    assert [(r["ref"], r["invoice_number"]) for r in rows] == [("TOUGH", "T-1"), ("TOUGH", "T-2")]
    first = rows[0]
    assert first["debtor_name"] == "Tough Trading"
    assert (first["address_street"], first["address_city"], first["address_region"], first["address_postal_code"]) == (
        "1 Main St",
        "Springfield",
        "IL",
        "62701",
    )
    assert (first["original_amount"], first["open_balance"], first["currency"]) == ("2500.00", "2500.00", "USD")
    assert first["days_past_due"] == 120 and first["referred_on"] == "2026-11-23"
    assert "+12125550100" in first["contacts"] and "Dana Payables (AP clerk) +12125550101" in first["contacts"]
    assert "dana@tough.example" in first["contacts"]
    assert first["broken_promises"] == 1 and "1 broken" in first["history"]


def test_a_referred_account_stays_referred_through_upkeep(ctx: AppContext) -> None:
    tough, _ = _tough(ctx)
    refer_account(ctx, "TOUGH")
    bring_up_to_date(ctx)
    with ctx.db.session() as session:
        assert session.get(Customer, tough).stage == "agency"  # type: ignore[union-attr]
    assert _refs(ctx) == ["EASY"]


def test_a_collector_is_refused_and_nothing_changes(ctx: AppContext) -> None:
    tough, _ = _tough(ctx)
    collector = _collector(ctx)
    with pytest.raises(NotAllowed, match=r"for supervisors.*casey is a collector"):
        refer_account(collector, "TOUGH")
    assert _statuses(ctx, tough) == {"T-0": "paid", "T-1": "open", "T-2": "open"}
    assert _refs(ctx) == ["TOUGH", "EASY"]
    refer_account(ctx, "TOUGH")
    with pytest.raises(NotAllowed):
        recall_account(collector, "TOUGH")
    assert _refs(ctx) == ["EASY"]


def test_recall_puts_the_account_back(ctx: AppContext) -> None:
    tough, _ = _tough(ctx)
    refer_account(ctx, "TOUGH")
    result = recall_account(ctx, "TOUGH", reason="the agency returned it")
    assert result.stage == "legal"
    assert _statuses(ctx, tough) == {"T-0": "paid", "T-1": "open", "T-2": "open"}
    assert _refs(ctx) == ["TOUGH", "EASY"]
    assert placements(ctx) == []
    with ctx.db.session() as session:
        kinds = session.scalars(select(Activity.kind).where(Activity.customer_id == tough).order_by(Activity.id))
        assert list(kinds)[-2:] == ["agency_referral", "agency_recall"]


def test_bad_referrals_say_why_and_change_nothing(ctx: AppContext) -> None:
    _tough(ctx)
    from collectdesk.domain.errors import InputError

    with pytest.raises(InputError, match="no account with ref 'NOPE'"):
        refer_account(ctx, "NOPE")
    with pytest.raises(InputError, match="has not been referred"):
        recall_account(ctx, "TOUGH")
    paid = add_customer(ctx, "PAID")
    add_invoice(ctx, paid, days_past_due=100, paid_days_after_due=1)
    with pytest.raises(InputError, match="no open balance"):
        refer_account(ctx, "PAID")
    refer_account(ctx, "TOUGH")
    with pytest.raises(InputError, match="already been referred"):
        refer_account(ctx, "TOUGH")
    assert len(placements(ctx)) == 2


def test_cli_refer_recall_and_placements(
    ctx: AppContext, db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLLECTDESK_TODAY", TODAY.isoformat())
    _tough(ctx)
    ensure_user(ctx.db, "boss", "supervisor")
    ensure_user(ctx.db, "casey", "collector")
    assert main(["--db", db_url, "--user", "casey", "agency", "refer", "TOUGH"]) == 1
    assert "supervisor" in capsys.readouterr().err
    assert _refs(ctx) == ["TOUGH", "EASY"]

    assert main(["--db", db_url, "--user", "boss", "agency", "refer", "TOUGH", "--reason", "final demand ignored"]) == 0
    assert "Referred to a collection agency: TOUGH (Tough Trading): 2 invoices" in capsys.readouterr().out
    assert main(["--db", db_url, "--user", "boss", "agency", "placements"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["invoice_number"] for r in rows] == ["T-1", "T-2"]
    assert list(rows[0]) == list(PLACEMENT_COLUMNS)
    assert main(["--db", db_url, "--user", "casey", "agency", "placements", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[1]["open_balance"] == "500.00"

    assert main(["--db", db_url, "--user", "boss", "agency", "recall", "TOUGH"]) == 0
    assert "Back on the list at legal" in capsys.readouterr().out
    assert _refs(ctx) == ["TOUGH", "EASY"]
