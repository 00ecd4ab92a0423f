"""The owner's update: each closed call summarised, a day's calls gathered per sales rep and sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from collectdesk.domain.clock import Clock
from collectdesk.services.calls import CallOutcome, close_call, start_call
from collectdesk.services.context import AppContext
from collectdesk.services.digest import NO_OWNER, build_digests, send_digests
from collectdesk.services.promises import PromiseInput
from ledger_fixtures import add_contact, add_customer, add_invoice
from mail_server import SmtpServer
from reminder_fixtures import open_as, reminder_settings

TODAY = date(2026, 11, 23)


def _call(ctx: AppContext, customer: int, contact: int | None, outcome: CallOutcome) -> None:
    call = start_call(ctx, customer, contact_id=contact)
    close_call(ctx, call.id, outcome)


@pytest.fixture
def day_of_calls(ctx: AppContext) -> AppContext:
    """Three calls for two sales reps and one for an account with none."""
    acme = add_customer(ctx, ref="ACME", name="Acme Corp", sales_rep="Sam Rep")
    add_invoice(ctx, acme, 100_000)
    _call(
        ctx,
        acme,
        add_contact(ctx, acme, name="Pat Lee"),
        CallOutcome(
            "PTP",
            payment_asked=True,
            promise=PromiseInput(60_000, date(2026, 11, 30), "ach"),
            notes="Happy with the work; cash tight until month end",
        ),
    )
    bolt = add_customer(ctx, ref="BOLT", name="Bolt Ltd", sales_rep="Sam Rep")
    invoice = add_invoice(ctx, bolt, 50_000)
    _call(
        ctx,
        bolt,
        add_contact(ctx, bolt, name="Ann Cho"),
        CallOutcome(
            "DISPUTE", payment_asked=True, dispute_invoice_ids=[invoice], dispute_reason="Second visit never happened"
        ),
    )
    cog = add_customer(ctx, ref="COG", name="Cog Inc", sales_rep="Kim Owner")
    add_invoice(ctx, cog, 20_000)
    _call(ctx, cog, None, CallOutcome("NOPROMISE", payment_asked=True, no_promise_reason="needs approval"))
    dot = add_customer(ctx, ref="DOT", name="Dot Co")
    add_invoice(ctx, dot, 10_000)
    _call(ctx, dot, None, CallOutcome("NOANSWER"))
    return ctx


def test_each_call_is_summarised_and_grouped_by_sales_rep(day_of_calls: AppContext) -> None:
    digests = build_digests(day_of_calls, TODAY)
    assert [d.owner for d in digests] == ["Kim Owner", "Sam Rep", NO_OWNER]
    sam = digests[1]
    assert (len(sam.calls), sam.reached, sam.promises, sam.disputes) == (2, 2, 1, 1)
    assert sam.promised_text() == "$600.00"
    ptp, dispute = sam.calls
    assert ptp.reached == "Pat Lee" and ptp.promise == "$600.00 by 2026-11-30 (ach)"
    assert ptp.said == "Happy with the work; cash tight until month end"
    assert dispute.dispute == "Second visit never happened" and dispute.promise is None
    text = sam.text()
    assert "Collections update for Sam Rep — 2026-11-23" in text
    assert "Calls made: 2 · reached: 2 · promised: 1 ($600.00) · disputes and concerns: 1" in text
    assert "no promise: needs approval" in digests[0].text()
    assert "not reached" in digests[2].text() and "no promise: the customer was not reached" in digests[2].text()
    assert build_digests(day_of_calls, date(2026, 11, 22)) == []


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


def test_digests_are_emailed_to_each_owner_or_written_to_a_file(
    day_of_calls: AppContext, db_url: str, frozen_clock: Clock, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings = reminder_settings(tmp_path / "outbox", smtp.port)
    settings.digest_recipients = {"Sam Rep": "sam@example.test"}
    ctx = open_as(db_url, settings, frozen_clock)
    try:
        deliveries = send_digests(ctx, build_digests(ctx, TODAY))
    finally:
        ctx.close()
    assert [(d.owner, d.to) for d in deliveries] == [
        ("Kim Owner", None),
        ("Sam Rep", "sam@example.test"),
        (NO_OWNER, None),
    ]
    (message,) = smtp.inbox.messages
    assert message["To"] == "sam@example.test"
    assert message["Subject"] == "Collections update for Sam Rep — 2026-11-23"
    assert "Acme Corp (ACME) — PTP" in smtp.inbox.bodies()[0]
    written = tmp_path / "outbox" / "digests" / "digest-2026-11-23-Kim-Owner.txt"
    assert "Cog Inc (COG)" in written.read_text(encoding="utf-8")


def test_to_sends_every_digest_to_one_address(
    day_of_calls: AppContext, db_url: str, frozen_clock: Clock, tmp_path: Path, smtp: SmtpServer
) -> None:
    ctx = open_as(db_url, reminder_settings(tmp_path / "outbox", smtp.port), frozen_clock)
    try:
        send_digests(ctx, build_digests(ctx, TODAY), to="boss@example.test")
    finally:
        ctx.close()
    assert [m["To"] for m in smtp.inbox.messages] == ["boss@example.test"] * 3
