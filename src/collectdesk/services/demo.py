"""The demo database: ``sample_data/`` shifted to today and loaded through the real importer."""

from __future__ import annotations

import csv
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from collectdesk.domain.clock import Clock, desk_clock
from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.demo_history import load_history
from collectdesk.services.importing import ImportReport, import_csv
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.services.users import set_user_role
from collectdesk.settings import Settings
from collectdesk.store.activity import log_activity
from collectdesk.store.database import Database
from collectdesk.store.models import Activity

IMPORTS = (
    ("customers", "customers.csv"),
    ("contacts", "contacts.csv"),
    ("invoices", "invoices.csv"),
    ("payments", "payments.csv"),
)
DATE_COLUMNS = {
    "invoices.csv": ("issue_date", "due_date"),
    "payments.csv": ("received_on",),
    "calls.csv": ("started_at", "callback_at", "next_action_on"),
    "promises.csv": ("promised_on",),
}
# Free text that names dates ("agreed to pay … by 2026-09-17"): the dates in it move with the rest.
TEXT_COLUMNS = {"calls.csv": ("notes", "spoke_with", "no_promise_reason", "dispute_reason")}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
BUILT_MARK = "Demo portfolio built"


@dataclass
class DemoBuild:
    """Where the demo database is, and whether (and how quickly) it was built this time."""

    path: Path
    built: bool
    built_for: date
    seconds: float = 0.0
    reports: list[ImportReport] = field(default_factory=list)
    calls: int = 0
    promises: int = 0

    @property
    def url(self) -> str:
        """The database URL of the demo."""
        return f"sqlite:///{self.path}"


def demo_path(data_dir: Path) -> Path:
    """The demo database file: next to the real one, never the real one."""
    return data_dir / "demo.db"


def read_anchor(sample_dir: Path) -> date:
    """The date the sample CSVs were written relative to."""
    try:
        return date.fromisoformat((sample_dir / "ANCHOR").read_text(encoding="utf-8").strip())
    except (OSError, ValueError) as exc:
        raise InputError(f"{sample_dir / 'ANCHOR'}: cannot read the sample data anchor date") from exc


def shift_cell(text: str, days: int) -> str:
    """An ISO date or UTC instant moved by ``days``; blank cells stay blank."""
    if not text:
        return text
    if len(text) == 10:
        return (date.fromisoformat(text) + timedelta(days=days)).isoformat()
    moved = datetime.fromisoformat(text) + timedelta(days=days)
    return moved.strftime("%Y-%m-%dT%H:%M:%SZ")


def shift_text(text: str, days: int) -> str:
    """Free text with every ISO date in it moved by ``days`` (so a note agrees with its promise)."""
    return ISO_DATE.sub(lambda found: shift_cell(found.group(0), days), text)


def read_shifted(path: Path, days: int) -> tuple[list[str], list[dict[str, str]]]:
    """A sample CSV's header and rows with every date column, and the dates in its notes, moved by ``days``."""
    columns = DATE_COLUMNS.get(path.name, ())
    texts = TEXT_COLUMNS.get(path.name, ())

    def moved(name: str, value: str) -> str:
        if name in columns:
            return shift_cell(value, days)
        return shift_text(value, days) if name in texts and value else value

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [{k: moved(k, v) for k, v in row.items()} for row in reader]
        return list(reader.fieldnames or []), rows


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def built_for(path: Path) -> date | None:
    """The day an existing demo database was built for, or ``None`` if it is not a finished demo."""
    if not path.exists():
        return None
    try:
        db = Database.open(f"sqlite:///{path}", migrate=False)
        try:
            with db.session() as session:
                details = session.scalar(
                    select(Activity.details)
                    .where(Activity.kind == "import", Activity.summary.startswith(BUILT_MARK))
                    .order_by(Activity.id.desc())
                    .limit(1)
                )
        finally:
            db.close()
    except Exception:  # a damaged or foreign file is simply rebuilt
        return None
    if not isinstance(details, dict) or "built_for" not in details:
        return None
    return date.fromisoformat(str(details["built_for"]))


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_demo(
    data_dir: Path,
    sample_dir: Path,
    *,
    user_name: str,
    settings: Settings | None = None,
    clock: Clock | None = None,
    rebuild: bool = False,
    say: Callable[[str], None] | None = None,
) -> DemoBuild:
    """The demo database for today, built from ``sample_dir`` when missing, when asked to, or
    when it was built for another day. ``user_name`` becomes a supervisor in it either way."""
    settings = settings or Settings()
    clock = clock or desk_clock(settings.today, settings.timezone)
    today = clock.today()
    path = demo_path(data_dir)
    if not rebuild and built_for(path) == today:
        result = DemoBuild(path=path, built=False, built_for=today)
        _make_supervisor(result.url, user_name, settings, clock)
        return result
    if say:
        say(f"building the demo database {path} for {today} …")
    started = time.perf_counter()
    data_dir.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".demo-", suffix=".db", dir=data_dir)
    os.close(handle)
    temp = Path(temp_name)
    try:
        result = _build(temp, sample_dir, user_name, settings, clock)
        _remove(path)
        os.replace(temp, path)
    finally:
        _remove(temp)
    result.path = path
    result.seconds = time.perf_counter() - started
    return result


def _make_supervisor(url: str, user_name: str, settings: Settings, clock: Clock) -> None:
    ctx = open_context(db_url=url, user_name=user_name, settings=settings, clock=clock, default_role="supervisor")
    try:
        set_user_role(ctx, user_name, "supervisor")
    finally:
        ctx.close()


def _build(target: Path, sample_dir: Path, user_name: str, settings: Settings, clock: Clock) -> DemoBuild:
    """Load the shifted sample data into ``target`` through the importer."""
    today = clock.today()
    days = (today - read_anchor(sample_dir)).days
    result = DemoBuild(path=target, built=True, built_for=today)
    ctx = open_context(
        db_url=f"sqlite:///{target}", user_name=user_name, settings=settings, clock=clock, default_role="supervisor"
    )
    try:
        set_user_role(ctx, user_name, "supervisor")
        with tempfile.TemporaryDirectory(prefix="collectdesk-demo-") as scratch:
            for kind, name in IMPORTS:
                header, rows = read_shifted(sample_dir / name, days)
                _write(Path(scratch) / name, header, rows)
                result.reports.append(import_csv(ctx, kind, Path(scratch) / name, label=name))
        _, calls = read_shifted(sample_dir / "calls.csv", days)
        _, promises = read_shifted(sample_dir / "promises.csv", days)
        result.calls, result.promises = load_history(ctx, calls, promises)
        bring_up_to_date(ctx)
        _log_built(ctx, today, days, result)
    finally:
        ctx.close()
    return result


def _log_built(ctx: AppContext, today: date, days: int, result: DemoBuild) -> None:
    with ctx.db.session() as session:
        log_activity(
            session,
            at=ctx.clock.now(),
            kind="import",
            user_id=ctx.user.id,
            summary=f"{BUILT_MARK} for {today} (sample dates moved {days:+d} days): "
            f"{result.calls} calls, {result.promises} promises",
            details={
                "built_for": today.isoformat(),
                "shift_days": days,
                "calls": result.calls,
                "promises": result.promises,
            },
        )
