"""Files in each accounting system's layout, written for these tests: title rows, totals, line items,
both date orders, Windows-1252, .xlsx, an aging report, name-only customers (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from collectdesk.services.context import AppContext
from collectdesk.services.importing import ImportFailed, import_csv
from collectdesk.services.importing.naming import generated_ref
from collectdesk.services.importing.shaping import Options
from collectdesk.store.models import Customer, Invoice
from importing_helpers import counts, write

QB_AGING = """\
Harbour Supplies LLC
A/R Aging Detail Report
As of Nov 30, 2026

,Date,Transaction type,Num,Customer full name,Location full name,Due date,Amount,Open balance
Current,,,,,,,,
,11/15/2026,Invoice,1043,Acme Tools Inc,,12/15/2026,"1,200.00","1,200.00"
Total for Current,,,,,,,"$1,200.00","$1,200.00"
1 - 30 days past due,,,,,,,,
,10/20/2026,Invoice,1031,Acme Tools Inc,,11/19/2026,"2,500.00","1,000.00"
,10/02/2026,Invoice,1029,Birch & Sons,,11/01/2026,640.50,640.50
,10/05/2026,Credit Memo,CM-7,Birch & Sons,,10/05/2026,-100.00,-100.00
Total for 1 - 30 days past due,,,,,,,"$3,040.50","$1,540.50"
91 or more days past due,,,,,,,,
,07/01/2026,Invoice,0988,Corner Café,,07/31/2026,"$13,000.25","$13,000.25"
Total for 91 or more days past due,,,,,,,"$13,000.25","$13,000.25"
TOTAL,,,,,,,"$17,240.75","$15,740.75"
" Monday, November 30, 2026 01:49 PM GMT-05:00",,,,,,,,
"""


def _invoices(ctx: AppContext) -> dict[str, tuple[str, int, int, str, str]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(
                Invoice.number, Customer.name, Invoice.amount, Invoice.open_amount, Invoice.issue_date, Invoice.due_date
            ).join(Customer)
        ).all()
    return {n: (c, a, o, i.isoformat(), d.isoformat()) for n, c, a, o, i, d in rows}


def test_quickbooks_aging_report_becomes_customers_and_open_invoices(ctx: AppContext, tmp_path: Path) -> None:
    report = import_csv(ctx, "aging", write(tmp_path, "aging.csv", QB_AGING))
    assert (report.profile, report.detected) == ("QuickBooks", True)
    assert (report.added, report.created_customers) == (4, 3)
    assert report.totals == {"USD": 1_584_075}  # open balances: 1,200.00 + 1,000.00 + 640.50 + 13,000.25
    assert _invoices(ctx) == {
        "1043": ("Acme Tools Inc", 120_000, 120_000, "2026-11-15", "2026-12-15"),
        "1031": ("Acme Tools Inc", 250_000, 100_000, "2026-10-20", "2026-11-19"),
        "1029": ("Birch & Sons", 64_050, 64_050, "2026-10-02", "2026-11-01"),
        "0988": ("Corner Café", 1_300_025, 1_300_025, "2026-07-01", "2026-07-31"),
    }
    assert any("1 credit memo" in note for note in report.notes)
    with ctx.db.session() as session:
        refs = set(session.scalars(select(Customer.ref)))
    assert refs == {generated_ref(n) for n in ("Acme Tools Inc", "Birch & Sons", "Corner Café")}
    again = import_csv(ctx, "aging", write(tmp_path, "aging.csv", QB_AGING))
    assert (again.added, again.unchanged, again.created_customers) == (0, 4, 0)


def test_a_bad_amount_in_an_aging_report_names_its_row_and_writes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    bad = QB_AGING.replace('"$13,000.25","$13,000.25"', '"13,000.25","thirteen"')
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "aging", write(tmp_path, "aging.csv", bad), label="aging.csv")
    assert [str(e) for e in failure.value.errors] == ["aging.csv:15:Open balance: 'thirteen' is not an amount"]
    assert counts(ctx)["customers"] == 0 and counts(ctx)["invoices"] == 0


XERO_DMY = """\
*ContactName,EmailAddress,POAddressLine1,POCity,POCountry,*InvoiceNumber,*InvoiceDate,*DueDate,*Description,*Quantity,*UnitAmount,*AccountCode,Currency\r
Kauri Build,ap@kauri.nz,1 Queen St,Auckland,New Zealand,INV-1,7/6/2026,21/6/2026,"Timber, treated",3,12.50,200,NZD\r
Kauri Build,ap@kauri.nz,1 Queen St,Auckland,New Zealand,INV-1,7/6/2026,21/6/2026,Delivery,1,45,200,NZD\r
Tui Cafe,,,,,INV-2,29/3/2026,28/4/2026,Coffee beans,2,19.99,200,NZD"""


def test_xero_line_items_are_summed_and_dates_read_day_first(ctx: AppContext, tmp_path: Path) -> None:
    report = import_csv(ctx, "invoices", write(tmp_path, "xero.csv", XERO_DMY))
    assert report.profile == "Xero" and report.added == 2
    assert _invoices(ctx) == {
        "INV-1": ("Kauri Build", 8_250, 8_250, "2026-06-07", "2026-06-21"),
        "INV-2": ("Tui Cafe", 3_998, 3_998, "2026-03-29", "2026-04-28"),
    }
    with ctx.db.session() as session:
        assert set(session.scalars(select(Customer.currency))) == {"NZD"}


def test_ambiguous_dates_without_a_profile_are_refused_with_both_readings(ctx: AppContext, tmp_path: Path) -> None:
    import_csv(ctx, "customers", write(tmp_path, "c.csv", "ref,name\nC1,Acme\n"))
    body = "customer_ref,number,issue_date,due_date,amount\nC1,A-1,03/04/2026,05/06/2026,10.00\n"
    path = write(tmp_path, "i.csv", body)
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "invoices", path, label="i.csv")
    first = str(failure.value.errors[0])
    assert first.startswith("i.csv:2:issue_date: '03/04/2026' could be 03 April 2026 (day first) or March 04 2026")
    assert "--date-format DMY or MDY" in first
    assert counts(ctx)["invoices"] == 0
    import_csv(ctx, "invoices", path, options=Options(date_format="DMY"))
    assert _invoices(ctx)["A-1"][3:] == ("2026-04-03", "2026-06-05")


def test_freshbooks_windows_1252_line_items_without_due_dates(ctx: AppContext, tmp_path: Path) -> None:
    clients = (
        "Organization,First Name,Last Name,Email,Phone,Street,City,Province/State,Country,Postal Code,Notes\n"
        "Crème Brûlée Ltd,Zoë,Ng,zoe@creme.example,not a phone,12 Rue Neuve,Montréal,Québec,Canada,H2X 1Y4,\n"
        "Dune Surf,Al,Ng,al@@dune,(415) 555-2671,,,,United States,,\n"
    )
    report = import_csv(ctx, "customers", write(tmp_path, "clients.csv", clients, "cp1252"), label="clients.csv")
    assert report.encoding == "Windows-1252" and report.added == 2
    assert [str(w) for w in report.warnings] == [
        "clients.csv:2:Phone: 'not a phone' is not a phone number; left out",
        "clients.csv:3:Email: 'al@@dune' is not an email address; left out",
    ]
    with ctx.db.session() as session:
        creme = session.scalars(select(Customer).where(Customer.name == "Crème Brûlée Ltd")).one()
        assert (creme.country, creme.address_city, creme.address_postal_code, creme.phone) == (
            "CA",
            "Montréal",
            "H2X 1Y4",
            None,
        )
    with pytest.raises(ImportFailed):
        import_csv(ctx, "customers", write(tmp_path, "c2.csv", clients, "cp1252"), options=Options(strict=True))
    invoices = (
        "Client Name,Invoice #,Date Issued,Invoice Status,Date Paid,Item Name,Rate,Quantity,Line Total,Currency\n"
        "Crème Brûlée Ltd,0000007,2026-10-01,sent,,Flour,2.50,100,250.00,USD\n"
        "Crème Brûlée Ltd,0000007,2026-10-01,sent,,Sugar,1.25,40,50.00,USD\n"
        "Dune Surf,0000008,2026-10-03,draft,,Wax,1,1,1.00,USD\n"
        "Dune Surf,0000009,2026-10-04,paid,2026-10-05,Board,300,1,300.00,USD\n"
    )
    report = import_csv(ctx, "invoices", write(tmp_path, "inv.csv", invoices, "cp1252"))
    assert report.added == 2 and "rows not imported as invoices to chase: 1 draft" in report.notes
    assert _invoices(ctx) == {
        "0000007": ("Crème Brûlée Ltd", 30_000, 30_000, "2026-10-01", "2026-10-31"),
        "0000009": ("Dune Surf", 30_000, 0, "2026-10-04", "2026-11-03"),
    }


def test_xlsx_sheet_is_read_by_name(ctx: AppContext, tmp_path: Path) -> None:
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing to import here"])
    sheet = book.create_sheet("Invoices")
    sheet.append(["Open invoices as of 30 Nov 2026"])
    sheet.append(["Customer Name", "Invoice No", "Invoice Date", "Due Date", "Total", "Balance"])
    sheet.append(["Acme Tools Inc", "X-1", datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), 1250.5, 250.5])
    sheet.append(["Acme Tools Inc", 1002, datetime.datetime(2026, 10, 2), datetime.date(2026, 11, 1), 99, 99])
    path = tmp_path / "open.xlsx"
    book.save(path)
    report = import_csv(ctx, "invoices", path, options=Options(sheet="Invoices"))
    assert report.encoding == "Excel workbook, sheet 'Invoices'"
    assert report.added == 2 and report.created_customers == 1
    assert _invoices(ctx) == {
        "X-1": ("Acme Tools Inc", 125_050, 125_050, "2026-10-01", "2026-10-31"),
        "1002": ("Acme Tools Inc", 9_900, 9_900, "2026-10-02", "2026-11-01"),
    }
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "invoices", path, options=Options(sheet="Nope"), label="open.xlsx")
    assert "has no sheet 'Nope' (it has Notes, Invoices)" in str(failure.value)


def test_one_bad_row_near_the_end_of_a_large_file_refuses_it_all(ctx: AppContext, tmp_path: Path) -> None:
    import_csv(ctx, "customers", write(tmp_path, "c.csv", "ref,name\nC1,Acme\n"))
    lines = [f"C1,N-{i},2026-10-01,2026-10-31,{i % 500}.25\n" for i in range(30_000)]
    lines[29_990] = "C1,N-29990,2026-10-01,2026-10-31,($5.00)\n"
    body = "customer_ref,number,issue_date,due_date,amount\n" + "".join(lines)
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "invoices", write(tmp_path, "big.csv", body), label="big.csv")
    assert [str(e) for e in failure.value.errors] == [
        "big.csv:29992:amount: '-5.00' is negative; amounts must be positive"
    ]
    assert counts(ctx)["invoices"] == 0


def test_utf16_file_and_unknown_country_names(ctx: AppContext, tmp_path: Path) -> None:
    body = "Customer ID,Customer Name,Country\nZ1,Zeta,Australia\nZ2,Eta,Atlantis\n"
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "customers", write(tmp_path, "u.csv", body, "utf-16"), label="u.csv")
    assert [str(e) for e in failure.value.errors] == [
        "u.csv:3:Country: 'Atlantis' is not an ISO 3166 country code (e.g. US, GB, AU, NZ)"
    ]
    report = import_csv(ctx, "customers", write(tmp_path, "u.csv", body.replace("Atlantis", "UK"), "utf-16"))
    assert report.encoding == "UTF-16" and report.added == 2
