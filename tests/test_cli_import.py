"""``collectdesk import`` on the command line: summaries, exit codes and error listings."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectdesk.cli.main import main
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


def test_progress_is_silent_when_stderr_is_not_a_terminal(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "".join(f"R{i},Customer {i}\n" for i in range(6000))
    path = write(tmp_path, "many.csv", "ref,name\n" + rows)
    assert main(["--db", sqlite_url, "import", "customers", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "6000 added" in captured.out


def test_progress_line_on_a_terminal() -> None:
    import io

    from collectdesk.cli.cmd_import import ProgressLine

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    progress = ProgressLine("big.csv", out)
    for done in range(0, 10_001, 2000):
        progress("checking", done, 10_000)
    progress.clear()
    assert "\rchecking big.csv:  20%" in out.getvalue()
    assert out.getvalue().endswith("\r\033[K")


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
