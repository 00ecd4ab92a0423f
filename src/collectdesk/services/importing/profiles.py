"""Source profiles: how each accounting system heads its export columns, orders dates and marks rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from collectdesk.services.importing.headers import normalise_heading

Headings = dict[str, dict[str, tuple[str, ...]]]  # kind → field → headings, best first

# Fields every kind may take beyond the row models' own: the shaping step turns them into those.
EXTRA_FIELDS: Headings = {
    "customers": {
        "name": ("Client Name", "Client", "Organization", "Customer Full Name"),
        "terms_days": ("Payment Terms Label",),
        "terms_day": ("DueDateSalesDay",),
        "terms_rule": ("DueDateSalesTerm",),
        "phone2": ("Mobile", "MobilePhone", "Mobile Phone", "Phone Numbers"),
        "address_street": ("Billing Street", "Billing Address", "Street", "Address", "Address Line 1", "Bill Address"),
        "address_street2": ("Billing Apt/Suite", "Billing Street2", "Address Line 2", "Address 2"),
        "address_city": ("Billing City", "City", "Town"),
        "address_region": ("Billing State/Province", "Billing State", "State", "Province", "Region", "County"),
        "address_postal_code": ("Billing Postal Code", "Billing Code", "Postal Code", "Postcode", "ZIP", "Zip Code"),
        "country": ("Country",),
    },
    "contacts": {},
    "invoices": {
        "customer_name": (
            "Customer Name",
            "Client",
            "Client Name",
            "ContactName",
            "Contact Name",
            "Customer Full Name",
            "Organization",
        ),
        "customer_email": ("Email", "Client Email", "Customer Email"),
        "terms_days": ("Terms", "Payment Terms"),
        "line_amount": ("Line Total", "Line Amount", "LineAmount", "Item Total"),
        "quantity": ("Quantity", "Qty", "Item Quantity"),
        "unit_price": ("Unit Price", "UnitAmount", "Rate", "Item Cost", "Item Price"),
        "open_amount": ("Open Balance", "Balance Due", "Amount Due", "InvoiceAmountDue", "Balance", "Outstanding"),
        "paid_amount": ("Paid", "Amount Paid", "InvoiceAmountPaid"),
        "status": ("Status", "Invoice Status"),
        "type": ("Type", "Transaction Type", "Document Type"),
    },
    "payments": {
        "customer_name": (
            "Customer Name",
            "Client",
            "Client Name",
            "ContactName",
            "Contact Name",
            "Customer Full Name",
        ),
        "customer_email": ("Email", "Client Email"),
    },
}


@dataclass(frozen=True)
class Profile:
    """One accounting system's export layout."""

    name: str
    title: str
    # Headings (normalised) that together say a file came from this system.
    signatures: tuple[frozenset[str], ...] = ()
    headings: Headings = field(default_factory=dict)
    date_order: str | None = None
    # Its exports list the same payment twice when it was received twice.
    repeated_payments: bool = False
    # Wave writes a general ledger: invoices and payments are its Accounts Receivable lines.
    ledger: bool = False
    # Invoice-level values are read from an invoice's first line (as Xero's own import does).
    first_line_wins: bool = False


def _sig(*headings: str) -> frozenset[str]:
    return frozenset(normalise_heading(h) for h in headings)


PROFILES: dict[str, Profile] = {
    "quickbooks": Profile(
        "quickbooks",
        "QuickBooks",
        (
            _sig("Customer full name", "Transaction type"),
            _sig("Customer full name", "Phone numbers"),
            _sig("Transaction Type", "Num", "Open Balance"),
        ),
        {
            "customers": {
                "name": ("Customer full name", "Customer", "Company"),
                "phone": ("Phone numbers", "Phone"),
                "address_street": ("Bill address", "Billing address"),
                "terms_days": ("Terms",),
            },
            "invoices": {
                "customer_name": ("Customer full name", "Customer", "Name"),
                "number": ("Num", "No.", "Invoice no."),
                "issue_date": ("Date", "Transaction date", "Invoice date"),
                "due_date": ("Due date",),
                "amount": ("Amount", "Total"),
                "open_amount": ("Open balance", "Balance"),
                "type": ("Transaction type",),
                "terms_days": ("Terms",),
            },
            "payments": {
                "customer_name": ("Customer full name", "Customer", "Name"),
                "received_on": ("Date", "Transaction date"),
                "reference": ("Num", "Memo/Description", "Memo"),
                "amount": ("Amount", "Total"),
                "method": ("Payment method",),
            },
        },
        date_order="MDY",
    ),
    "xero": Profile(
        "xero",
        "Xero",
        (_sig("ContactName", "InvoiceNumber"), _sig("*ContactName", "*InvoiceNumber"), _sig("*ContactName", "POCity")),
        {
            "customers": {
                "name": ("*ContactName", "ContactName"),
                "ref": ("AccountNumber",),
                "email": ("EmailAddress",),
                "phone": ("PhoneNumber",),
                "phone2": ("MobileNumber",),
                "address_street": ("POAddressLine1",),
                "address_street2": ("POAddressLine2", "POAddressLine3", "POAddressLine4"),
                "address_city": ("POCity",),
                "address_region": ("PORegion",),
                "address_postal_code": ("POPostalCode",),
                "country": ("POCountry",),
            },
            "invoices": {
                "customer_name": ("*ContactName", "ContactName"),
                "customer_email": ("EmailAddress",),
                "number": ("*InvoiceNumber", "InvoiceNumber"),
                "issue_date": ("*InvoiceDate", "InvoiceDate"),
                "due_date": ("*DueDate", "DueDate"),
                "amount": ("Total",),
                "open_amount": ("InvoiceAmountDue",),
                "paid_amount": ("InvoiceAmountPaid",),
                "line_amount": ("LineAmount",),
                "quantity": ("*Quantity", "Quantity"),
                "unit_price": ("*UnitAmount", "UnitAmount"),
                "currency": ("Currency",),
                "status": ("Status",),
                "type": ("Type",),
            },
            "payments": {
                "customer_name": ("*ContactName", "ContactName", "Contact"),
                "invoice_number": ("InvoiceNumber", "Invoice Number"),
                "received_on": ("Date", "PaymentDate"),
                "amount": ("Amount",),
                "reference": ("Reference",),
            },
        },
        date_order="DMY",
        first_line_wins=True,
    ),
    "freshbooks": Profile(
        "freshbooks",
        "FreshBooks",
        (_sig("Organization", "Province/State"), _sig("Client Name", "Invoice #", "Date Issued")),
        {
            "customers": {
                "name": ("Organization",),
                "address_street": ("Street",),
                "address_region": ("Province/State",),
            },
            "invoices": {
                "customer_name": ("Client Name", "Organization"),
                "number": ("Invoice #",),
                "issue_date": ("Date Issued",),
                "status": ("Invoice Status",),
                "line_amount": ("Line Total",),
            },
            "payments": {
                "customer_name": ("Client Name", "Client"),
                "received_on": ("Date Paid", "Date"),
                "invoice_number": ("Invoice #", "Invoice Number"),
                "amount": ("Amount",),
            },
        },
    ),
    "zoho": Profile(
        "zoho",
        "Zoho Books / Invoice",
        (_sig("Display Name", "Customer Sub Type"), _sig("Invoice ID", "Invoice Status", "Customer ID")),
        {
            "customers": {
                "ref": ("Customer ID",),
                "name": ("Display Name", "Customer Name", "Company Name"),
                "kind": ("Customer Sub Type",),
                "email": ("EmailID",),
                "phone2": ("MobilePhone",),
                "terms_days": ("Payment Terms", "Payment Terms Label"),
                "address_street": ("Billing Address",),
                "address_street2": ("Billing Street2",),
                "address_region": ("Billing State",),
                "address_postal_code": ("Billing Code",),
            },
            "invoices": {
                "customer_ref": ("Customer ID",),
                "number": ("Invoice Number",),
                "status": ("Invoice Status",),
                "amount": ("Total",),
                "open_amount": ("Balance",),
                "line_amount": ("Item Total",),
                "terms_days": ("Payment Terms", "Payment Terms Label"),
            },
            "payments": {
                "customer_ref": ("Customer ID",),
                "customer_name": ("Customer Name",),
                "received_on": ("Date", "Payment Date"),
                "amount": ("Amount",),
                "reference": ("Payment Number", "Reference Number"),
                "method": ("Mode", "Payment Mode"),
            },
        },
    ),
    "wave": Profile(
        "wave",
        "Wave",
        (_sig("customer_name", "account_number", "customer_currency"), _sig("Transaction ID", "Account Name")),
        {
            "customers": {
                "name": ("customer_name",),
                "ref": ("account_number",),
                "currency": ("customer_currency",),
                "address_street": ("address_line_1",),
                "address_street2": ("address_line_2",),
                "address_region": ("province/state",),
                "address_postal_code": ("postal_code/zip_code",),
            },
            "invoices": {
                "customer_name": ("Customer",),
                "number": ("Invoice Number",),
                "issue_date": ("Transaction Date",),
                "amount": ("Amount (One column)",),
            },
            "payments": {
                "customer_name": ("Customer",),
                "invoice_number": ("Invoice Number",),
                "received_on": ("Transaction Date",),
                "amount": ("Amount (One column)",),
                "reference": ("Transaction ID",),
            },
        },
        ledger=True,
    ),
    "invoiceninja": Profile(
        "invoiceninja",
        "Invoice Ninja",
        (
            _sig("Billing Apt/Suite", "Paid to Date"),
            _sig("Client", "Invoice Number", "Partial/Deposit"),
            _sig("Client", "Invoice Number", "Amount", "Date"),
        ),
        {
            "customers": {"name": ("Name",), "address_street": ("Billing Street",)},
            "invoices": {
                "customer_name": ("Client",),
                "customer_email": ("Email",),
                "amount": ("Amount",),
                "paid_amount": ("Paid",),
            },
            "payments": {"customer_name": ("Client",), "received_on": ("Date",), "amount": ("Amount",)},
        },
        date_order="MDY",
        repeated_payments=True,
    ),
    "invoicely": Profile(
        "invoicely",
        "Invoicely",
        (_sig("Date", "Due", "Details", "Client", "Status", "Total"), _sig("Client Name", "Email", "Phone", "Country")),
        {
            "customers": {"name": ("Client Name",)},
            "invoices": {
                "customer_name": ("Client",),
                "number": ("Details",),
                "issue_date": ("Date",),
                "due_date": ("Due",),
                "amount": ("Total",),
            },
        },
        date_order="MDY",
    ),
    "invoice2go": Profile(
        "invoice2go",
        "Invoice2go",
        (_sig("DocumentNumber", "DocumentDate", "TermsOld"),),
        {
            "invoices": {
                "customer_name": ("Name",),
                "customer_email": ("EmailRecipient",),
                "number": ("DocumentNumber",),
                "issue_date": ("DocumentDate",),
                "terms_days": ("TermsOld",),
                "amount": ("TotalAmount",),
                "open_amount": ("BalanceDueAmount",),
                "currency": ("CurrencyCode",),
                "status": ("DocumentStatus",),
            },
        },
    ),
    "sage": Profile(
        "sage",
        "Sage 50",
        (_sig("Customer ID", "Bill to Address-Line One"), _sig("Account Ref", "Net Amount")),
        {
            "customers": {
                "ref": ("Customer ID", "A/C", "Account Reference"),
                "name": ("Customer Name", "Name"),
                "address_street": ("Bill to Address-Line One", "Address Line 1"),
                "address_street2": ("Bill to Address-Line Two", "Address Line 2"),
                "address_city": ("Bill to City", "Address Line 3"),
                "address_region": ("Bill to State", "Address Line 4"),
                "address_postal_code": ("Bill to Zip", "Address Line 5"),
                "country": ("Bill to Country", "Country Code"),
                "phone": ("Telephone 1", "Telephone"),
                "email": ("Customer E-mail", "E-mail"),
                "terms_days": ("Payment Due Days", "Due Days"),
            },
            "invoices": {
                "customer_ref": ("Customer ID", "Account Ref", "A/C"),
                "number": ("Invoice/CM #", "Reference", "Invoice No"),
                "issue_date": ("Date",),
                "due_date": ("Date Due", "Due Date"),
                "amount": ("Amount", "Gross Amount", "Net Amount"),
                "type": ("Type",),
            },
            "payments": {
                "customer_ref": ("Customer ID", "Account Ref"),
                "received_on": ("Date",),
                "amount": ("Amount", "Net Amount"),
                "reference": ("Reference",),
                "invoice_number": ("Invoice Paid", "Details"),
            },
        },
        date_order="DMY",
    ),
    "myob": Profile(
        "myob",
        "MYOB AccountRight",
        (_sig("Co./Last Name", "Card ID"), _sig("*Co./Last Name", "Invoice #")),
        {
            "customers": {
                "name": ("Co./Last Name",),
                "ref": ("Card ID",),
                "address_street": ("Addr 1 - Line 1",),
                "address_street2": ("- Line 2", "Addr 1 - Line 2"),
                "address_city": ("- City", "Addr 1 - City"),
                "address_region": ("- State", "Addr 1 - State"),
                "address_postal_code": ("- Postcode", "- ZIP Code", "Addr 1 - Postcode"),
                "country": ("- Country", "Addr 1 - Country"),
                "phone": ("- Phone # 1", "Addr 1 - Phone No. 1"),
                "email": ("- Email", "Addr 1 - Email"),
                "currency": ("Currency Code",),
            },
            "invoices": {
                "customer_name": ("*Co./Last Name", "Co./Last Name"),
                "number": ("Invoice #", "Invoice No."),
                "issue_date": ("Date", "*Date"),
                "line_amount": ("*Amount", "Amount", "Total"),
                "due_date": ("Due Date",),
                "terms_days": ("- Balance Due Days",),
            },
            "payments": {
                "customer_name": ("*Co./Last Name", "Co./Last Name"),
                "received_on": ("Date",),
                "amount": ("Amount Applied", "Amount"),
                "invoice_number": ("Invoice #",),
                "reference": ("ID #", "Memo"),
            },
        },
        date_order="DMY",
    ),
    "generic": Profile("generic", "generic CSV"),
}
SOURCES = tuple(PROFILES)


def detect_profile(headings: list[str]) -> Profile | None:
    """The profile whose signature the headings carry most fully, or ``None`` if none fits."""
    present = {normalise_heading(h) for h in headings}
    best: tuple[int, Profile] | None = None
    for profile in PROFILES.values():
        for signature in profile.signatures:
            if signature <= present and (best is None or len(signature) > best[0]):
                best = (len(signature), profile)
    return best[1] if best else None


def heading_table(kind: str, profile: Profile) -> dict[str, tuple[str, int]]:
    """Normalised heading → (field, preference): the profile's headings first, then everyone's."""
    from collectdesk.services.importing.headers import ALIASES

    table: dict[str, tuple[str, int]] = {}
    layers: list[dict[str, tuple[str, ...]]] = [
        profile.headings.get(kind, {}),
        {column: (column, *aliases) for column, aliases in ALIASES.get(kind, {}).items()},
        # A field's own name is a heading for it too (``open_amount``, ``paid_amount``…).
        {column: (column, *aliases) for column, aliases in EXTRA_FIELDS.get(kind, {}).items()},
    ]
    rank = 0
    for layer in layers:
        for column, aliases in layer.items():
            for alias in aliases:
                rank += 1
                table.setdefault(normalise_heading(alias), (column, rank))
    return table
