"""Reminders sent to a real SMTP server on 127.0.0.1: what arrives, and that nothing is sent twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select, update

from account_factory import TODAY, add_customer, add_invoice, add_promise
from collectdesk.domain.clock import Clock
from collectdesk.domain.errors import InputError
from collectdesk.services import reminders as reminders_service
from collectdesk.services.accounts import account_detail
from collectdesk.services.context import AppContext
from collectdesk.services.pauses import pause_reminders, set_email_opt_out
from collectdesk.services.reminder_plan import plan_reminders
from collectdesk.services.reminders import deliver_one, previews, release_message, send_reminders
from collectdesk.store.models import Activity, Customer, Invoice, Message, MessageClaim
from mail_server import SmtpServer, free_port
from reminder_fixtures import open_as, reminder_settings, uk_account


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def rctx(db_url: str, frozen_clock: Clock, tmp_path: Path, smtp: SmtpServer) -> Iterator[AppContext]:
    context = open_as(db_url, reminder_settings(tmp_path / "outbox", smtp.port), frozen_clock)
    yield context
    context.close()


def _claims(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return len(session.scalars(select(MessageClaim.key)).all())


def test_overdue_reminder_arrives_with_invoices_balance_and_a_pdf_letter(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(
        rctx, address_street="Unit 4\n1 Mill Lane", address_city="Leeds", address_postal_code="LS1 4AB"
    )
    add_invoice(rctx, customer, days_past_due=3, amount=40_000, number="UK1-INV-2", currency="GBP")

    report = send_reminders(rctx)

    assert [r.outcome for r in report.results] == ["sent"]
    (message,) = smtp.inbox.messages
    assert message["To"] == "hamish@uk1.example"
    assert smtp.inbox.recipients == [["hamish@uk1.example"]]
    assert message["Subject"] == "Reminder: £2,900.00 overdue on account UK1"
    body = smtp.inbox.bodies()[0]
    assert "Dear Hamish Jessup," in body
    assert "UK1-INV-1" in body and "UK1-INV-2" in body
    assert "Balance open: £2,900.00" in body
    letter = Path(report.outbox / "letters")
    (pdf,) = letter.glob("*.pdf")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "UK1 Joinery Ltd" in text and "UK1-INV-1" in text and "£2,900.00" in text
    assert "Unit 4\n1 Mill Lane\nLeeds LS1 4AB\nGB" in text
    history = account_detail(rctx, customer).history
    assert any(h.kind == "reminder" and "hamish@uk1.example" in h.summary and "UK1-INV-1" in h.summary for h in history)


def test_a_second_run_the_same_day_sends_nothing(rctx: AppContext, smtp: SmtpServer) -> None:
    uk_account(rctx)
    send_reminders(rctx)
    again = send_reminders(rctx)
    assert again.results == []
    assert len(smtp.inbox.messages) == 1
    assert plan_reminders(rctx).messages == []


def test_first_run_sends_only_the_latest_step_reached_then_the_next_when_its_day_comes(
    rctx: AppContext, smtp: SmtpServer
) -> None:
    uk_account(rctx, days_past_due=9)  # steps +1 and +7 reached: only +7 goes
    (planned,) = plan_reminders(rctx).messages
    assert "step +7" in planned.reason
    send_reminders(rctx)
    for later in range(1, 5):  # +10 … +13: nothing new
        assert send_reminders(rctx, as_of=TODAY + timedelta(days=later)).results == []
    assert [r.outcome for r in send_reminders(rctx, as_of=TODAY + timedelta(days=5)).results] == ["sent"]  # +14
    assert send_reminders(rctx, as_of=TODAY + timedelta(days=18)).results == []
    assert len(send_reminders(rctx, as_of=TODAY + timedelta(days=19)).results) == 1  # +28: every 14 days
    assert len(smtp.inbox.messages) == 3


def test_courtesy_before_due_and_one_message_per_account_per_day(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx, days_past_due=1)
    add_invoice(rctx, customer, days_past_due=-3, amount=10_000, number="UK1-SOON", currency="GBP")
    (planned,) = plan_reminders(rctx).messages
    assert planned.kind == "overdue"  # the overdue step wins the day; the courtesy waits
    send_reminders(rctx)
    (courtesy,) = plan_reminders(rctx, as_of=TODAY + timedelta(days=1)).messages
    assert courtesy.kind == "courtesy" and "UK1-SOON" in courtesy.reason
    send_reminders(rctx, as_of=TODAY + timedelta(days=1))
    assert smtp.inbox.messages[1]["Subject"] == "Invoice UK1-SOON falls due on 2026-11-26"


def test_paused_account_gets_nothing_until_the_pause_lifts(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    pause_reminders(rctx, "UK1", until=TODAY + timedelta(days=3), reason="owner on holiday")
    plan = plan_reminders(rctx)
    assert plan.messages == []
    assert "paused until 2026-11-26: owner on holiday" in plan.skipped[0].reason
    assert send_reminders(rctx).results == []
    assert send_reminders(rctx, as_of=TODAY + timedelta(days=2)).results == []
    assert smtp.inbox.messages == []
    assert len(send_reminders(rctx, as_of=TODAY + timedelta(days=3)).results) == 1  # lifts itself that day
    assert any(h.kind == "pause" and "owner on holiday" in h.summary for h in account_detail(rctx, customer).history)


def test_pausing_one_invoice_leaves_it_out(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    add_invoice(rctx, customer, days_past_due=8, amount=10_000, number="UK1-QUERY", currency="GBP")
    pause_reminders(rctx, "UK1", invoice_number="UK1-QUERY", until=TODAY + timedelta(days=30), reason="PO query")
    send_reminders(rctx)
    body = smtp.inbox.bodies()[0]
    assert "UK1-INV-1" in body and "UK1-QUERY" not in body


@pytest.mark.parametrize(
    "change, why",
    [
        ({"on_hold": True, "hold_reason": "dispute review"}, "on hold: dispute review"),
        ({"cease_contact": True}, "cease contact"),
        ({"stage": "agency"}, "referred to an agency"),
        ({"lawyer_represented": True}, "represented by a lawyer"),
    ],
)
def test_excluded_accounts_get_nothing_and_the_plan_says_why(
    rctx: AppContext, smtp: SmtpServer, change: dict[str, object], why: str
) -> None:
    customer = uk_account(rctx)
    with rctx.db.session() as session:
        session.execute(update(Customer).where(Customer.id == customer).values(**change))
    plan = plan_reminders(rctx)
    assert plan.messages == [] and why in plan.skipped[0].reason
    assert send_reminders(rctx).results == [] and smtp.inbox.messages == []


def test_email_opt_out_and_fully_disputed_accounts_get_nothing(rctx: AppContext, smtp: SmtpServer) -> None:
    uk_account(rctx, "OPT")
    set_email_opt_out(rctx, "OPT", opted_out=True, reason="asked by phone")
    disputed = uk_account(rctx, "DIS")
    with rctx.db.session() as session:
        session.execute(update(Invoice).where(Invoice.customer_id == disputed).values(status="disputed"))
    plan = plan_reminders(rctx)
    assert plan.messages == []
    assert [s.ref for s in plan.skipped] == ["OPT"] and "opted out of email" in plan.skipped[0].reason
    assert send_reminders(rctx).results == [] and smtp.inbox.messages == []
    set_email_opt_out(rctx, "OPT", opted_out=False)
    assert [m.ref for m in plan_reminders(rctx).messages] == ["OPT"]


def test_open_promise_not_yet_due_holds_back_overdue_reminders(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    add_promise(rctx, customer, promised_on=TODAY + timedelta(days=4))
    plan = plan_reminders(rctx)
    assert plan.messages == [] and "open promise of" in plan.skipped[0].reason
    assert send_reminders(rctx).results == []


def test_broken_promise_gets_the_missed_promise_message(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    add_promise(rctx, customer, promised_on=TODAY - timedelta(days=4), status="broken", amount=120_000, grace_days=3)
    (planned,) = plan_reminders(rctx).messages
    assert planned.kind == "promise_missed"
    send_reminders(rctx)
    assert smtp.inbox.messages[0]["Subject"].startswith("Your payment of $1,200.00 due 2026-11-19 has not arrived")
    assert send_reminders(rctx, as_of=TODAY + timedelta(days=1)).results[0].template != "promise_missed"


def test_uk_business_is_offered_statutory_interest_and_a_consumer_is_not(rctx: AppContext, smtp: SmtpServer) -> None:
    uk_account(rctx, "BIZ", days_past_due=30)
    uk_account(rctx, "CON", days_past_due=30, kind="consumer")
    send_reminders(rctx)
    bodies = dict(zip([m["To"] for m in smtp.inbox.messages], smtp.inbox.bodies(), strict=True))
    business, consumer = bodies["hamish@biz.example"], bodies["hamish@con.example"]
    # £2,500.00 late from 25 Oct 2026; base rate on 30 Jun 2026 3.75 % → 11.75 %: 2,500 × 11.75 % × 30 / 365 = £24.14
    assert "Late Payment of Commercial Debts" in business and "£24.14 interest" in business
    assert "£70.00" in business
    assert "statutory" not in consumer.lower()


def test_no_email_address_means_a_letter_only(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = add_customer(rctx, "POST", currency="USD")
    add_invoice(rctx, customer, days_past_due=8, number="POST-1")
    report = send_reminders(rctx)
    assert [r.outcome for r in report.results] == ["letter"] and smtp.inbox.messages == []
    (pdf,) = (report.outbox / "letters").glob("*POST*.pdf")
    assert "POST-1" in pypdf.PdfReader(pdf).pages[0].extract_text()


def test_two_supervisors_sending_at_once_send_each_reminder_once(
    db_url: str, frozen_clock: Clock, tmp_path: Path, smtp: SmtpServer
) -> None:
    settings = reminder_settings(tmp_path / "outbox", smtp.port)
    first, second = open_as(db_url, settings, frozen_clock, "ann"), open_as(db_url, settings, frozen_clock, "bob")
    try:
        uk_account(first, "A1")
        uk_account(first, "A2")
        plans = [plan_reminders(first), plan_reminders(second)]  # both see the same two due
        items = [previews(first, plans[0]), previews(second, plans[1])]
        outcomes = []
        for mine, theirs in zip(items[0], items[1], strict=True):
            outcomes.append(deliver_one(first, reminders_service.MailTransport(settings), mine, TODAY).outcome)
            outcomes.append(deliver_one(second, reminders_service.MailTransport(settings), theirs, TODAY).outcome)
        assert outcomes == ["sent", "claimed", "sent", "claimed"]
        assert sorted(m["To"] for m in smtp.inbox.messages) == ["hamish@a1.example", "hamish@a2.example"]
    finally:
        first.close()
        second.close()


def test_a_crash_between_sending_and_recording_never_sends_twice(
    rctx: AppContext, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    uk_account(rctx)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # the terminal is killed after the server took the message

    monkeypatch.setattr(reminders_service, "_record_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        send_reminders(rctx)
    monkeypatch.undo()
    assert len(smtp.inbox.messages) == 1
    again = send_reminders(rctx)
    assert again.results == [] and len(smtp.inbox.messages) == 1
    (unconfirmed,) = again.unconfirmed
    # Checked by hand as never delivered: released, the next run sends it.
    release_message(rctx, unconfirmed[0])
    assert len(send_reminders(rctx).results) == 1 and len(smtp.inbox.messages) == 2


def test_a_failed_send_is_reported_and_retried_next_run(db_url: str, frozen_clock: Clock, tmp_path: Path) -> None:
    port = free_port()
    ctx = open_as(db_url, reminder_settings(tmp_path / "outbox", port), frozen_clock)
    try:
        customer = uk_account(ctx)
        failed = send_reminders(ctx)  # nothing listens on the port yet
        assert [r.outcome for r in failed.results] == ["failed"] and "cannot connect" in failed.results[0].detail
        assert _claims(ctx) == 0
        with ctx.db.session() as session:
            kinds = session.scalars(select(Activity.kind).where(Activity.customer_id == customer)).all()
            assert "reminder_failed" in kinds and "reminder" not in kinds
        server = SmtpServer(port).start()
        try:
            assert [r.outcome for r in send_reminders(ctx).results] == ["sent"]
            assert len(server.inbox.messages) == 1
        finally:
            server.stop()
    finally:
        ctx.close()


def test_without_smtp_messages_become_eml_files_in_the_outbox(db_url: str, frozen_clock: Clock, tmp_path: Path) -> None:
    ctx = open_as(db_url, reminder_settings(tmp_path / "outbox"), frozen_clock)
    try:
        uk_account(ctx)
        report = send_reminders(ctx)
        assert report.via == f"the outbox folder {tmp_path / 'outbox'}"
        (result,) = report.results
        assert result.outcome == "written"
        (eml,) = (tmp_path / "outbox").glob("*.eml")
        text = eml.read_text(encoding="utf-8")
        assert "To: hamish@uk1.example" in text and "UK1-INV-1" in text
        assert send_reminders(ctx).results == []
    finally:
        ctx.close()


def test_a_users_own_template_replaces_the_shipped_one(rctx: AppContext, smtp: SmtpServer, tmp_path: Path) -> None:
    own = tmp_path / "config" / "templates" / "email"
    own.mkdir(parents=True)
    (own / "overdue_reminder.txt").write_text(
        "Subject: {{ customer.name }} owes {{ balance.overdue_text }}\n\nPay {{ invoices[0].number }} please.\n",
        encoding="utf-8",
    )
    uk_account(rctx)
    send_reminders(rctx)
    assert smtp.inbox.messages[0]["Subject"] == "UK1 Joinery Ltd owes £2,500.00"
    assert smtp.inbox.bodies()[0].strip() == "Pay UK1-INV-1 please."


def test_a_broken_template_stops_the_run_before_anything_is_sent(
    rctx: AppContext, smtp: SmtpServer, tmp_path: Path
) -> None:
    own = tmp_path / "config" / "templates" / "email"
    own.mkdir(parents=True)
    (own / "overdue_reminder.txt").write_text("Subject: {{ customer.nmae }}\n", encoding="utf-8")
    uk_account(rctx)
    with pytest.raises(InputError, match="nmae"):
        send_reminders(rctx)
    assert smtp.inbox.messages == [] and _claims(rctx) == 0


def test_pause_refuses_bad_input_and_changes_nothing(rctx: AppContext) -> None:
    uk_account(rctx)
    with pytest.raises(InputError, match="after today"):
        pause_reminders(rctx, "UK1", until=TODAY, reason="x")
    with pytest.raises(InputError, match="no invoice"):
        pause_reminders(rctx, "UK1", invoice_number="NOPE", until=date(2027, 1, 1), reason="x")
    with pytest.raises(InputError, match="no account"):
        pause_reminders(rctx, "NOPE", until=date(2027, 1, 1), reason="x")
    with pytest.raises(InputError, match="reason"):
        pause_reminders(rctx, "UK1", until=date(2027, 1, 1), reason="  ")
    assert len(plan_reminders(rctx).messages) == 1
    with rctx.db.session() as session:
        assert session.scalars(select(Message)).all() == []


def test_an_account_ready_for_referral_gets_the_final_demand_once(rctx: AppContext, smtp: SmtpServer) -> None:
    uk_account(rctx, days_past_due=95, stage="legal")
    (planned,) = plan_reminders(rctx).messages
    assert planned.kind == "final_demand" and "ready for agency referral" in planned.reason
    send_reminders(rctx)
    pay_by = (TODAY + timedelta(days=rctx.settings.escalation.final_demand_days)).isoformat()
    assert smtp.inbox.messages[0]["Subject"] == "Final demand: £2,500.00 on account UK1"
    assert f"paid by {pay_by}" in smtp.inbox.bodies()[0]
    for later in (1, 14, 28):
        assert send_reminders(rctx, as_of=TODAY + timedelta(days=later)).results == []


def test_a_euro_letter_prints_the_euro_sign_and_dashes(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = add_customer(rctx, "DE1", name="Müller GmbH — Köln", country="DE", currency="EUR")
    add_invoice(rctx, customer, days_past_due=8, amount=123_450, number="DE1-1", currency="EUR")
    report = send_reminders(rctx)
    assert [r.outcome for r in report.results] == ["letter"]
    (pdf,) = (report.outbox / "letters").glob("*DE1*.pdf")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "€1,234.50" in text and "Müller GmbH — Köln" in text
    assert "EUR 1" not in text and "?" not in text.replace("?\n", "")
