"""``import inspect`` and ``--map``: any other layout, described and then imported (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from collectdesk.cli.main import main
from collectdesk.services.context import AppContext
from collectdesk.services.importing import import_csv
from collectdesk.services.importing.mapping import load_mapping
from collectdesk.services.importing.shaping import Options
from collectdesk.store.models import Customer, Invoice
from importing_helpers import write

ODD = """\
Debtors ledger export;;;;
run 30.11.2026;;;;
Debtor;Doc No;Doc Date;Gross;Remark
Kiwi Parts;A-17;03.11.2026;1.234,50;first
Kiwi Parts;A-18;14.11.2026;99,00;
"""

MAPPING = """\
date_format = "%d.%m.%Y"
skip_rows = 2
[columns]
customer_name = "Debtor"
number = "Doc No"
issue_date = "Doc Date"
amount = "Gross"
"""


def test_inspect_shows_what_it_recognised_and_a_mapping_to_start_from(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "odd.csv", ODD, "cp1252")
    assert main(["--db", sqlite_url, "import", "inspect", str(path), "--as", "invoices"]) == 0
    out = capsys.readouterr().out
    assert "encoding UTF-8" in out  # plain ASCII is valid UTF-8
    assert "not recognised (ignored): 'Debtor', 'Doc No', 'Doc Date', 'Gross', 'Remark'" in out
    assert "note: 2 title rows above the headings skipped" in out
    assert "odd.csv:3: missing required column 'number'" in out
    assert "[columns]" in out and '# number = ""' in out and '# customer_name = ""' in out


def test_a_mapping_file_imports_an_unknown_layout(ctx: AppContext, tmp_path: Path) -> None:
    mapping = write(tmp_path, "m.toml", MAPPING)
    options = load_mapping(mapping, Options())
    report = import_csv(ctx, "invoices", write(tmp_path, "odd.csv", ODD), options=options)
    assert (report.added, report.created_customers) == (2, 1)
    with ctx.db.session() as session:
        rows = session.execute(select(Invoice.number, Invoice.amount, Invoice.issue_date, Invoice.due_date)).all()
        assert session.scalars(select(Customer.name)).one() == "Kiwi Parts"
    assert sorted((n, a, i.isoformat(), d.isoformat()) for n, a, i, d in rows) == [
        ("A-17", 123_450, "2026-11-03", "2026-12-03"),
        ("A-18", 9_900, "2026-11-14", "2026-12-14"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour = 1\n", "unknown settings colour"),
        ("[columns]\nnumbr = 'Doc No'\n", "unknown fields in [columns]: numbr"),
        ("date_format = 'sometimes'\n", "date_format: 'sometimes' is not a date format"),
        ("from = 'sap'\n", "from = 'sap' is not one of"),
        ("[columns\n", "not valid TOML"),
    ],
)
def test_bad_mapping_files_are_refused(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    mapping = write(tmp_path, "m.toml", text)
    path = write(tmp_path, "odd.csv", ODD)
    assert main(["--db", sqlite_url, "import", "invoices", str(path), "--map", str(mapping)]) == 1
    assert message in capsys.readouterr().err


def test_cli_reports_profile_encoding_and_warnings(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clients = (
        '"Client Name","Email","Phone","Country"\n'
        '"Bruce Wayne","batman@gotham.gov","12","US"\n'
        '"Diana Prince","diana@themyscira.example","","Greece"\n'
    )
    path = write(tmp_path, "clients.csv", clients, "utf-16")
    assert main(["--db", sqlite_url, "import", "customers", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: recognised from the headings as Invoicely export; encoding UTF-16"
    assert any(line.startswith(f"warning: {path}:2:Phone: '12' is not a valid phone number for US") for line in out)
    assert out[-1] == f"{path}: 2 rows: 2 added, 0 updated, 0 unchanged"
    assert main(["--db", sqlite_url, "import", "customers", str(path), "--strict"]) == 1
    assert main(["--db", sqlite_url, "import", "customers", str(path), "--date-format", "often"]) == 1
    assert "--date-format: 'often' is not a date format" in capsys.readouterr().err
