"""``collectdesk promise {list,cancel,replace}``: see an account's promises, cancel or renegotiate one."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args, write_rows
from collectdesk.domain.dates import parse_iso_date
from collectdesk.domain.errors import InputError
from collectdesk.domain.money import AmountError, format_amount, parse_amount
from collectdesk.domain.promise_status import status_words
from collectdesk.services.context import AppContext
from collectdesk.services.promise_retiring import PromiseLine, account_promises, promise_line
from collectdesk.services.promises import PlanInput, PromiseInput, cancel_promise, replace_promise

HEADERS = ("id", "promised_on", "amount", "currency", "status", "paid", "plan", "replaced_by")


def run(args: argparse.Namespace) -> int:
    """Run the chosen promise action."""
    ctx = context_from_args(args)
    try:
        if args.action == "list":
            _list(ctx, args)
        elif args.action == "cancel":
            line = cancel_promise(ctx, args.id, args.reason)
            print(f"Promise {line.describe()} cancelled: {args.reason.strip()}")
        else:
            _replace(ctx, args)
    finally:
        ctx.close()
    return 0


def _list(ctx: AppContext, args: argparse.Namespace) -> None:
    lines = account_promises(ctx, args.ref)
    table = args.format == "table"
    rows = [
        (
            line.id,
            line.promised_on.isoformat(),
            format_amount(line.amount, line.currency) if table else line.amount,
            line.currency,
            (status_words(line.status) + (" (missed)" if line.missed else "")) if table else line.status,
            format_amount(line.paid_amount, line.currency) if table else line.paid_amount,
            f"{line.plan_id}/{line.instalment}" if line.plan_id else "",
            line.replaced_by_id or "",
        )
        for line in lines
    ]
    write_rows(HEADERS, rows, args.format)


def _amount(text: str, old: PromiseLine) -> int:
    try:
        return parse_amount(text, old.currency)
    except AmountError as exc:
        raise InputError(f"--amount: {exc}") from None


def _replace(ctx: AppContext, args: argparse.Namespace) -> None:
    old = promise_line(ctx, args.id)
    amount = _amount(args.amount, old)
    first_on = parse_iso_date(args.on)
    spec: PromiseInput | PlanInput
    if args.instalments:
        spec = PlanInput(amount, args.instalments, first_on, args.every, args.method)
    else:
        spec = PromiseInput(amount, first_on, args.method)
    written = replace_promise(ctx, args.id, spec, args.reason)
    shape = f"a plan of {len(written)}" if len(written) > 1 else "a promise"
    print(f"Promise {old.describe()} renegotiated, replaced by {shape}:")
    for line in written:
        print(f"  #{line.id}  {line.promised_on.isoformat()}  {format_amount(line.amount, line.currency)}")
