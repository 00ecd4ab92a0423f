"""The tally as data for files: one flat record list (CSV) and one nested document (JSON).

Amounts are major-unit ``Decimal`` values in the reporting currency (other currencies say theirs);
sections named ``promises:AUD``, ``activity:AUD``, ``aging:AUD`` and ``receivables:AUD`` (``by_currency`` in
JSON) hold each currency's own figures, as the supervisor screen shows them;
rates and shares are fractions (0.4 = 40 %); ``None`` means "cannot be computed" (e.g. nothing
matured yet) and is written as an empty CSV cell or JSON ``null``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from collectdesk.domain.money import to_major
from collectdesk.services.receivables import Receivables
from collectdesk.services.tally import ALL, ActivityFigures, CurrencyTally, PromiseFigures, Tally

Value = str | int | float | Decimal | bool | None
RECORD_HEADERS = ("section", "metric", "collector", "value")

PROMISE_COUNTS = (
    "made",
    "dated",
    "kept",
    "partially_kept",
    "broken",
    "open",
    "cancelled",
    "renegotiated",
    "matured",
    "matured_kept",
)
PROMISE_AMOUNTS = (
    "made_amount",
    "kept_amount",
    "partially_kept_amount",
    "partially_kept_paid",
    "broken_amount",
    "open_amount",
    "cancelled_amount",
    "renegotiated_amount",
    "collected",
)


@dataclass(frozen=True)
class TallyRecord:
    """One figure: which section, which metric, whose (``all`` = everyone) and its value."""

    section: str
    metric: str
    collector: str
    value: Value


def major(minor: int | None, currency: str) -> Decimal | None:
    """Minor units as a major-unit decimal (``12345`` USD → ``Decimal('123.45')``)."""
    return None if minor is None else Decimal(to_major(minor, currency))


def _rounded(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def promise_metrics(figures: PromiseFigures, currency: str) -> dict[str, Value]:
    """The promise tally of one row, in a stable order."""
    metrics: dict[str, Value] = {name: getattr(figures, name) for name in PROMISE_COUNTS}
    metrics["kept_rate"] = _rounded(figures.kept_rate)
    for name in PROMISE_AMOUNTS:
        metrics[name] = major(getattr(figures, name), currency)
    return metrics


def activity_metrics(figures: ActivityFigures, currency: str) -> dict[str, Value]:
    """The activity figures of one row, in a stable order."""
    return {
        "calls": figures.calls,
        "right_party_contacts": figures.right_party,
        "ptp_calls": figures.ptp_calls,
        "rpc_rate": _rounded(figures.rpc_rate),
        "ptp_rate_of_rpc": _rounded(figures.ptp_rate),
        "talk_seconds": figures.talk_seconds,
        "amount_promised": major(figures.promised_amount, currency),
        "amount_collected": major(figures.collected_amount, currency),
        "collected_per_talk_hour": major(figures.collected_per_hour, currency),
    }


def receivables_metrics(r: Receivables) -> dict[str, Value]:
    """Receivables health in a stable order (aging buckets are listed apart)."""
    money = {
        name: major(getattr(r, name), r.currency)
        for name in (
            "total_ar",
            "current_ar",
            "overdue_ar",
            "opening_ar",
            "closing_ar",
            "closing_current_ar",
            "credit_sales",
        )
    }
    return {
        **money,
        "days": r.days,
        "months": round(r.months, 4),
        "dso": _rounded(r.dso, 2),
        "best_possible_dso": _rounded(r.best_possible_dso, 2),
        "average_days_delinquent": _rounded(r.average_days_delinquent, 2),
        "cei": _rounded(r.cei, 2),
        "within_30_due": major(r.within_30_due, r.currency),
        "within_30_paid": major(r.within_30_paid, r.currency),
        "within_30_share": _rounded(r.within_30_share),
        "within_30_goal": r.within_30_goal,
        "within_30_meets_goal": r.meets_goal,
    }


def tally_records(tally: Tally) -> list[TallyRecord]:
    """Every figure of the tally as flat records, in a stable order a spreadsheet can pivot."""
    cur = tally.currency
    records = [
        TallyRecord("period", name, ALL, value)
        for name, value in (
            ("from", tally.date_from.isoformat()),
            ("to", tally.date_to.isoformat()),
            ("as_of", tally.as_of.isoformat()),
            ("period_end", tally.period_end.isoformat()),
            ("days", tally.days),
            ("currency", cur),
        )
    ]
    for figures in (tally.promises, *tally.promises_by_collector):
        records += [TallyRecord("promises", k, figures.collector, v) for k, v in promise_metrics(figures, cur).items()]
    for activity in (tally.activity, *tally.activity_by_collector):
        records += [
            TallyRecord("activity", k, activity.collector, v) for k, v in activity_metrics(activity, cur).items()
        ]
    records += [TallyRecord("aging", b.label, ALL, major(b.amount, cur)) for b in tally.receivables.buckets]
    records += [TallyRecord("receivables", k, ALL, v) for k, v in receivables_metrics(tally.receivables).items()]
    records += [TallyRecord("stages", stage, ALL, count) for stage, count in tally.accounts_per_stage.items()]
    records.append(TallyRecord("agency", "ready_for_referral", ALL, tally.agency_ready_count))
    for other in tally.other_currencies:
        records += [
            TallyRecord(f"currency:{other.currency}", name, ALL, major(getattr(other, name), other.currency))
            for name in ("promised", "kept_amount", "collected", "total_ar", "overdue_ar")
        ]
    for section in tally.by_currency:
        records += _currency_records(section)
    for point in tally.trend:
        records += [
            TallyRecord("trend", f"{status}:{point.day.isoformat()}", ALL, getattr(point, status))
            for status in ("kept", "partially_kept", "broken")
        ]
    return records


def _currency_records(section: CurrencyTally) -> list[TallyRecord]:
    """One currency's promises, activity, aging and receivables as records (sections ``…:CUR``)."""
    cur = section.currency
    records: list[TallyRecord] = []
    for figures in (section.promises, *section.promises_by_collector):
        records += [
            TallyRecord(f"promises:{cur}", k, figures.collector, v) for k, v in promise_metrics(figures, cur).items()
        ]
    for activity in (section.activity, *section.activity_by_collector):
        records += [
            TallyRecord(f"activity:{cur}", k, activity.collector, v) for k, v in activity_metrics(activity, cur).items()
        ]
    records += [TallyRecord(f"aging:{cur}", b.label, ALL, major(b.amount, cur)) for b in section.receivables.buckets]
    records += [
        TallyRecord(f"receivables:{cur}", k, ALL, v) for k, v in receivables_metrics(section.receivables).items()
    ]
    return records


def currency_document(section: CurrencyTally) -> dict[str, Any]:
    """One currency's figures, nested (for JSON)."""
    cur, r = section.currency, section.receivables
    return {
        "currency": cur,
        "promises": {
            "overall": promise_metrics(section.promises, cur),
            "by_collector": {f.collector: promise_metrics(f, cur) for f in section.promises_by_collector},
        },
        "activity": {
            "overall": activity_metrics(section.activity, cur),
            "by_collector": {a.collector: activity_metrics(a, cur) for a in section.activity_by_collector},
        },
        "receivables": {
            **receivables_metrics(r),
            "aging": [
                {"bucket": b.label, "low_days": b.low, "high_days": b.high, "amount": major(b.amount, cur)}
                for b in r.buckets
            ],
        },
    }


def csv_cell(value: Value) -> str:
    """How a value is written in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_value(value: Any) -> Any:
    """A JSON-ready value: decimals become numbers, dates ISO strings; nested data recursively."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def tally_document(tally: Tally) -> dict[str, Any]:
    """The tally as one nested document (for JSON)."""
    cur = tally.currency
    r = tally.receivables

    def line(account: Any) -> dict[str, Any]:
        return {
            "customer_id": account.customer_id,
            "ref": account.ref,
            "name": account.name,
            "currency": account.currency,
            "stage": account.stage,
            "overdue": major(account.overdue, account.currency),
            "oldest_due_on": account.oldest_due_on,
            "days_past_due": account.days_past_due,
        }

    document = {
        "period": {
            "from": tally.date_from,
            "to": tally.date_to,
            "as_of": tally.as_of,
            "period_end": tally.period_end,
            "days": tally.days,
        },
        "currency": cur,
        "promises": {
            "overall": promise_metrics(tally.promises, cur),
            "by_collector": {f.collector: promise_metrics(f, cur) for f in tally.promises_by_collector},
        },
        "activity": {
            "overall": activity_metrics(tally.activity, cur),
            "by_collector": {a.collector: activity_metrics(a, cur) for a in tally.activity_by_collector},
        },
        "receivables": {
            **receivables_metrics(r),
            "aging": [
                {"bucket": b.label, "low_days": b.low, "high_days": b.high, "amount": major(b.amount, cur)}
                for b in r.buckets
            ],
            "accounts_per_stage": tally.accounts_per_stage,
            "agency_ready_count": tally.agency_ready_count,
            "agency_ready": [line(a) for a in tally.agency_ready],
            "toughest": [line(a) for a in tally.toughest],
            "toughest_ranking": tally.toughest_source,
        },
        "other_currencies": [
            {
                "currency": o.currency,
                **{
                    name: major(getattr(o, name), o.currency)
                    for name in ("promised", "kept_amount", "collected", "total_ar", "overdue_ar")
                },
            }
            for o in tally.other_currencies
        ],
        "by_currency": [currency_document(section) for section in tally.by_currency],
        "broken_to_chase": [
            {
                "promise_id": b.promise_id,
                "customer_ref": b.customer_ref,
                "customer_name": b.customer_name,
                "amount": major(b.amount, b.currency),
                "unpaid": major(b.unpaid, b.currency),
                "currency": b.currency,
                "promised_on": b.promised_on,
                "broken_on": b.broken_on,
                "taken_by": b.taken_by,
            }
            for b in tally.broken_to_chase
        ],
        "trend": [
            {"day": p.day, "kept": p.kept, "partially_kept": p.partially_kept, "broken": p.broken} for p in tally.trend
        ],
    }
    result: dict[str, Any] = json_value(document)
    return result
