"""What the desk reads from the database, as plain data (no Textual here: it may run before import)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass

from collectdesk.services.accounts import AccountDetail, account_detail
from collectdesk.services.context import AppContext
from collectdesk.services.plain_worklist import plain_first_page
from collectdesk.services.worklist import WorklistRow, build_worklist, score_account


@dataclass(frozen=True)
class AccountRead:
    """An account's detail and score breakdown."""

    customer_id: int
    detail: AccountDetail
    breakdown: Mapping[str, float] | None
    score: float | None


@dataclass(frozen=True)
class FirstPage:
    """Today's first page and its top account, read while Textual starts."""

    rows: list[WorklistRow]
    top: AccountRead | None


def read_account(ctx: AppContext, customer_id: int, row: WorklistRow | None) -> AccountRead:
    """An account's detail and score as the side panel needs them (runs off the event loop)."""
    detail = account_detail(ctx, customer_id)
    if row is None:
        row = score_account(ctx, customer_id)
    return AccountRead(customer_id, detail, row.breakdown if row else None, row.score if row else None)


def read_first_page(ctx: AppContext) -> FirstPage:
    """The first page of today's list and the top account's detail."""
    rows = plain_first_page(ctx, limit=ctx.settings.page_size) or build_worklist(ctx, limit=ctx.settings.page_size)
    try:
        top = read_account(ctx, rows[0].customer_id, rows[0]) if rows else None
    except Exception:  # the list still paints; the panel reads the account again and reports why it cannot
        top = None
    return FirstPage(rows, top)


def start_first_page(ctx: AppContext) -> Future[FirstPage]:
    """Read the first page in a background thread (start it before Textual is even imported)."""
    future: Future[FirstPage] = Future()

    def read() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(read_first_page(ctx))
        except BaseException as exc:  # handed to whoever waits for the page
            future.set_exception(exc)

    threading.Thread(target=read, name="desk-first-page", daemon=True).start()
    return future
