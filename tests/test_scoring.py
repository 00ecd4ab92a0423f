"""The toughness score: its formulas, and that it never drops when an account gets tougher."""

from __future__ import annotations

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from account_factory import NOW, TODAY, add_customer, add_invoice, add_promise
from collectdesk.domain.clock import Clock
from collectdesk.domain.scoring import components, explain, total
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.worklist import score_account
from collectdesk.settings import ScoringWeights, Settings


def test_components_apply_weights_and_caps() -> None:
    weights = ScoringWeights(per_day_past_due=2.0, max_days_counted=30)
    dpd = next(c for c in components(weights) if c.key == "dpd")
    assert dpd.points(10) == 20.0
    assert dpd.points(100) == 60.0  # capped at 30 days


def test_explain_lists_non_zero_points_compactly() -> None:
    assert explain({"dpd": 45.0, "bal": 12.5, "broken": 0.0, "late": 40.0}) == "dpd 45 + bal 12.5 + late 40"
    assert explain({"dpd": 0.0}) == "0"
    assert total({"dpd": 45.0, "bal": 12.5}) == 57.5


def test_breakdown_adds_up_to_the_score(ctx: AppContext) -> None:
    customer = add_customer(ctx, "A", failed_attempts=3, stage="follow_up")
    add_invoice(ctx, customer, days_past_due=45, amount=1_200_000)
    add_invoice(ctx, customer, days_past_due=200, paid_days_after_due=9)
    add_promise(ctx, customer, promised_on=TODAY - timedelta(days=20), status="broken")
    row = score_account(ctx, customer)
    assert row is not None
    assert row.breakdown == {
        "dpd": 45.0,
        "bal": 24.0,
        "broken": 40.0,
        "attempts": 24.0,
        "stage": 15.0,
        "referral": 0.0,
        "late": 5.0,
        "promise": 0.0,
        "callback": 0.0,
    }
    assert row.score == total(row.breakdown) == 153.0


def test_balance_points_use_the_accounts_own_currency(ctx: AppContext) -> None:
    yen = add_customer(ctx, "JP", currency="JPY", country="JP")
    add_invoice(ctx, yen, days_past_due=1, amount=50_000, currency="JPY")  # ¥50,000
    dollars = add_customer(ctx, "US")
    add_invoice(ctx, dollars, days_past_due=1, amount=5_000_000)  # $50,000
    yen_row, dollar_row = score_account(ctx, yen), score_account(ctx, dollars)
    assert yen_row is not None and dollar_row is not None
    assert yen_row.breakdown["bal"] == 100.0  # 50 thousand × 2 points
    assert dollar_row.breakdown["bal"] == 100.0


_TEMPLATE: dict[str, Path] = {}


def _fresh_database() -> str:
    """A migrated, empty SQLite file (copied from a template, so each example is quick)."""
    if "db" not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp())
        url = f"sqlite:///{folder / 'template.db'}"
        open_context(
            db_url=url, user_name="tester", settings=Settings(), clock=Clock(today_override=TODAY, frozen_at=NOW)
        ).close()
        _TEMPLATE["db"] = folder / "template.db"
    target = Path(tempfile.mkdtemp()) / "example.db"
    shutil.copyfile(_TEMPLATE["db"], target)
    return f"sqlite:///{target}"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    days=st.integers(1, 400),
    amount=st.integers(1, 50_000_000),
    broken=st.integers(0, 4),
    attempts=st.integers(0, 12),
    more_days=st.integers(0, 200),
    more_amount=st.integers(0, 50_000_000),
    more_broken=st.integers(0, 3),
)
def test_score_never_drops_when_an_account_gets_tougher(
    days: int, amount: int, broken: int, attempts: int, more_days: int, more_amount: int, more_broken: int
) -> None:
    ctx = open_context(
        db_url=_fresh_database(),
        user_name="tester",
        settings=Settings(),
        clock=Clock(today_override=TODAY, frozen_at=NOW),
    )
    try:

        def account(ref: str, days: int, amount: int, broken: int) -> float:
            customer = add_customer(ctx, ref, failed_attempts=attempts)
            add_invoice(ctx, customer, days_past_due=days, amount=amount)
            for n in range(broken):
                add_promise(ctx, customer, promised_on=TODAY - timedelta(days=10 + n), status="broken")
            row = score_account(ctx, customer)
            assert row is not None
            return row.score

        base = account("BASE", days, amount, broken)
        assert account("DAYS", days + more_days, amount, broken) >= base
        assert account("AMOUNT", days, amount + more_amount, broken) >= base
        assert account("BROKEN", days, amount, broken + more_broken) >= base
    finally:
        ctx.close()
