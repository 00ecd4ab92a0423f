"""Bad import files: every bad row is reported as FILE:LINE:COLUMN and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectdesk.services.context import AppContext
from collectdesk.services.importing import ImportFailed, import_csv
from collectdesk.services.importing.shaping import Options
from importing_helpers import counts, load_base, write

INVOICE_HEADER = "customer_ref,number,issue_date,due_date,amount,currency\n"
PAYMENT_HEADER = "customer_ref,amount,received_on,invoice_number,method,reference\n"
CUSTOMER_HEADER = "ref,name,kind,country,currency,phone,timezone\n"

# (kind, file body, expected error lines — each "LINE:COLUMN: message fragment")
CASES = {
    "wrong dates": (
        "invoices",
        INVOICE_HEADER + "C1,N-1,2026-13-01,2026-12-01,10.00,GBP\n" + "C1,N-2,01/10/2026,2026-12-01,10.00,GBP\n",
        [
            "2:issue_date: '2026-13-01' is not a date (use YYYY-MM-DD)",
            "3:issue_date: '01/10/2026' could be 01 October 2026 (day first) or January 10 2026 (month first)",
        ],
    ),
    "due before issue (strict)": (
        "invoices",
        INVOICE_HEADER + "C1,N-1,2026-10-01,2026-09-01,10.00,GBP\n",
        ["2:due_date: due date 2026-09-01 is before the issue date 2026-10-01"],
    ),
    "negative or non-numeric amounts": (
        "invoices",
        INVOICE_HEADER
        + "C1,N-1,2026-10-01,2026-10-31,-10.00,GBP\n"
        + "C1,N-2,2026-10-01,2026-10-31,ten pounds,GBP\n"
        + "C1,N-3,2026-10-01,2026-10-31,10.001,GBP\n",
        [
            "2:amount: '-10.00' is negative",
            "3:amount: 'ten pounds' is not an amount",
            "4:amount: '10.001' has more than 2 decimal places",
        ],
    ),
    "zero payment": (
        "payments",
        PAYMENT_HEADER + "C1,0.00,2026-11-01,,,\n",
        ["2:amount: a payment of zero is not a payment"],
    ),
    "unknown customer refs": (
        "payments",
        PAYMENT_HEADER + "C9,10.00,2026-11-01,,,\n" + "C1,10.00,2026-11-01,INV-404,,\n",
        ["2:customer_ref: no customer with ref 'C9'", "3:invoice_number: customer C1 has no invoice 'INV-404'"],
    ),
    "duplicate rows": (
        "invoices",
        INVOICE_HEADER
        + "C1,N-1,2026-10-01,2026-10-31,10.00,GBP\n"
        + "C2,N-1,2026-10-01,2026-10-31,10.00,USD\n"
        + "C1,N-1,2026-10-02,2026-10-31,12.00,GBP\n",
        ["4:number: duplicate of line 2 (same customer and invoice number)"],
    ),
    "duplicate payments": (
        "payments",
        PAYMENT_HEADER + "C1,10.00,2026-11-01,,,R1\n" + "C1,10.00,2026-11-01,,,R1\n",
        ["3:amount: duplicate of line 2"],
    ),
    "invalid phone numbers (strict)": (
        "customers",
        CUSTOMER_HEADER + "C7,Bad Phone Ltd,business,GB,GBP,020 1234,\n" + "C8,Letters Inc,business,US,USD,call me,\n",
        ["2:phone: '020 1234' is not a valid phone number for GB", "3:phone: 'call me' is not a phone number"],
    ),
    "unknown kind, country, currency, timezone": (
        "customers",
        CUSTOMER_HEADER
        + "C7,X,partnership,GB,GBP,,\n"
        + "C8,Y,business,XX,USD,,\n"
        + "C9,Z,business,US,DOLLARS,,\n"
        + "C10,W,business,US,USD,,Mars/Olympus\n",
        [
            "2:kind: 'partnership' is not a kind of customer",
            "3:country: 'XX' is not an ISO 3166 country code",
            "4:currency: 'DOLLARS' is not an ISO 4217 currency code",
            "5:timezone: 'Mars/Olympus' is not a time zone",
        ],
    ),
    "invoice currency differs from its customer's": (
        "invoices",
        INVOICE_HEADER + "C1,N-1,2026-10-01,2026-10-31,10.00,USD\n",
        ["2:currency: invoice currency USD differs from the customer's currency GBP"],
    ),
    "future payment": (
        "payments",
        PAYMENT_HEADER + "C1,10.00,2026-12-25,,,\n",
        ["2:received_on: 2026-12-25 is in the future"],
    ),
    "missing required value": (
        "invoices",
        INVOICE_HEADER + "C1,,2026-10-01,2026-10-31,10.00,GBP\n",
        ["2:number: a value is required"],
    ),
    "customer currency change with invoices": (
        "customers",
        "ref,name,currency\nC1,Harbour Joinery Ltd,EUR\n",
        ["2:currency: the customer already has invoices in GBP; it cannot become EUR"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_rows_are_all_reported_and_nothing_changes(case: str, ctx: AppContext, tmp_path: Path) -> None:
    kind, body, expected = CASES[case]
    load_base(ctx, tmp_path)
    before = counts(ctx)
    path = write(tmp_path, "bad.csv", body)
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, kind, path, label="bad.csv", options=Options(strict="strict" in case))
    reported = [str(error) for error in failure.value.errors]
    assert len(reported) == len(expected), reported
    for line, fragment in zip(reported, expected, strict=True):
        assert line.startswith("bad.csv:" + fragment.split(" ", 1)[0]), (line, fragment)
        assert fragment.split(": ", 1)[1] in line
    assert counts(ctx) == before


def test_good_rows_are_not_written_when_another_row_is_bad(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    before = counts(ctx)
    body = (
        INVOICE_HEADER
        + "C1,OK-1,2026-10-01,2026-10-31,10.00,GBP\n"
        + "C1,BAD,2026-10-01,2026-09-01,10.00,GBP\n"
        + "C1,OK-2,2026-10-01,2026-10-31,10.00,GBP\n"
    )
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "invoices", write(tmp_path, "mixed.csv", body), label="mixed.csv")
    assert failure.value.bad_rows == 1
    assert failure.value.conclusion == "mixed.csv: 1 bad row; nothing was imported"
    assert counts(ctx) == before


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "mixed.csv: the file is empty"),
        ("\n\n", "mixed.csv: the file is empty"),
        (INVOICE_HEADER, "mixed.csv: the file has a header row but no data rows"),
        (
            "customer_ref,number,issue_date,due_date\nC1,N,2026-10-01,2026-10-31\n",
            "mixed.csv:1: missing required column 'amount' (also accepted: Total, Invoice Total",
        ),
        ("customer_ref,number,number,issue_date,due_date,amount\n", "mixed.csv:1:number: the column appears twice"),
    ],
)
def test_unusable_files_are_rejected(ctx: AppContext, tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "invoices", write(tmp_path, "m.csv", body), label="mixed.csv")
    assert str(failure.value.errors[0]).startswith(message)


def test_windows_1252_file_is_decoded_and_named(ctx: AppContext, tmp_path: Path) -> None:
    body = "ref,name,country,currency\nC5,Café Zoë – Paris,FR,EUR\n"
    report = import_csv(ctx, "customers", write(tmp_path, "c.csv", body, "cp1252"), label="c.csv")
    assert report.added == 1 and report.encoding == "Windows-1252"
    assert "encoding Windows-1252" in report.source()


def test_wrongly_forced_encoding_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    body = "ref,name,country\nC5,Café Zoë,FR\n"
    path = write(tmp_path, "c.csv", body, "latin-1")
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "customers", path, label="c.csv", options=Options(encoding="utf-8"))
    assert str(failure.value.errors[0]).startswith("c.csv:2: the file is not utf-8 (byte 0xe9)")
    assert counts(ctx)["customers"] == 0


def test_utf8_with_bom_is_accepted(ctx: AppContext, tmp_path: Path) -> None:
    body = "ref,name,country,currency\nC5,Café Zoë,FR,EUR\n"
    report = import_csv(ctx, "customers", write(tmp_path, "c.csv", body, "utf-8-sig"))
    assert report.added == 1
