"""``collectdesk import`` on the command line: summaries, exit codes and error listings."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from collectdesk.cli.main import main
from collectdesk.store.models import Invoice
from importing_helpers import CUSTOMERS, INVOICES, write


def test_import_prints_a_summary_and_reimport_is_unchanged(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = write(tmp_path, "customers.csv", CUSTOMERS)
    assert main(["--db", db_url, "import", "customers", str(customers)]) == 0
    out = capsys.readouterr().out
    assert "note: added 2 collectors: Maya Patel, Tom Becker" in out
    assert f"{customers}: 3 rows: 3 added, 0 updated, 0 unchanged" in out
    assert main(["--db", db_url, "import", "customers", str(customers)]) == 0
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_bad_rows_exit_1_with_file_line_and_column(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "import", "customers", str(write(tmp_path, "customers.csv", CUSTOMERS))]) == 0
    capsys.readouterr()
    bad = INVOICES.replace("2026-10-31", "2026-09-31").replace("C2,INV-4", "C9,INV-4")
    path = write(tmp_path, "invoices.csv", bad)
    assert main(["--db", db_url, "import", "invoices", str(path)]) == 1
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert err == [
        f"{path}:4:due_date: '2026-09-31' is not a date (use YYYY-MM-DD)",
        f"{path}:5:customer_ref: no customer with ref 'C9' (import customers first)",
        f"collectdesk: {path}: 2 bad rows; nothing was imported",
    ]
    assert captured.out == ""
    assert main(["--db", db_url, "import", "invoices", str(path), "--dry-run"]) == 1


def test_dry_run_says_so_and_a_real_run_still_adds(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "customers.csv", CUSTOMERS)
    assert main(["--db", db_url, "import", "customers", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would add 2 collectors" in out and "(dry run: nothing was written)" in out
    assert main(["--db", db_url, "import", "customers", str(path)]) == 0
    assert "3 added" in capsys.readouterr().out


def test_missing_file_and_unknown_kind(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "import", "customers", str(tmp_path / "nope.csv")]) == 1
    assert "cannot read the file: No such file or directory" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", sqlite_url, "import", "vendors", "x.csv"])
    assert exit_info.value.code == 2


def test_a_quick_import_shows_no_progress(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = "".join(f"R{i},Customer {i}\n" for i in range(300))
    path = write(tmp_path, "many.csv", "ref,name\n" + rows)
    assert main(["--db", sqlite_url, "import", "customers", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "300 added" in captured.out


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_bar_on_a_terminal_shows_rows_rate_and_time_left() -> None:
    import io

    from collectdesk.cli.cmd_import import ProgressLine

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out, clock = Tty(), _Clock()
    progress = ProgressLine("big.csv", out, now=clock)
    progress("checking", 0, 100_000)
    clock.now += 0.5
    progress("checking", 10_000, 100_000)
    assert out.getvalue() == ""  # nothing for the first second
    clock.now += 1.5
    progress("checking", 40_000, 100_000)
    shown = out.getvalue()
    assert shown.startswith("\r\033[Kchecking big.csv ")
    assert "40,000/100,000 rows  20,000 rows/s  0:03 left" in shown
    assert "█" in shown and "░" in shown
    progress.clear()
    assert out.getvalue().endswith("\r\033[K")


def test_a_step_with_no_rows_to_count_is_named_once_in_place_of_the_bar() -> None:
    import io

    from collectdesk.cli.cmd_import import ProgressLine

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    for out in (Tty(), io.StringIO()):
        clock = _Clock()
        progress = ProgressLine("big.csv", out, now=clock)
        progress("checking", 0, 100_000)
        clock.now += 2
        progress("checking", 100_000, 100_000)
        progress("saving", 0, 0)
        clock.now += 3
        progress("saving", 0, 0)  # still saving: said once
        shown = out.getvalue()
        assert shown.count("saving big.csv…") == 1 and "0/0" not in shown
        assert shown.rstrip("\n").endswith("saving big.csv…")


def test_progress_off_a_terminal_is_plain_lines_every_few_seconds() -> None:
    import io

    from collectdesk.cli.cmd_import import ProgressLine

    out, clock = io.StringIO(), _Clock()
    progress = ProgressLine("big.csv", out, now=clock)
    progress("checking", 0, 300_000)
    for step in range(1, 31):
        clock.now += 0.5
        progress("checking", step * 10_000, 300_000)
    lines = out.getvalue().splitlines()
    assert 2 <= len(lines) <= 5, lines
    assert lines[0].startswith("checking big.csv: ") and "rows/s" in lines[0] and "left" in lines[0]
    assert "\r" not in out.getvalue()
    assert lines[-1].startswith("checking big.csv: 300,000/300,000 rows")


def test_phone_checks_never_load_the_geocoder(tmp_path: Path) -> None:
    import subprocess
    import sys

    customers = write(tmp_path, "customers.csv", CUSTOMERS)
    script = (
        "import sys\nfrom collectdesk.cli.main import main\n"
        f"assert main(['--db', 'sqlite:///{tmp_path / 'g.db'}', 'import', 'customers', "
        f"{str(customers)!r}]) == 0\n"
        "assert 'phonenumbers' in sys.modules\n"
        "assert 'phonenumbers.geocoder' not in sys.modules\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": str(src),
            "PATH": "/usr/bin:/bin",
            "COLLECTDESK_DATA_DIR": str(tmp_path / "data"),
            "COLLECTDESK_CONFIG_DIR": str(tmp_path / "config"),
        },
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_killed_import_leaves_the_database_as_it_was(sqlite_url: str, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    from collectdesk.services.context import open_context

    assert main(["--db", sqlite_url, "import", "customers", str(write(tmp_path, "c.csv", "ref,name\nC1,Acme\n"))]) == 0
    # Large enough that checking it takes over a second (progress is shown only after one), now
    # that checking is quick.
    rows = "".join(f"C1,N-{i},2026-10-01,2026-10-31,{i % 900}.50\n" for i in range(400_000))
    path = write(tmp_path, "big.csv", "customer_ref,number,issue_date,due_date,amount\n" + rows)
    command = [sys.executable, "-m", "collectdesk", "--db", sqlite_url, "import", "invoices", str(path)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    assert process.stderr is not None
    # The last progress line says every row was checked: the writing has begun.
    line = b""
    while b"400,000/400,000 rows" not in line:
        line = process.stderr.readline()
        assert line, "the import ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    ctx = open_context(db_url=sqlite_url)
    try:
        with ctx.db.session() as session:
            assert session.scalar(select(func.count()).select_from(Invoice)) == 0
            assert session.scalar(text("PRAGMA integrity_check")) == "ok"
            # The per-row triggers a large import drops for its duration are back.
            assert session.scalar(text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")) >= 10
    finally:
        ctx.close()
    assert main(["--db", sqlite_url, "import", "invoices", str(path)]) == 0
