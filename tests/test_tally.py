"""The tally service: every figure of a small hand-built portfolio, worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.periods import period_for
from collectdesk.services.tally import Tally, compute_tally
from collectdesk.settings import ReceivablesRules, Settings
from tally_fixtures import PROMISE_PAYMENTS, build_portfolio, d


@pytest.fixture
def november(ctx: AppContext) -> Tally:
    """The tally for November 2026 as of today (Monday 23 November): the period ends today."""
    build_portfolio(ctx)
    return compute_tally(ctx, date_from=d(11, 1), date_to=d(11, 30), by_collector=True)


def test_period_runs_to_as_of(november: Tally) -> None:
    assert november.as_of == d(11, 23)
    assert november.period_end == d(11, 23)
    assert november.days == 23


def test_promise_tally_overall(november: Tally) -> None:
    p = november.promises
    # Made in the period: P1 P2 P3 P4 P5 P6 P7 P9 (P8 was made in October). P5 is in EUR.
    assert p.made == 8
    assert p.made_amount == 30_000 + 50_000 + 20_000 + 40_000 + 10_000 + 15_000 + 8_000
    assert (p.kept, p.kept_amount) == (3, 30_000 + 8_000)  # P1 P5 P9; P5's amount is in EUR
    assert (p.partially_kept, p.partially_kept_amount, p.partially_kept_paid) == (1, 20_000, 10_000)
    assert (p.broken, p.broken_amount) == (1, 50_000)  # P2
    assert (p.open, p.open_amount) == (2, 40_000 + 15_000)  # P4, P7
    assert (p.cancelled, p.cancelled_amount) == (1, 10_000)  # P6
    # Matured (broken-on before Nov 23, not cancelled): P1 P2 P3 P5; kept among them: P1 P5.
    # P7's broken-on date is today: a payment today still keeps it, so it is open, not matured.
    assert p.matured == 4
    assert p.kept_rate == pytest.approx(2 / 4)
    # "Collected" is what the ledger's payments paid towards the promises (USD: P1 P3 P9).
    assert p.collected == PROMISE_PAYMENTS["P1"] + PROMISE_PAYMENTS["P3"] + PROMISE_PAYMENTS["P9"] == 48_000


def test_promise_tally_per_collector(november: Tally) -> None:
    by_name = {row.collector: row for row in november.promises_by_collector}
    assert list(by_name) == ["alice", "bob", "carol"]
    alice, bob, carol = by_name["alice"], by_name["bob"], by_name["carol"]
    assert (alice.made, alice.made_amount) == (5, 30_000 + 50_000 + 20_000 + 15_000 + 8_000)
    assert (alice.kept, alice.broken, alice.partially_kept, alice.open) == (2, 1, 1, 1)
    assert alice.kept_rate == pytest.approx(1 / 3)  # matured P1 P2 P3, kept P1
    assert (bob.made, bob.made_amount) == (3, 40_000 + 10_000)  # P5 counted, its EUR left out
    assert (bob.kept, bob.open, bob.cancelled) == (1, 1, 1)
    assert bob.kept_rate == pytest.approx(1 / 1)  # matured: P5 only
    assert carol.made == 0 and carol.kept_rate is None
    assert alice.made + bob.made + carol.made == november.promises.made


def test_activity(november: Tally) -> None:
    a = november.activity
    assert a.calls == 7  # K1–K7; K8 was in October; K7 is still going
    assert a.right_party == 5  # K1 K2 K4 K5 K6
    assert a.ptp_calls == 4  # K1 K2 K4 K5
    assert a.rpc_rate == pytest.approx(5 / 7)
    assert a.ptp_rate == pytest.approx(4 / 5)
    assert a.talk_seconds == 300 + 600 + 60 + 270 + 480 + 180  # closed calls only
    assert a.promised_amount == november.promises.made_amount
    assert a.collected_amount == 48_000
    assert a.collected_per_hour == round(48_000 * 3600 / 1890)


def test_activity_per_collector(november: Tally) -> None:
    by_name = {row.collector: row for row in november.activity_by_collector}
    alice, bob, carol = by_name["alice"], by_name["bob"], by_name["carol"]
    assert (alice.calls, alice.right_party, alice.ptp_calls) == (4, 3, 3)
    assert alice.talk_seconds == 300 + 600 + 60 + 270
    assert alice.collected_per_hour == round(48_000 * 3600 / 1230)
    assert (bob.calls, bob.right_party, bob.ptp_calls, bob.talk_seconds) == (3, 2, 1, 480 + 180)
    assert bob.ptp_rate == pytest.approx(1 / 2)
    assert carol.calls == 0 and carol.rpc_rate is None and carol.collected_per_hour is None


def test_aging_buckets(november: Tally) -> None:
    r = november.receivables
    assert r.currency == "USD"  # 5 open USD invoices (the written-off one left out) against 1 EUR
    assert [(b.label, b.amount) for b in r.buckets] == [
        ("current", 50_000),  # I2 due Dec 5
        ("1–30", 60_000),  # I1: 100,000 − 40,000 paid, due Oct 31 → 23 days
        ("31–60", 0),
        ("61–90", 200_000),  # I3 due Aug 31 → 84 days
        ("90+", 80_000 + 30_000),  # I4 (145 days, at the agency) and I5 (101 days)
    ]
    assert r.total_ar == 420_000 and r.current_ar == 50_000 and r.overdue_ar == 370_000


def test_dso_cei(november: Tally) -> None:
    r = november.receivables
    days = 23  # Nov 1 – Nov 23
    sales = 50_000 + 150_000  # I2 and I11 issued in the period
    opening = 100_000 + 200_000 + 80_000 + 30_000 + 40_000  # as of Oct 31: I1 I3 I4 I5 I6
    closing, closing_current = 420_000, 50_000
    assert (r.credit_sales, r.opening_ar, r.closing_ar) == (sales, opening, closing)
    assert r.dso == pytest.approx(closing / sales * days)  # 48.3
    assert r.best_possible_dso == pytest.approx(closing_current / sales * days)  # 5.75
    assert r.average_days_delinquent == pytest.approx(48.3 - 5.75)
    months = days / 30.4375
    expected_cei = (opening + sales / months - closing) / (opening + sales / months - closing_current) * 100
    assert r.cei == pytest.approx(expected_cei)
    assert r.cei == pytest.approx(44.33, abs=0.01)


def test_collected_within_30_days(november: Tally) -> None:
    r = november.receivables
    # Invoices whose due date + 30 falls in Nov 1–23 are those due Oct 2 – Oct 24: I6 and I7.
    assert r.within_30_due == 40_000 + 60_000
    assert r.within_30_paid == 60_000  # I7 paid Oct 20 (≤ Nov 4); I6 paid Nov 20 (> Nov 15)
    assert r.within_30_share == pytest.approx(0.6)
    assert r.within_30_goal == pytest.approx(0.70)
    assert r.meets_goal is False


def test_accounts_stage_agency_toughest(november: Tally) -> None:
    assert november.accounts_per_stage == {
        "reminder": 1,
        "follow_up": 1,
        "sales_rep": 0,
        "management": 0,
        "legal": 1,
        "agency": 1,
    }
    # C2's oldest open invoice (I5, due Aug 14) is 101 ≥ 90 days past due; C3 is at the agency.
    assert november.agency_ready_count == 1
    (ready,) = november.agency_ready
    assert (ready.ref, ready.days_past_due, ready.overdue) == ("C2", 101, 200_000 + 30_000)
    # The attack list is the top of the worklist (toughest first) with something overdue.
    assert november.toughest_source == "worklist toughness score"
    assert {a.ref for a in november.toughest} == {"C1", "C2", "C4"}  # C5 owes nothing; C3: agency
    c2 = november.toughest[0]
    assert (c2.ref, c2.overdue, c2.days_past_due, c2.oldest_due_on) == ("C2", 230_000, 101, d(8, 14))
    scores = [a.score or 0 for a in november.toughest]
    assert scores == sorted(scores, reverse=True)


def test_other_currencies_listed_apart(november: Tally) -> None:
    (eur,) = november.other_currencies
    assert (eur.currency, eur.promised, eur.kept_amount, eur.collected) == ("EUR", 25_000, 25_000, 25_000)
    assert (eur.total_ar, eur.overdue_ar) == (70_000, 70_000)  # I8, due Oct 31


def test_broken_promises_to_chase(november: Tally) -> None:
    (p2,) = november.broken_to_chase  # P8 broke too, but was made in October
    assert (p2.customer_ref, p2.amount, p2.unpaid, p2.promised_on, p2.taken_by) == (
        "C2",
        50_000,
        50_000,
        d(11, 10),
        "alice",
    )


def test_trend(november: Tally) -> None:
    assert len(november.trend) == 23
    by_day = {p.day: (p.kept, p.partially_kept, p.broken) for p in november.trend}
    # Broken and partially kept count the day after the broken-on date (the promise rules).
    assert by_day[d(11, 5)] == (0, 0, 1)  # P8
    assert by_day[d(11, 6)] == (1, 0, 0)  # P1
    assert by_day[d(11, 12)] == (1, 0, 0)  # P5
    assert by_day[d(11, 14)] == (0, 0, 1)  # P2
    assert by_day[d(11, 18)] == (0, 1, 0)  # P3
    assert by_day[d(11, 20)] == (1, 0, 0)  # P9, paid the day it was made
    assert sum(k + pk + b for k, pk, b in by_day.values()) == 6  # P6 was cancelled


def test_as_of_an_earlier_day(ctx: AppContext) -> None:
    build_portfolio(ctx)
    tally = compute_tally(ctx, date_from=d(11, 1), date_to=d(11, 30), as_of=d(11, 12))
    p = tally.promises
    assert tally.period_end == d(11, 12)
    assert p.made == 5  # P1 P2 P3 P4 P5: the rest were made after Nov 12
    # P2 broke on Nov 13 and P3 was settled on Nov 17: both were still open on Nov 12.
    assert (p.kept, p.broken, p.partially_kept, p.open) == (2, 0, 0, 3)
    assert p.matured == 1 and p.kept_rate == 1.0  # only P1 (broken-on Nov 9) had fallen due
    assert p.collected == 30_000 + 10_000  # P1, and the 10,000 paid towards P3 on Nov 10
    assert tally.broken_to_chase == []
    assert [(b.label, b.amount) for b in tally.receivables.buckets] == [
        ("current", 50_000),
        ("1–30", 60_000 + 40_000),  # I1 (12 days) and I6, paid only on Nov 20 (27 days)
        ("31–60", 0),
        ("61–90", 200_000 + 30_000),  # I3 (73 days) and I5 (exactly 90 days)
        ("90+", 80_000),  # I4 (134 days)
    ]
    assert tally.agency_ready_count == 1  # I5 is exactly 90 days past due


def test_custom_aging_edges(ctx: AppContext) -> None:
    build_portfolio(ctx)
    ctx.settings = Settings(receivables=ReceivablesRules(aging_edges=[0, 60]))
    tally = compute_tally(ctx, date_from=d(11, 1), date_to=d(11, 30))
    assert [(b.label, b.amount) for b in tally.receivables.buckets] == [
        ("current", 50_000),
        ("1–60", 60_000),
        ("60+", 200_000 + 80_000 + 30_000),
    ]


def test_empty_database_has_no_rates(ctx: AppContext) -> None:
    tally = compute_tally(ctx, date_from=d(11, 1), date_to=d(11, 30))
    assert tally.currency == "USD"
    assert tally.promises.made == 0 and tally.promises.kept_rate is None
    assert tally.activity.rpc_rate is None and tally.activity.ptp_rate is None
    assert tally.activity.collected_per_hour is None
    r = tally.receivables
    assert (r.dso, r.best_possible_dso, r.average_days_delinquent, r.cei) == (None,) * 4
    assert r.within_30_share is None and r.meets_goal is None
    assert r.total_ar == 0 and tally.broken_to_chase == [] and tally.toughest == []
    assert len(tally.trend) == 23 and all(p.kept == p.broken == 0 for p in tally.trend)


def test_without_by_collector_there_are_no_collector_rows(ctx: AppContext) -> None:
    build_portfolio(ctx)
    tally = compute_tally(ctx, date_from=d(11, 1), date_to=d(11, 30))
    assert tally.promises_by_collector == [] and tally.activity_by_collector == []
    assert tally.promises.made == 8


def test_period_presets() -> None:
    monday = date(2026, 11, 23)
    thursday = date(2026, 11, 26)
    assert period_for("today", thursday).date_from == thursday
    week = period_for("week", thursday)
    assert (week.date_from, week.date_to) == (monday, date(2026, 11, 29))
    month = period_for("month", thursday)
    assert (month.date_from, month.date_to, month.days) == (d(11, 1), d(11, 30), 30)
    custom = period_for("custom", thursday, date_from=d(10, 1), date_to=d(10, 31))
    assert custom.days == 31
    with pytest.raises(InputError, match="starts"):
        period_for("custom", thursday, date_from=d(11, 2), date_to=d(11, 1))
    with pytest.raises(InputError, match="needs"):
        period_for("custom", thursday)
    with pytest.raises(InputError, match="unknown period"):
        period_for("year", thursday)


def test_reversed_range_is_refused(ctx: AppContext) -> None:
    with pytest.raises(InputError, match="after it ends"):
        compute_tally(ctx, date_from=d(11, 30), date_to=d(11, 1))
