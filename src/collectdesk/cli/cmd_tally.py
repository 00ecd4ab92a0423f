"""``collectdesk tally``: promise tally, phone activity and receivables health (table/CSV/JSON)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any, TextIO

from collectdesk.cli.common import context_from_args, optional_date, write_rows
from collectdesk.services.access import require_supervisor
from collectdesk.services.periods import period_for
from collectdesk.services.tally import CurrencyTally, Tally, compute_tally
from collectdesk.services.tally_report import (
    RECORD_HEADERS,
    csv_cell,
    tally_document,
    tally_records,
)
from collectdesk.services.tally_text import NONE, activity_texts, days_text, money, number, percent


def run(args: argparse.Namespace) -> int:
    """Compute the tally for the asked period (default: this month up to today) and print it."""
    ctx = context_from_args(args)
    try:
        require_supervisor(ctx, "the tally")
        today = ctx.clock.today()
        asked_from = optional_date(args.date_from)
        date_to = optional_date(args.date_to) or max(today, asked_from or today)
        date_from = asked_from or period_for("month", date_to).date_from
        tally = compute_tally(
            ctx,
            date_from=date_from,
            date_to=date_to,
            as_of=optional_date(args.as_of),
            by_collector=args.by == "collector",
        )
    finally:
        ctx.close()
    write_tally(tally, args.format, sys.stdout)
    return 0


def write_tally(tally: Tally, fmt: str, out: TextIO) -> None:
    """Write the tally as a text table, flat CSV or nested JSON."""
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(RECORD_HEADERS)
        for record in tally_records(tally):
            writer.writerow([record.section, record.metric, record.collector, csv_cell(record.value)])
    elif fmt == "json":
        json.dump(tally_document(tally), out, indent=2)
        out.write("\n")
    else:
        write_table(tally, out)


def _section(out: TextIO, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    out.write(f"\n{title}\n")
    if rows:
        write_rows(headers, rows, "table", out)
    else:
        out.write("  (none)\n")


def write_table(tally: Tally, out: TextIO) -> None:
    """The tally as readable text sections, each currency's figures apart (as on the supervisor screen)."""
    others = [section.currency for section in tally.by_currency[1:]]
    apart = f"; {', '.join(others)} apart, never converted" if others else ""
    out.write(
        f"Tally {tally.date_from} – {tally.period_end} ({tally.days} days), as of {tally.as_of}; "
        f"amounts in {tally.currency}{apart}\n"
    )
    for section in tally.by_currency:
        _write_currency(section, tally.as_of, out)
    _section(out, "Ready for agency referral (all currencies)", ("accounts",), [(tally.agency_ready_count,)])
    _write_lists(tally, out)


def _write_currency(section: CurrencyTally, as_of: date, out: TextIO) -> None:
    cur, r = section.currency, section.receivables
    promise_rows = [
        (
            p.collector,
            p.made,
            p.dated,
            money(p.made_amount, cur),
            p.kept,
            money(p.kept_amount, cur),
            p.partially_kept,
            money(p.partially_kept_paid, cur),
            p.broken,
            money(p.broken_amount, cur),
            p.open,
            p.cancelled,
            p.matured,
            p.matured_kept,
            percent(p.kept_rate),
        )
        for p in (section.promises, *section.promises_by_collector)
    ]
    _section(
        out,
        f"Promises made in the period, {cur} (a plan counts once in made; dated counts each instalment and the"
        " outcomes are of dated promises; kept rate = kept of matured ÷ matured)",
        (
            "collector",
            "made",
            "dated",
            "amount",
            "kept",
            "kept amt",
            "partial",
            "partial paid",
            "broken",
            "broken amt",
            "open",
            "cancelled",
            "matured",
            "kept of matured",
            "kept rate",
        ),
        promise_rows,
    )
    activity_rows = [
        (
            a.collector,
            a.calls,
            a.right_party,
            *activity_texts(a, cur),
        )
        for a in (section.activity, *section.activity_by_collector)
    ]
    _section(
        out,
        f"Activity on {cur} accounts (RPC rate = right-party ÷ calls; PTP rate = PTP ÷ right-party)",
        (
            "collector",
            "calls",
            "RPC",
            "RPC rate",
            "PTP",
            "PTP rate",
            "talk time",
            "promised",
            "collected",
            "per talk hour",
        ),
        activity_rows,
    )
    total = r.total_ar
    _section(
        out,
        f"Aging as of {as_of}, {cur}",
        ("bucket", "amount", "share"),
        [(b.label, money(b.amount, cur), percent(b.amount / total if total else None)) for b in r.buckets]
        + [("total", money(total, cur), "")],
    )
    goal = f"goal {percent(r.within_30_goal)}" + (
        "" if r.meets_goal is None else (" — met" if r.meets_goal else " — missed")
    )
    _section(
        out,
        f"Receivables health, {cur}",
        ("measure", "value"),
        [
            ("credit sales in period", money(r.credit_sales, cur)),
            ("opening AR / closing AR", f"{money(r.opening_ar, cur)} / {money(r.closing_ar, cur)}"),
            ("DSO", days_text(r.dso)),
            ("best possible DSO", days_text(r.best_possible_dso)),
            ("average days delinquent", days_text(r.average_days_delinquent)),
            ("CEI", NONE if r.cei is None else f"{number(r.cei)}"),
            ("collected within 30 days of due", f"{percent(r.within_30_share)} ({goal})"),
        ],
    )


def _write_lists(tally: Tally, out: TextIO) -> None:
    _section(out, "Accounts per stage", ("stage", "accounts"), list(tally.accounts_per_stage.items()))
    _section(
        out,
        "Broken promises to chase",
        ("customer", "name", "amount", "unpaid", "promised on", "taken by"),
        [
            (
                b.customer_ref,
                b.customer_name,
                money(b.amount, b.currency),
                money(b.unpaid, b.currency),
                b.promised_on,
                b.taken_by,
            )
            for b in tally.broken_to_chase
        ],
    )
    _section(
        out,
        f"Toughest accounts ({tally.toughest_source})",
        ("customer", "name", "stage", "overdue", "days past due"),
        [(a.ref, a.name, a.stage, money(a.overdue, a.currency), a.days_past_due) for a in tally.toughest],
    )
