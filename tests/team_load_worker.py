"""One collector's process in the load test: work the top of the list through the services."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from collectdesk.domain.clock import Clock
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.services.calls import (
    AccountOnCall,
    CallOutcome,
    PromiseInput,
    close_call,
    save_call_notes,
    start_call,
)
from collectdesk.services.context import open_context
from collectdesk.services.worklist import build_worklist
from collectdesk.settings import Settings
from collectdesk.store.models import Call

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
TOP = 12  # every process races for the same few accounts at the top of the list


def work(url: str, user: str | None, calls: int, seed: int) -> dict[str, Any]:
    """Make ``calls`` calls (start, two note saves, close); returns what this process did."""
    rng = random.Random(seed)
    clock = Clock(today_override=TODAY, frozen_at=NOW)
    ctx = open_context(db_url=url, user_name=user, settings=Settings(), clock=clock)
    done: list[dict[str, Any]] = []
    lost_races = 0
    locked: list[str] = []
    doubled = 0
    try:
        while len(done) < calls:
            try:
                rows = build_worklist(ctx, limit=TOP)
                if not rows:
                    break
                # As a desk would: skip what the list marks as taken or just closed by a colleague,
                # then try the next one down whenever a colleague got there first.
                free = [r for r in rows if r.on_call_by is None and r.closed_by is None] or rows
                rng.shuffle(free)
                call = None
                for row in free:
                    try:
                        call = start_call(ctx, row.customer_id)
                        break
                    except AccountOnCall:
                        lost_races += 1
                if call is None:
                    continue
                with ctx.db.session() as session:
                    doubled += (
                        session.scalar(
                            select(func.count())
                            .select_from(Call)
                            .where(Call.customer_id == call.customer_id, Call.ended_at.is_(None))
                        )
                        or 0
                    ) - 1
                notes = f"{ctx.user.name} call {len(done)}"
                save_call_notes(ctx, call.id, notes[:5])
                save_call_notes(ctx, call.id, notes)
                promise = len(done) % 3 == 0
                outcome = (
                    CallOutcome(
                        "PTP",
                        payment_asked=True,
                        promise=PromiseInput(amount=10_000, promised_on=TODAY + timedelta(days=3)),
                    )
                    if promise
                    else CallOutcome("NOANSWER")
                )
                try:
                    close_call(ctx, call.id, outcome)
                except OutcomeError:
                    # A stale row: a colleague took a promise here a moment ago.
                    promise = False
                    close_call(ctx, call.id, CallOutcome("NOANSWER"))
                done.append({"call_id": call.id, "notes": notes, "promise": promise})
            except OperationalError as exc:
                if "locked" not in str(exc):
                    raise
                locked.append(str(exc).splitlines()[0])
    except Exception as exc:
        # Service errors do not all survive pickling: hand the parent a plain one to report.
        raise RuntimeError(f"{type(exc).__name__}: {exc} {getattr(exc, 'field', '')}") from None
    finally:
        ctx.close()
    return {"user": ctx.user.name, "done": done, "lost_races": lost_races, "locked": locked, "doubled": doubled}
