"""The columns each import takes and the accounting-export headings accepted for them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from collectdesk.services.importing.report import RowError

# kind → canonical column → headings also accepted, in order of preference. Headings are compared
# without case, spaces or punctuation, so "Invoice No.", "invoice_no" and "InvoiceNo" are the same.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "ref": (
            "Customer ID",
            "Customer Ref",
            "Customer Number",
            "Customer No",
            "Customer Code",
            "Account Number",
            "Account No",
            "Account",
            "Account Code",
            "ID",
        ),
        "name": (
            "Customer Name",
            "Customer",
            "Display Name",
            "ContactName",
            "Contact Name",
            "Company",
            "Company Name",
            "Name",
        ),
        "kind": ("Type", "Customer Type"),
        "country": ("Country Code", "Billing Country", "POCountry", "SACountry"),
        "currency": ("Currency Code", "Default Currency"),
        "terms_days": ("Terms", "Payment Terms", "Terms Days", "Due Days"),
        "phone": ("Phone Number", "Telephone", "Main Phone", "PhoneNumber", "Mobile"),
        "email": ("Email Address", "EmailAddress", "Main Email", "E-mail"),
        "timezone": ("Time Zone", "TZ"),
        "collector": ("Assigned Collector", "Collections Agent"),
        "sales_rep": ("Sales Rep", "Salesperson", "Sales Person", "Account Manager", "Rep"),
        "do_not_call": ("DNC", "Do Not Call"),
        # The billing address under its canonical names; the exports' own headings are in the profiles.
        "address_street": (),
        "address_city": (),
        "address_region": (),
        "address_postal_code": (),
    },
    "contacts": {
        "customer_ref": (
            "Customer ID",
            "Customer Ref",
            "Customer",
            "Account Number",
            "Account No",
            "AccountNumber",
            "Account",
        ),
        "name": ("Contact Name", "Contact", "Full Name", "Person"),
        "role": ("Title", "Job Title", "Position"),
        "phone": ("Phone Number", "Telephone", "Direct Line", "Mobile", "PhoneNumber"),
        "email": ("Email Address", "EmailAddress", "E-mail"),
    },
    "invoices": {
        "customer_ref": (
            "Customer ID",
            "Customer Ref",
            "Customer",
            "Account Number",
            "Account No",
            "AccountNumber",
        ),
        "number": (
            "Invoice Number",
            "Invoice No",
            "InvoiceNumber",
            "Invoice Num",
            "Invoice #",
            "Invoice",
            "Num",
            "No",
            "Doc Number",
            "Transaction No",
        ),
        "issue_date": ("Invoice Date", "InvoiceDate", "Issue Date", "Date", "Transaction Date", "Txn Date"),
        "due_date": ("Due Date", "DueDate", "Payment Due", "Due"),
        "amount": (
            "Total",
            "Invoice Total",
            "Invoice Amount",
            "Amount Due",
            "AmountDue",
            "Open Balance",
            "Balance",
            "Total Amount",
        ),
        "currency": ("Currency Code", "Currency"),
    },
    "payments": {
        "customer_ref": (
            "Customer ID",
            "Customer Ref",
            "Customer",
            "Account Number",
            "Account No",
            "AccountNumber",
        ),
        "amount": ("Amount Paid", "Payment Amount", "Amount Received", "Total", "Paid"),
        "received_on": (
            "Payment Date",
            "PaymentDate",
            "Date Received",
            "Received Date",
            "Date Paid",
            "Paid Date",
            "Date",
        ),
        "invoice_number": (
            "Invoice Number",
            "Invoice No",
            "InvoiceNumber",
            "Invoice #",
            "Invoice",
            "Applied To",
            "Invoice Num",
        ),
        "method": ("Payment Method", "PaymentMethod", "Method", "Payment Type"),
        "reference": (
            "Reference",
            "Ref",
            "Payment Ref",
            "Payment Reference",
            "Memo",
            "Check No",
            "Cheque No",
            "Transaction ID",
        ),
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("ref", "name"),
    "contacts": ("customer_ref", "name"),
    "invoices": ("customer_ref", "number", "issue_date", "due_date", "amount"),
    "payments": ("customer_ref", "amount", "received_on"),
}

_NOT_WORD = re.compile(r"[^0-9a-z#]+")


def normalise_heading(heading: str) -> str:
    """A heading as lower-case letters, digits and ``#``: ``"Invoice No."`` → ``invoiceno``."""
    return _NOT_WORD.sub("", heading.lower())


@dataclass(frozen=True)
class ColumnMap:
    """Which file column feeds each canonical column, plus the headings nobody uses."""

    positions: dict[str, int]
    headings: dict[str, str]
    ignored: list[str]


def _lookup(kind: str) -> dict[str, tuple[str, int]]:
    """Normalised heading → (canonical column, preference; 0 = the canonical name itself)."""
    table: dict[str, tuple[str, int]] = {}
    for column, aliases in ALIASES[kind].items():
        for rank, alias in enumerate((column, *aliases)):
            table.setdefault(normalise_heading(alias), (column, rank))
    return table


def map_headings(kind: str, headings: list[str], file: str) -> tuple[ColumnMap, list[RowError]]:
    """Match the header row to the columns of ``kind``; a missing required column is an error."""
    lookup = _lookup(kind)
    chosen: dict[str, tuple[int, int]] = {}  # column → (preference, position)
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for position, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key:
            continue
        if key in seen:
            errors.append(
                RowError(file, 1, heading, f"the column appears twice (columns {seen[key] + 1} and {position + 1})")
            )
            continue
        seen[key] = position
        if key in lookup:
            column, rank = lookup[key]
            if column not in chosen or rank < chosen[column][0]:
                chosen[column] = (rank, position)
    positions = {column: position for column, (_, position) in chosen.items()}
    for column in REQUIRED[kind]:
        if column not in positions:
            accepted = ", ".join(ALIASES[kind][column][:4])
            errors.append(RowError(file, 1, None, f"missing required column {column!r} (also accepted: {accepted}, …)"))
    used = set(positions.values())
    ignored = [h for i, h in enumerate(headings) if i not in used and h.strip()]
    return ColumnMap(positions, {c: headings[p] for c, p in positions.items()}, ignored), errors
