"""The demo's notes agree with its own promises on any day it is built for."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from collectdesk.domain.clock import Clock
from collectdesk.resources import sample_data_dir
from collectdesk.services.demo import ensure_demo, read_anchor, shift_text
from collectdesk.store.database import Database
from collectdesk.store.models import Call, Promise

SAMPLE = sample_data_dir()


def test_a_ptp_note_names_the_date_of_the_promise_it_took(tmp_path: Path) -> None:
    today = read_anchor(SAMPLE) + timedelta(days=9)  # a demo built nine days after the sample was written
    clock = Clock(today_override=today, frozen_at=datetime.combine(today, datetime.min.time(), UTC))
    build = ensure_demo(tmp_path, SAMPLE, user_name="dana", clock=clock)
    db = Database.open(build.url)
    with db.session() as session:
        pairs = session.execute(
            select(Call.notes, Promise.promised_on)
            .join(Promise, Promise.call_id == Call.id)
            .where(Promise.plan_id.is_(None))
        ).all()
    db.close()
    checked = 0
    for notes, promised_on in pairs:
        named = re.search(r"by (\d{4}-\d{2}-\d{2})", notes or "")
        if named:
            assert date.fromisoformat(named.group(1)) == promised_on, notes
            checked += 1
    assert checked > 20


def test_shift_text_moves_every_iso_date_and_nothing_else() -> None:
    text = "Agreed NZ$3,619.00 by 2026-09-17, then 2026-10-01; ref 2026-091"
    assert shift_text(text, 9) == "Agreed NZ$3,619.00 by 2026-09-26, then 2026-10-10; ref 2026-091"
